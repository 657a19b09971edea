// One call from the studio's controls to masks: criterion (magnitude / random / taylor) x
// granularity (unstructured / 2:4 / 4:8 / channels) x target (global or per layer). It only composes
// the modules next to it; the engine may call them directly instead.
import type * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph, type ChannelPlan, type DependencyGraph } from '../graph/dependencyGraph';
import { listPrunableTensors } from '../graph/prunable';
import { channelImportance } from './channelImportance';
import { channelMasks } from './channelMasks';
import { selectChannels } from './channelSelection';
import { importanceScores, MERGE_NEEDS_CHANNELS, type Criterion, type TaylorOptions } from './importance';
import { maskStats, type MaskSet, type MaskStats } from './masks';
import { nmMasks } from './nm';
import { unstructuredMasks, type SparsityTarget } from './unstructured';
import { planUnitMerges, type MergePlan, type UnitMergeResult } from './unitMerging';

export type Granularity = 'unstructured' | '2:4' | '4:8' | 'channels';

export interface PruneRequest {
  granularity: Granularity;
  criterion: Criterion;
  /**
   * unstructured: fraction of prunable weights; channels: fraction of channels (per layer: keyed by
   * the layer path of a group's producer). Ignored by 2:4 and 4:8, which are always 50%.
   */
  target: SparsityTarget;
  /** Layer paths taking part (default: every prunable layer). */
  layers?: readonly string[];
  /** Random criterion seed (default 1). */
  seed?: number;
  /** Calibration data for 'taylor'. */
  taylor?: TaylorOptions;
  /** Channel magnitude norm (default 'l1'). */
  channelNorm?: 'l1' | 'l2';
}

export interface PruneResult {
  masks: MaskSet;
  /** channels only: which channels go; pass it to removeChannels to shrink the model for real. */
  channelPlan?: ChannelPlan;
  /** channels only: the dependency graph the plan refers to (pass it to removeChannels too). */
  dependencies?: DependencyGraph;
  /** channels with the merge criterion: apply them (applyUnitMerges) before removeChannels. */
  merges?: MergePlan;
  /** What was left alone and why: N:M not applicable, locked channel groups. Keys are weight keys or group ids. */
  skipped: { key: string; reason: string }[];
  stats: MaskStats;
}

export async function computePruning(model: tf.LayersModel, request: PruneRequest, dependencies?: DependencyGraph): Promise<PruneResult> {
  const selected = (path: string) => !request.layers || request.layers.includes(path);
  if (request.granularity === 'channels') {
    const dep = dependencies ?? buildDependencyGraph(model);
    if (request.criterion === 'merge') return finishMerge(model, dep, await planUnitMerges(model, dep, groupRatios(dep, request, selected)));
    const criterion = request.criterion === 'magnitude' ? (request.channelNorm ?? 'l1') : request.criterion;
    const scores = await channelImportance(model, dep, { criterion, seed: request.seed, taylor: request.taylor });
    const open = new Set(dep.groups.filter((g) => !g.locked && g.producers.some(selected)));
    if (request.target.kind === 'global') {
      // One ranking over the selected groups only: the others are treated as locked here.
      const subset: DependencyGraph = { ...dep, groups: dep.groups.map((g) => (open.has(g) ? g : { ...g, locked: g.locked ?? 'not selected' })) };
      return finishChannels(model, dep, selectChannels(subset, scores, { kind: 'global', ratio: request.target.sparsity }));
    }
    return finishChannels(model, dep, selectChannels(dep, scores, { kind: 'perGroup', ratio: groupRatios(dep, request, selected) }));
  }
  if (request.criterion === 'merge') throw new Error(MERGE_NEEDS_CHANNELS);

  const tensors = listPrunableTensors(model).filter((t) => selected(t.layerPath));
  const scores = await importanceScores(model, tensors, { criterion: request.criterion, seed: request.seed, taylor: request.taylor });
  if (request.granularity === 'unstructured') {
    const masks = unstructuredMasks(tensors, scores, request.target);
    return { masks, skipped: [], stats: maskStats(masks) };
  }
  const [n, m] = request.granularity === '2:4' ? [2, 4] : [4, 8];
  const { masks, skipped } = nmMasks(tensors, scores, { n, m });
  return { masks, skipped, stats: maskStats(masks) };
}

function finishChannels(model: tf.LayersModel, dep: DependencyGraph, plan: ChannelPlan): PruneResult {
  const masks = channelMasks(model, dep, plan);
  const skipped = dep.groups.filter((g) => g.locked).map((g) => ({ key: g.id, reason: g.locked as string }));
  return { masks, channelPlan: plan, dependencies: dep, skipped, stats: maskStats(masks) };
}

/**
 * Group id -> fraction of its channels, for the unlocked groups with a selected producer: a per-layer
 * target by group id or the largest of its producers'; a global target the same fraction everywhere
 * (merging has no ranking across groups).
 */
function groupRatios(dep: DependencyGraph, request: PruneRequest, selected: (path: string) => boolean): Record<string, number> {
  const ratio: Record<string, number> = {};
  for (const g of dep.groups) {
    if (g.locked || !g.producers.some(selected)) continue;
    if (request.target.kind === 'global') ratio[g.id] = request.target.sparsity;
    else {
      const per = request.target.sparsity;
      ratio[g.id] = per[g.id] ?? Math.max(0, ...g.producers.map((p) => per[p] ?? 0));
    }
  }
  return ratio;
}

function finishMerge(model: tf.LayersModel, dep: DependencyGraph, r: UnitMergeResult): PruneResult {
  const masks = channelMasks(model, dep, r.plan);
  return { masks, channelPlan: r.plan, dependencies: dep, merges: r.merges, skipped: r.skipped, stats: maskStats(masks) };
}
