// Which channels to remove: per group (a ratio each) or globally (one ranking across groups).
// A ChannelPlan is plain data: group id -> keep mask over the group's channels (1 = keep).
// Every group keeps at least one channel; locked groups are never touched.
import type { ChannelPlan, DependencyGraph } from '../graph/dependencyGraph';
import type { ChannelScores } from './channelImportance';

export type { ChannelPlan };

export type ChannelTarget =
  /** Group id -> fraction of its channels to remove: exactly round(r * C), at most C - 1. */
  | { kind: 'perGroup'; ratio: Readonly<Record<string, number>> }
  /**
   * One fraction over all unlocked groups: exactly round(r * total channels) removed (fewer only when
   * the keep-one rule binds). Scores are divided by their group's mean before ranking, so groups of
   * different scale compete fairly (Torch-Pruning's "mean" normaliser).
   */
  | { kind: 'global'; ratio: number };

function clampRatio(r: number): number {
  if (!Number.isFinite(r)) throw new Error(`ratio must be a number in [0, 1], got ${r}`);
  return Math.max(0, Math.min(1, r));
}

/** Channel order to remove: ascending score, ties by lower index first (deterministic). */
function order(scores: Float64Array): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
}

export function selectChannels(dep: DependencyGraph, scores: ChannelScores, target: ChannelTarget): ChannelPlan {
  const plan: ChannelPlan = {};
  const open = dep.groups.filter((g) => !g.locked && g.channels > 0);
  for (const g of open) plan[g.id] = new Uint8Array(g.channels).fill(1);
  if (target.kind === 'perGroup') {
    for (const g of open) {
      const r = target.ratio[g.id];
      if (r === undefined) continue;
      const s = scores[g.id];
      if (!s) throw new Error(`no channel scores for group ${g.id}`);
      const remove = Math.min(g.channels - 1, Math.round(clampRatio(r) * g.channels));
      for (const c of order(s).slice(0, remove)) plan[g.id][c] = 0;
    }
    return plan;
  }
  const all: { group: string; c: number; score: number }[] = [];
  let total = 0;
  for (const g of open) {
    const s = scores[g.id];
    if (!s) throw new Error(`no channel scores for group ${g.id}`);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    for (let c = 0; c < s.length; c++) all.push({ group: g.id, c, score: mean > 0 ? s[c] / mean : s[c] });
    total += g.channels;
  }
  all.sort((a, b) => a.score - b.score || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) || a.c - b.c);
  let remove = Math.round(clampRatio(target.ratio) * total);
  const left = Object.fromEntries(open.map((g) => [g.id, g.channels]));
  for (const e of all) {
    if (remove === 0) break;
    if (left[e.group] <= 1) continue;
    plan[e.group][e.c] = 0;
    left[e.group]--;
    remove--;
  }
  return plan;
}

/** Removed channels of a plan per group, and in total. */
export function planCounts(plan: ChannelPlan): { removed: number; total: number; perGroup: Record<string, { removed: number; total: number }> } {
  const perGroup: Record<string, { removed: number; total: number }> = {};
  let removed = 0;
  let total = 0;
  for (const [id, keep] of Object.entries(plan)) {
    const r = keep.reduce((n, k) => n + (k ? 0 : 1), 0);
    perGroup[id] = { removed: r, total: keep.length };
    removed += r;
    total += keep.length;
  }
  return { removed, total, perGroup };
}
