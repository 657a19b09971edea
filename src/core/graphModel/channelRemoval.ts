// Channels of a graph model, chosen, masked and removed for real, over the groups of channelGroups.ts.
//
//   const groups = graphChannelGroups(analysis, data.weights, data.info.outputs);
//   const scores = graphChannelScores(data, groups, 'magnitude' | 'l2' | 'random');
//   const plan   = selectGraphChannels(groups, scores, { kind: 'global', ratio: 0.3 } | { kind: 'perGroup', ratio: { conv1: 0.5 } });
//   const masked = maskGraphChannels(data, groups, plan);    // same shapes, the channels zeroed
//   const { data: smaller, report } = removeGraphChannels(data, groups, plan);
// `smaller` and `masked` give the same outputs (tested to 1e-5): every slice of a removed channel goes
// from every constant that holds one (kernels, biases, batch norms, depthwise kernels, the next
// layer's input rows), and the Const nodes' recorded shapes follow. The plan is plain data (group id
// -> keep mask, 1 = keep), as on the Layers side; every group keeps at least one channel.
import type { ChannelPlan } from '../graph/dependencyGraph';
import { mulberry32 } from '../data/seededRandom';
import type { Criterion } from '../prune/importance';
import type { ChannelTarget } from '../prune/channelSelection';
import type { GraphDef, NodeDef } from './graphDef';
import type { GraphModelData } from './graphModelData';
import { TAYLOR_NEEDS_GRADIENTS } from './graphPruning';
import { sizeOf, type GraphWeight } from './graphWeights';
import type { ChannelMember, GraphChannelGroup } from './channelGroups';

export type { ChannelPlan, ChannelTarget };

/** Group id -> one score per channel; higher = more important. */
export type GraphChannelScores = Record<string, Float64Array>;

/** The entries along `m.axis` of channel c: c*width .. c*width+width-1. */
function forEachEntry(w: GraphWeight, m: ChannelMember, channels: (c: number) => boolean, visit: (flat: number, c: number) => void): void {
  const shape = w.shape;
  let inner = 1;
  for (let i = m.axis + 1; i < shape.length; i++) inner *= shape[i];
  const len = shape[m.axis];
  const outer = sizeOf(shape) / (len * inner);
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < len; a++) {
      const c = Math.floor(a / m.width);
      if (!channels(c)) continue;
      const base = (o * len + a) * inner;
      for (let i = 0; i < inner; i++) visit(base + i, c);
    }
  }
}

/**
 * Channel importance: 'magnitude' (= L1) or 'l2' over the group's kernel slices (the producer's
 * filters, depthwise kernels, the consumers' input rows; biases and statistics do not count), or
 * seeded 'random'. Taylor needs gradients a graph model does not have: TAYLOR_NEEDS_GRADIENTS.
 */
export function graphChannelScores(data: GraphModelData, groups: readonly GraphChannelGroup[], criterion: Criterion | 'l1' | 'l2', seed = 1): GraphChannelScores {
  if (criterion === 'taylor') throw new Error(TAYLOR_NEEDS_GRADIENTS);
  const weights = new Map(data.weights.map((w) => [w.name, w]));
  const out: GraphChannelScores = {};
  for (const g of groups) {
    if (g.locked) continue;
    const s = new Float64Array(g.channels);
    if (criterion === 'random') {
      let h = seed >>> 0;
      for (let i = 0; i < g.id.length; i++) h = Math.imul(h ^ g.id.charCodeAt(i), 0x01000193) >>> 0;
      const next = mulberry32(h);
      for (let c = 0; c < s.length; c++) s[c] = next();
    } else {
      for (const m of g.members) {
        if (!m.kernel) continue;
        const w = weights.get(m.weight) as GraphWeight;
        forEachEntry(w, m, () => true, (i, c) => {
          const v = w.values[i];
          s[c] += criterion === 'l2' ? v * v : Math.abs(v);
        });
      }
      if (criterion === 'l2') for (let c = 0; c < s.length; c++) s[c] = Math.sqrt(s[c]);
    }
    out[g.id] = s;
  }
  return out;
}

const clampRatio = (r: number) => {
  if (!Number.isFinite(r)) throw new Error(`ratio must be a number in [0, 1], got ${r}`);
  return Math.max(0, Math.min(1, r));
};

/** Which channels go: per group, or one ranking over every open group (scores divided by their group's mean). */
export function selectGraphChannels(groups: readonly GraphChannelGroup[], scores: GraphChannelScores, target: ChannelTarget): ChannelPlan {
  const open = groups.filter((g) => !g.locked && g.channels > 1);
  const plan: ChannelPlan = {};
  for (const g of open) plan[g.id] = new Uint8Array(g.channels).fill(1);
  const scoreOf = (g: GraphChannelGroup) => {
    const s = scores[g.id];
    if (!s) throw new Error(`no channel scores for group ${g.id}`);
    return s;
  };
  const entries: { group: string; c: number; score: number }[] = [];
  let remove = 0;
  if (target.kind === 'perGroup') {
    for (const g of open) {
      const r = target.ratio[g.id];
      if (r === undefined) continue;
      const s = scoreOf(g);
      const order = Array.from(s.keys()).sort((a, b) => s[a] - s[b] || a - b);
      for (const c of order.slice(0, Math.min(g.channels - 1, Math.round(clampRatio(r) * g.channels)))) plan[g.id][c] = 0;
    }
    return plan;
  }
  let total = 0;
  for (const g of open) {
    const s = scoreOf(g);
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    for (let c = 0; c < s.length; c++) entries.push({ group: g.id, c, score: mean > 0 ? s[c] / mean : s[c] });
    total += g.channels;
  }
  entries.sort((a, b) => a.score - b.score || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) || a.c - b.c);
  remove = Math.round(clampRatio(target.ratio) * total);
  const left = new Map(open.map((g) => [g.id, g.channels]));
  for (const e of entries) {
    if (remove === 0) break;
    if ((left.get(e.group) as number) <= 1) continue;
    plan[e.group][e.c] = 0;
    left.set(e.group, (left.get(e.group) as number) - 1);
    remove--;
  }
  return plan;
}

