// Data-free merging of similar units (after Srinivas & Babu, "Data-free parameter pruning for deep
// neural networks", 2015), as a channel criterion: in a dependency group (graph/dependencyGraph.ts)
// whose consumers are linear in their input channels (Dense, Conv1D/2D/3D), two units whose incoming
// weights are alike produce alike activations, so one can go and its outgoing weights be added to
// the survivor's: the consumer then sees survivor × (its weights + the removed one's), which is what
// it saw when the two were equal. With exact duplicates the outputs do not change at all.
//
//   const { plan, merges, skipped } = await planUnitMerges(model, dep, { conv1: 0.25 });
//   await applyUnitMerges(model, dep, merges);       // the consumers' kernels, in place
//   const { model: smaller } = await removeChannels(model, dep, plan);   // then remove as usual
//
// Which pairs (their saliency, as in the paper): removing unit j into unit i costs about
// ‖f_i − f_j‖² · ‖a_j‖², with f a unit's incoming weights and a its outgoing weights. Greedy: the
// cheapest pair goes first, the survivor's outgoing weights grow by the removed one's, and the next
// pair is chosen with that; a removed unit is never a survivor later. Incoming weights are the
// producers' kernel slices and biases; when a single producer is followed by BatchNormalization they
// are taken after it (w·γ/√(σ²+ε), (b − μ)·γ/√(σ²+ε) + β), since that is what the activation sees.
// Other per-channel weights on the way (depthwise kernels) are appended as they are (approximate).
// A MergePlan is plain data: group id -> merges in the order they were made.
import * as tf from '@tensorflow/tfjs';
import { axisLines } from '../graph/axisSlices';
import type { ChannelGroup, ChannelPlan, DependencyGraph, GroupMember } from '../graph/dependencyGraph';
import { walkLayers, weightKey } from '../graph/layerPaths';
import { findVariable } from './masks';

/** Unit `removed` of a group goes; its outgoing weights are added to unit `into`'s. */
export interface UnitMerge {
  removed: number;
  into: number;
}

export type MergePlan = Record<string, UnitMerge[]>;

export interface UnitMergeResult {
  /** Keep masks like any channel plan (the removed units 0): pass it to removeChannels after applyUnitMerges. */
  plan: ChannelPlan;
  merges: MergePlan;
  /** Groups left alone and why (locked, or a consumer that is not linear in its inputs). */
  skipped: { key: string; reason: string }[];
}

const LINEAR_CONSUMERS = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D']);

/** Why the group's units cannot be merged, or null when they can. */
export function mergeLock(grp: ChannelGroup): string | null {
  if (grp.locked) return grp.locked;
  const inputs = grp.members.filter((m) => m.role === 'in');
  if (inputs.length === 0) return 'its units feed no layer that could take the merged weights';
  const bad = inputs.find((m) => m.weight !== 'kernel' || !LINEAR_CONSUMERS.has(m.className));
  return bad ? `merging needs consumers linear in their inputs (Dense or convolution), and ${bad.path} is ${bad.className}` : null;
}

type Values = Map<string, { values: Float32Array; shape: number[] }>;

async function readMembers(model: tf.LayersModel, groups: readonly ChannelGroup[]): Promise<Values> {
  const out: Values = new Map();
  for (const g of groups) {
    for (const m of g.members) {
      const key = weightKey(m.path, m.weight);
      if (out.has(key)) continue;
      const v = findVariable(model, m.path, m.weight);
      if (!v) throw new Error(`unit merging: ${key}: the model has no such weight`);
      out.set(key, { values: Float32Array.from((await v.read().data()) as Float32Array), shape: v.shape.map((d) => d ?? 0) });
    }
  }
  return out;
}

/** The values of `member`'s slice for channel c, in a fixed order (index by index along its axis). */
function sliceOf(values: Values, m: GroupMember, c: number): Float64Array {
  const { values: v, shape } = values.get(weightKey(m.path, m.weight))!;
  const { outer, len, inner } = axisLines(shape, m.axis);
  const idx = m.indices[c];
  const out = new Float64Array(idx.length * outer * inner);
  let k = 0;
  for (const a of idx) for (let o = 0; o < outer; o++) {
    const base = (o * len + a) * inner;
    for (let i = 0; i < inner; i++) out[k++] = v[base + i];
  }
  return out;
}

