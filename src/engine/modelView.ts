// The summary the page shows of the live model: the layer table (structure, weights, MACs) and the
// pruning view of every prunable layer (its channel group and what is kept, or why it is locked;
// whether N:M applies). Plain data.
import type * as tf from '@tensorflow/tfjs';
import { DISTINCT_LIMIT, type ModelSummary, type PrunableLayer } from './api';
import { distinctUpTo } from '../core/compress/clusterModel';
import { findVariable } from '../core/prune/masks';
import type { ChannelPlan, DependencyGraph } from '../core/graph/dependencyGraph';
import type { ModelCounts } from '../core/graph/macs';
import { listPrunableTensors } from '../core/graph/prunable';
import { modelStats } from '../core/graph/summary';
import { nmSkipReason } from '../core/prune';

export type ModelView = Omit<ModelSummary, 'id' | 'name' | 'source'>;

/**
 * `model` with its counts, the dependency graph of its starting point, and the channel plan that
 * made it from there (when channels were removed).
 */
export async function modelView(model: tf.LayersModel, counts: ModelCounts, dep: DependencyGraph, plan: ChannelPlan | undefined): Promise<ModelView> {
  const stats = await modelStats(model);
  const layers = stats.layers.map((l) => ({ ...l, ...rowMacs(l.name, l.nested ?? false, counts.layers) }));
  const t = counts.totals;
  return {
    ...stats,
    layers,
    totals: {
      ...stats.totals,
      prunableParams: t.prunableParams,
      prunableNonzero: t.prunableNonzero,
      prunableSparsity: t.prunableSparsity,
      macs: t.macs,
      nonzeroMacs: t.nonzeroMacs,
    },
    prunable: prunableLayers(model, counts.layers, dep, plan, await distinctByLayer(model)),
  };
}

/** A layer's MACs; a nested model's are its inner layers' sum (null when one of them is unknown). */
function rowMacs(path: string, nested: boolean, counts: ModelCounts['layers']): Pick<ModelView['layers'][number], 'macs' | 'nonzeroMacs'> {
  const rows = nested ? counts.filter((c) => c.path.startsWith(`${path}/`)) : counts.filter((c) => c.path === path);
  if (rows.length === 0 || rows.some((c) => c.macs === null || c.nonzeroMacs === null)) return { macs: null, nonzeroMacs: null };
  return { macs: rows.reduce((n, c) => n + c.macs!, 0), nonzeroMacs: rows.reduce((n, c) => n + c.nonzeroMacs!, 0) };
}

/** Layer path -> distinct values of its kernel (the most of its kernels), null past DISTINCT_LIMIT. */
async function distinctByLayer(model: tf.LayersModel): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const t of listPrunableTensors(model)) {
    const v = findVariable(model, t.layerPath, t.weight);
    if (!v) continue;
    const n = distinctUpTo((await v.read().data()) as Float32Array, DISTINCT_LIMIT);
    const prev = out.get(t.layerPath);
    out.set(t.layerPath, prev === undefined ? n : prev === null || n === null ? null : Math.max(prev, n));
  }
  return out;
}

/** Before the original model is measured: the layer table alone, without MACs or the pruning view. */
export async function unmeasuredView(model: tf.LayersModel): Promise<ModelView> {
  const stats = await modelStats(model);
  return {
    ...stats,
    layers: stats.layers.map((l) => ({ ...l, macs: null, nonzeroMacs: null })),
    totals: { ...stats.totals, prunableParams: 0, prunableNonzero: 0, prunableSparsity: 0, macs: 0, nonzeroMacs: 0 },
    prunable: [],
  };
}

function prunableLayers(
  model: tf.LayersModel, counts: ModelCounts['layers'], dep: DependencyGraph, plan: ChannelPlan | undefined, distinct: ReadonlyMap<string, number | null>,
): PrunableLayer[] {
  const lockOf = new Map(dep.locked.map((l) => [l.path, l.reason]));
  const tensors = listPrunableTensors(model);
  const nmSkipOf = new Map<string, string>();
  for (const t of tensors) {
    // The 4:8 rule is the stricter one; a 2:4-only layer (input of 4..7) is rare enough to say 4:8.
    const reason = nmSkipReason(t, 4);
    if (reason) nmSkipOf.set(t.layerPath, reason);
  }
  const paths = [...new Set(tensors.map((t) => t.layerPath))];
  return paths.map((path) => {
    const c = counts.find((l) => l.path === path);
    const params = c?.prunableParams ?? 0;
    const nonzero = c?.prunableNonzero ?? 0;
    const g = dep.groups.find((x) => !x.locked && x.producers.includes(path));
    const kept = g ? (plan?.[g.id] ? plan[g.id].reduce((n, k) => n + k, 0) : g.channels) : 0;
    return {
      path,
      className: c?.className ?? tensors.find((t) => t.layerPath === path)!.layerClass,
      params,
      nonzero,
      sparsity: params ? 1 - nonzero / params : 0,
      group: g ? { id: g.id, producers: [...g.producers], channels: g.channels, kept } : null,
      channelLock: g ? null : (lockOf.get(path) ?? dep.groups.find((x) => x.producers.includes(path))?.locked ?? 'its channels are not produced here'),
      nmSkip: nmSkipOf.get(path) ?? null,
      distinct: distinct.get(path) ?? null,
    };
  });
}