function planGroups(groups: readonly GraphChannelGroup[], plan: ChannelPlan): { group: GraphChannelGroup; keep: Uint8Array }[] {
  const byId = new Map(groups.map((g) => [g.id, g]));
  return Object.entries(plan).map(([id, keep]) => {
    const group = byId.get(id);
    if (!group) throw new Error(`channel plan names ${id}, which is no channel group of the model`);
    if (group.locked) throw new Error(`channel group ${id} is locked: ${group.locked}`);
    if (keep.length !== group.channels) throw new Error(`channel plan for ${id} has ${keep.length} entries, the group ${group.channels} channels`);
    if (!keep.some((k) => k)) throw new Error(`channel plan for ${id} removes every channel; at least one must stay`);
    return { group, keep };
  });
}

/** The same model with every slice of the removed channels set to 0 (batch-norm mean and variance left alone). */
export function maskGraphChannels(data: GraphModelData, groups: readonly GraphChannelGroup[], plan: ChannelPlan): GraphModelData {
  const copies = new Map<string, GraphWeight>();
  const current = (name: string) => copies.get(name) ?? (data.weights.find((w) => w.name === name) as GraphWeight);
  for (const { group, keep } of planGroups(groups, plan)) {
    for (const m of group.members) {
      if (!m.zero) continue;
      const w = current(m.weight);
      const values = copies.has(m.weight) ? w.values : Float32Array.from(w.values as Float32Array);
      forEachEntry(w, m, (c) => keep[c] === 0, (i) => {
        values[i] = 0;
      });
      copies.set(m.weight, { ...w, values });
    }
  }
  return { ...data, weights: data.weights.map((w) => copies.get(w.name) ?? w) };
}

function sliceWeight(w: GraphWeight, m: ChannelMember, keep: Uint8Array): GraphWeight {
  const kept = Array.from({ length: w.shape[m.axis] }, (_, a) => keep[Math.floor(a / m.width)] === 1);
  const shape = [...w.shape];
  shape[m.axis] = kept.filter(Boolean).length;
  const values = new Float32Array(sizeOf(shape));
  let inner = 1;
  for (let i = m.axis + 1; i < w.shape.length; i++) inner *= w.shape[i];
  const len = w.shape[m.axis];
  const outer = sizeOf(w.shape) / (len * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < len; a++) {
      if (!kept[a]) continue;
      const base = (o * len + a) * inner;
      for (let i = 0; i < inner; i++) values[k++] = w.values[base + i];
    }
  }
  return { ...w, shape, values };
}

export interface ChannelRemovalReport {
  /** Group id -> channels removed, of how many. */
  removed: Record<string, { removed: number; total: number }>;
  paramsBefore: number;
  paramsAfter: number;
  /** Constants whose shapes changed. */
  reshaped: string[];
}

/** The Const node with its recorded tensor shape replaced. */
function withShape(node: NodeDef, shape: number[]): NodeDef {
  const value = node.attr?.value;
  if (!value?.tensor) return node;
  return { ...node, attr: { ...node.attr, value: { ...value, tensor: { ...value.tensor, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } } };
}

/** A smaller model: the removed channels' slices cut out of every constant, the Const shapes updated. */
export function removeGraphChannels(data: GraphModelData, groups: readonly GraphChannelGroup[], plan: ChannelPlan): { data: GraphModelData; report: ChannelRemovalReport } {
  const changed = new Map<string, GraphWeight>();
  const removed: ChannelRemovalReport['removed'] = {};
  for (const { group, keep } of planGroups(groups, plan)) {
    const count = keep.reduce((n, k) => n + (k ? 0 : 1), 0);
    removed[group.id] = { removed: count, total: keep.length };
    if (count === 0) continue;
    for (const m of group.members) {
      const w = changed.get(m.weight) ?? (data.weights.find((x) => x.name === m.weight) as GraphWeight);
      changed.set(m.weight, sliceWeight(w, m, keep));
    }
  }
  const weights = data.weights.map((w) => changed.get(w.name) ?? w);
  const topology: GraphDef = { ...data.topology, node: data.topology.node.map((n) => (n.op === 'Const' && changed.has(n.name) ? withShape(n, (changed.get(n.name) as GraphWeight).shape) : n)) };
  const count = (ws: readonly GraphWeight[]) => ws.reduce((n, w) => n + w.values.length, 0);
  return {
    data: { ...data, topology, weights },
    report: { removed, paramsBefore: count(data.weights), paramsAfter: count(weights), reshaped: [...changed.keys()] },
  };
}