const BN_WEIGHTS = new Set(['gamma', 'beta', 'moving_mean', 'moving_variance']);

/** Per-channel scale and shift of the BatchNorm layers a single producer's output goes through. */
function batchNormAffine(model: tf.LayersModel, grp: ChannelGroup, values: Values): { scale: Float64Array; shift: Float64Array } | null {
  const bn = grp.members.filter((m) => m.role === 'through' && m.className === 'BatchNormalization');
  const paths = [...new Set(bn.map((m) => m.path))];
  if (paths.length !== 1 || grp.producers.length !== 1) return null;
  const path = paths[0];
  const layer = walkLayers(model).find((l) => l.path === path)?.layer;
  const eps = Number((layer?.getConfig() as { epsilon?: number } | undefined)?.epsilon ?? 1e-3);
  const scale = new Float64Array(grp.channels).fill(1);
  const shift = new Float64Array(grp.channels);
  const param = (name: string, c: number, fallback: number) => {
    const m = bn.find((x) => x.weight === name);
    return m ? sliceOf(values, m, c)[0] : fallback;
  };
  for (let c = 0; c < grp.channels; c++) {
    if (bn.some((m) => m.indices[c].length !== 1)) return null;
    const s = param('gamma', c, 1) / Math.sqrt(param('moving_variance', c, 1) + eps);
    scale[c] = s;
    shift[c] = param('beta', c, 0) - param('moving_mean', c, 0) * s;
  }
  return { scale, shift };
}

/** Each unit's incoming weights as one vector (see the header). */
function incoming(model: tf.LayersModel, grp: ChannelGroup, values: Values): Float64Array[] {
  const affine = batchNormAffine(model, grp, values);
  const parts = grp.members.filter((m) => m.role === 'out' || (m.role === 'through' && !(affine && BN_WEIGHTS.has(m.weight))));
  return Array.from({ length: grp.channels }, (_, c) => {
    const slices = parts.map((m) => {
      const s = sliceOf(values, m, c);
      if (affine && m.role === 'out') {
        for (let i = 0; i < s.length; i++) s[i] *= affine.scale[c];
        // The bias goes through the mean and shift as well; a producer without bias starts at 0.
        if (m.weight === 'bias') for (let i = 0; i < s.length; i++) s[i] += affine.shift[c];
      }
      return s;
    });
    if (affine && !parts.some((m) => m.role === 'out' && m.weight === 'bias')) slices.push(Float64Array.of(affine.shift[c]));
    const out = new Float64Array(slices.reduce((n, s) => n + s.length, 0));
    let k = 0;
    for (const s of slices) {
      out.set(s, k);
      k += s.length;
    }
    return out;
  });
}

/** Squared norm of each unit's outgoing weights (every consumer's input slices). */
function outgoingNorms(grp: ChannelGroup, values: Values): Float64Array {
  const ins = grp.members.filter((m) => m.role === 'in');
  return Float64Array.from({ length: grp.channels }, (_, c) => ins.reduce((n, m) => n + sliceOf(values, m, c).reduce((a, x) => a + x * x, 0), 0));
}

