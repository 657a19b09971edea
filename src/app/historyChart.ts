// What the accuracy-vs-size chart plots: pure functions over history points, no React.
import type { HistoryPoint, StepKind } from '../engine/api';

export type SizeAxis = 'nonzero' | 'gzip' | 'params' | 'macs';

export const SIZE_AXES: Record<SizeAxis, { label: string; short: string; of: (p: HistoryPoint) => number; tick?: (n: number) => string }> = {
  nonzero: { label: 'Nonzero parameters', short: 'nonzero params', of: (p) => p.nonzero },
  gzip: { label: 'Export size, float32 gzipped (KB)', short: 'gzip KB', of: (p) => p.gzipBytes, tick: (n) => `${compactCount(n / 1024)}` },
  params: { label: 'Parameters (after channel removal)', short: 'params', of: (p) => p.params },
  macs: { label: 'MACs per example (nonzero weights)', short: 'MACs', of: (p) => p.nonzeroMacs },
};

export interface ChartPoint {
  id: number;
  /** Position in the history list (0 = original). */
  step: number;
  kind: StepKind;
  label: string;
  x: number;
  /** Metric in percent. */
  y: number;
  current: boolean;
}

export function chartPoints(history: readonly HistoryPoint[], axis: SizeAxis, currentId: number | null): ChartPoint[] {
  return history.map((p, step) => ({
    id: p.id, step, kind: p.kind, label: step === 0 ? 'Original model' : `${step}. ${p.label}`,
    x: SIZE_AXES[axis].of(p), y: p.metric.value * 100, current: p.id === currentId,
  }));
}

/**
 * The points no other point beats on both counts (smaller or equal size and higher or equal metric,
 * better on one), ordered by size: the best metric reachable at each size so far.
 */
export function paretoFrontier(points: readonly ChartPoint[]): ChartPoint[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
  const out: ChartPoint[] = [];
  for (const p of sorted) if (out.length === 0 || p.y > out[out.length - 1].y) out.push(p);
  return out;
}

/** Axis tick text: 1.2M, 35k, 640. */
export function compactCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}

/** A y range in whole steps of 1, 2, 5, 10 or 20 points around the values, with at most 6 ticks. */
export function percentTicks(values: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const step = [1, 2, 5, 10, 20].find((s) => (Math.ceil(hi / s) - Math.floor(lo / s)) <= 5) ?? 25;
  const from = Math.max(0, (Math.floor(lo / step) - (lo % step === 0 ? 1 : 0)) * step);
  const to = Math.min(100, Math.ceil(hi / step) * step + (hi % step === 0 ? step : 0));
  const ticks: number[] = [];
  for (let t = from; t <= to + 1e-9; t += step) ticks.push(t);
  return { domain: [from, to], ticks };
}
