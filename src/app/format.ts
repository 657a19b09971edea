// Number formatting for the UI: every figure carries its unit.

const countFormat = new Intl.NumberFormat('en-US');

export const formatCount = (n: number) => countFormat.format(n);

export { formatBytes } from '../core/format/bytes';

/** 0..1 -> "12.3%" */
export const formatPercent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;

export const formatShape = (shape: (number | null)[]) => `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;

export const formatMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