/** Greedy merges of one group: `count` of them, cheapest saliency first. */
function groupMerges(model: tf.LayersModel, grp: ChannelGroup, values: Values, count: number): UnitMerge[] {
  const f = incoming(model, grp, values);
  const C = grp.channels;
  const dist = new Float64Array(C * C);
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) {
    let d = 0;
    const a = f[i];
    const b = f[j];
    for (let k = 0; k < a.length; k++) d += (a[k] - b[k]) ** 2;
    dist[i * C + j] = d;
    dist[j * C + i] = d;
  }
  // Outgoing weights of each unit as they grow with the merges (only their norms are ranked).
  const ins = grp.members.filter((m) => m.role === 'in');
  const out = Array.from({ length: C }, (_, c) => ins.map((m) => sliceOf(values, m, c)));
  const norm = outgoingNorms(grp, values);
  const alive = new Uint8Array(C).fill(1);
  const merges: UnitMerge[] = [];
  for (let n = 0; n < count; n++) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let j = 0; j < C; j++) {
      if (!alive[j]) continue;
      for (let i = 0; i < C; i++) {
        if (i === j || !alive[i]) continue;
        const s = dist[i * C + j] * norm[j];
        if (s < best || (s === best && (j < bj || (j === bj && i < bi)))) [best, bi, bj] = [s, i, j];
      }
    }
    if (bj < 0) break;
    merges.push({ removed: bj, into: bi });
    alive[bj] = 0;
    let sq = 0;
    out[bi].forEach((s, k) => {
      const r = out[bj][k];
      for (let x = 0; x < s.length; x++) {
        s[x] += r[x];
        sq += s[x] * s[x];
      }
    });
    norm[bi] = sq;
  }
  return merges;
}

/**
 * Which units to merge in each group, `ratio[group id]` of its units (exactly round(r × C), at most
 * C − 1, like channel removal); groups without a ratio keep every unit.
 */
export async function planUnitMerges(model: tf.LayersModel, dep: DependencyGraph, ratio: Readonly<Record<string, number>>): Promise<UnitMergeResult> {
  const plan: ChannelPlan = {};
  const merges: MergePlan = {};
  const skipped: { key: string; reason: string }[] = [];
  const open: ChannelGroup[] = [];
  for (const g of dep.groups) {
    const lock = mergeLock(g);
    if (lock) skipped.push({ key: g.id, reason: lock });
    else if (g.channels > 0) open.push(g);
  }
  const values = await readMembers(model, open.filter((g) => (ratio[g.id] ?? 0) > 0));
  for (const g of open) {
    plan[g.id] = new Uint8Array(g.channels).fill(1);
    const r = ratio[g.id] ?? 0;
    if (!Number.isFinite(r)) throw new Error(`ratio must be a number in [0, 1], got ${r}`);
    const count = Math.min(g.channels - 1, Math.round(Math.max(0, Math.min(1, r)) * g.channels));
    if (count === 0) continue;
    merges[g.id] = groupMerges(model, g, values, count);
    for (const m of merges[g.id]) plan[g.id][m.removed] = 0;
  }
  return { plan, merges, skipped };
}

/**
 * Adds each removed unit's outgoing weights to its survivor's in every consumer's kernel and zeroes
 * the removed unit's (so that removing it afterwards changes nothing more). In place, on live variables.
 */
export async function applyUnitMerges(model: tf.LayersModel, dep: DependencyGraph, merges: MergePlan): Promise<void> {
  for (const [id, list] of Object.entries(merges)) {
    if (list.length === 0) continue;
    const grp = dep.groups.find((g) => g.id === id);
    if (!grp) throw new Error(`unit merging: no channel group ${id}`);
    const lock = mergeLock(grp);
    if (lock) throw new Error(`unit merging: group ${id} cannot be merged: ${lock}`);
    for (const m of grp.members.filter((x) => x.role === 'in')) {
      const v = findVariable(model, m.path, m.weight);
      if (!v) throw new Error(`unit merging: ${m.path}/${m.weight}: the model has no such weight`);
      const shape = v.shape.map((d) => d ?? 0);
      const values = Float32Array.from((await v.read().data()) as Float32Array);
      const { outer, len, inner } = axisLines(shape, m.axis);
      for (const { removed, into } of list) {
        const from = m.indices[removed];
        const to = m.indices[into];
        if (!from || !to || from.length !== to.length) throw new Error(`unit merging: group ${id} has no units ${removed} and ${into} to merge`);
        from.forEach((a, j) => {
          const b = to[j];
          for (let o = 0; o < outer; o++) {
            const fa = (o * len + a) * inner;
            const fb = (o * len + b) * inner;
            for (let i = 0; i < inner; i++) {
              values[fb + i] += values[fa + i];
              values[fa + i] = 0;
            }
          }
        });
      }
      const t = tf.tensor(values, shape);
      v.write(t);
      t.dispose();
    }
  }
}
