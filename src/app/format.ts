// Number formatting for the UI: every figure carries its unit.

const countFormat = new Intl.NumberFormat('en-US');

export const formatCount = (n: number) => countFormat.format(n);

export { formatBytes } from '../core/format/bytes';

/** 0..1 -> "12.3%" */
export const formatPercent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;

export const formatShape = (shape: (number | null)[]) => `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;

export const formatMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A metric as shown: accuracy and fidelity as a percentage, a mean absolute error as a number (its own units). */
export const formatMetric = (value: number, metric: string | undefined) => (metric === 'mae' ? value.toPrecision(4) : formatPercent(value));

/** A metric's change: points for shares, a signed number for mean absolute error (where a fall is the good direction). */
export const formatMetricChange = (delta: number, metric: string | undefined) =>
  `${delta >= 0 ? '+' : '−'}${metric === 'mae' ? Math.abs(delta).toPrecision(3) : `${Math.abs(delta * 100).toFixed(1)} pts`}`;

/** Whether a change of the metric is an improvement. */
export const metricImproved = (delta: number, metric: string | undefined) => (metric === 'mae' ? delta <= 0 : delta >= 0);
