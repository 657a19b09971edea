// One layer's |w| distribution over the history, as TensorBoard's "offset" view draws it: one row per
// step, every row on the same log-spaced bins (the original model's range), so a row shows what the
// step did to that layer. Each step's histograms are a WeightsOverview (weightsOverview.ts) measured on
// that shared range; this picks one layer out of them and scales the rows together. Plain data.
import type { WeightsOverview } from './weightsOverview';

/** A history step's histograms of every prunable layer, on the timeline's shared range. */
export interface TimelineStep {
  pointId: number;
  overview: WeightsOverview;
}

/** The histograms of some history steps, all on one range. */
export interface WeightsTimeline {
  /** The |w| range every step's bins span: the original model's. */
  range: [number, number];
  steps: TimelineStep[];
}

/** One step of one layer. */
export interface TimelineRow {
  pointId: number;
  params: number;
  zeros: number;
  /** zeros / params (0 for an empty layer). */
  sparsity: number;
  counts: Uint32Array;
}

/** The range a timeline shares: the first step's (the original model's) own log-spaced edges. */
export function timelineRange(first: WeightsOverview): [number, number] {
  return [first.edges[0], first.edges[first.edges.length - 1]];
}

/**
 * The rows of `layer`, one per step in the order given (steps where the layer does not exist are
 * left out). Every step must share the first one's bins: a row drawn on other edges would lie.
 */
export function timelineRows(steps: readonly TimelineStep[], layer: string): TimelineRow[] {
  const edges = steps[0]?.overview.edges;
  const rows: TimelineRow[] = [];
  for (const s of steps) {
    const e = s.overview.edges;
    if (edges && (e.length !== edges.length || e[0] !== edges[0] || e[e.length - 1] !== edges[edges.length - 1])) {
      throw new Error(`History step ${s.pointId} has other histogram bins than the timeline's first step`);
    }
    const l = s.overview.layers.find((x) => x.path === layer);
    if (!l) continue;
    rows.push({ pointId: s.pointId, params: l.params, zeros: l.zeros, sparsity: l.params ? l.zeros / l.params : 0, counts: l.counts });
  }
  return rows;
}

/**
 * The height scale every row shares (the largest bin of any row, zeros included, after `scale`), so a
 * row that lost weights visibly shrinks; at least 1.
 */
export function timelinePeak(rows: readonly TimelineRow[], scale: (count: number) => number = (c) => c): number {
  let top = 1;
  for (const r of rows) {
    top = Math.max(top, scale(r.zeros));
    for (const c of r.counts) top = Math.max(top, scale(c));
  }
  return top;
}

/** The layers any step has, in the first step's order (then any the later steps add). */
export function timelineLayers(steps: readonly TimelineStep[]): string[] {
  const out: string[] = [];
  for (const s of steps) for (const l of s.overview.layers) if (!out.includes(l.path)) out.push(l.path);
  return out;
}
