// The studio's working state for one loaded graph model (a TF.js model converted from a SavedModel):
// the history of its points and the live tf.GraphModel, which is always exactly what the current
// point describes. The graph-model side of pruningSession.ts, without training: a graph has no fit,
// so every point is the original or a prune of it (the original is every step's starting point).
//
// A point keeps its whole GraphModelData (the graph and its weights as plain arrays); a prune copies
// only the kernels it changes, the others are shared. Moving a slider prunes the original again with
// the new settings, so lowering a target brings weights back. A failed or cancelled step leaves the
// live model and the current point as they were. Domain logic lives in core/graphModel.
import type * as tf from '@tensorflow/tfjs';
import { DISTINCT_LIMIT, type EvalResult, type HistoryPoint, type PrunableLayer, type PruneSettings, type StepKind } from './api';
import { progressBetween, type JobControl } from '../core/job';
import {
  applyGraphMasks, computeGraphPruning, float32Weights, graphChannelGroups, graphChannelScores, graphModelStats, graphNMSkipReason, groupLayers,
  inferShapes, loadGraphModelData, removeGraphChannels, selectGraphChannels, shapeNodes,
  type ChannelPlan, type ChannelTarget, type GraphAnalysis, type GraphChannelGroup, type GraphModelData, type GraphModelStats,
} from '../core/graphModel';
import { gzipBytes } from '../core/metrics/sizes';
import { distinctUpTo } from '../core/compress/clusterModel';
import type { SparsityTarget } from '../core/prune/unstructured';
import type { ModelView } from './modelView';
import { describeSettings } from './stepLabels';
import type { GraphTask } from './graphTask';

/** What the summary and a point's counts read from a point's model (computed once per point). */
interface PointFacts {
  analysis: GraphAnalysis;
  stats: GraphModelStats;
  gzipBytes: number;
}

interface GraphPoint {
  view: HistoryPoint;
  data: GraphModelData;
  /** Channel prunes: group id -> keep mask. */
  channelPlan?: ChannelPlan;
  facts: PointFacts;
}

export const MERGE_NEEDS_LAYERS = 'Merging similar units works on Layers models only: on a graph model, channels are removed (magnitude or random).';

/** A per-layer target of channel fractions as a per-group one: each group takes the largest fraction of its producers. */
function channelTarget(groups: readonly GraphChannelGroup[], target: SparsityTarget): ChannelTarget {
  if (target.kind === 'global') return { kind: 'global', ratio: target.sparsity };
  const ratio: Record<string, number> = {};
  for (const g of groups) {
    if (g.locked) continue;
    const r = Math.max(0, ...g.producers.map((p) => target.sparsity[p] ?? 0));
    if (r > 0) ratio[g.id] = r;
  }
  return { kind: 'perGroup', ratio };
}

export class GraphSession {
  private readonly points = new Map<number, GraphPoint>();
  private nextId = 0;
  private currentId = 0;
  /** Channel groups of the original (every prune starts there). */
  readonly groups: GraphChannelGroup[];

  private constructor(private liveModel: tf.GraphModel, readonly task: GraphTask, original: GraphModelData, facts: PointFacts) {
    this.groups = graphChannelGroups(facts.analysis, original.weights, original.info.outputs);
  }

  /** Takes ownership of `model` (the graph of `data`) and `task`; the original point gets `metric` (measured by the caller). */
  static async start(data: GraphModelData, model: tf.GraphModel, task: GraphTask, metric: EvalResult): Promise<GraphSession> {
    const facts = await pointFacts(data, model);
    const session = new GraphSession(model, task, data, facts);
    session.add(data, facts, null, 'original', 'Original model', null, metric, [], 0);
    return session;
  }

  /** The live tf.GraphModel (the current point's); never dispose it. */
  get model(): tf.GraphModel {
    return this.liveModel;
  }

  /** The current point's graph and weights. */
  get data(): GraphModelData {
    return this.point(this.currentId).data;
  }

  get originalData(): GraphModelData {
    return this.point(0).data;
  }

  get current(): HistoryPoint {
    return this.point(this.currentId).view;
  }

  get original(): HistoryPoint {
    return this.point(0).view;
  }

  /** The original's analysis (layers and constants): what every prune selects from. */
  get analysis(): GraphAnalysis {
    return this.point(0).facts.analysis;
  }

  /** The original's layer table and counts (what a scan's MAC figures come from). */
  get originalStats(): GraphModelStats {
    return this.point(0).facts.stats;
  }

  /** The current point's analysis (kernel shapes follow a channel removal). */
  get liveAnalysis(): GraphAnalysis {
    return this.point(this.currentId).facts.analysis;
  }

  history(): HistoryPoint[] {
    return [...this.points.values()].map((p) => p.view);
  }

  /** The steps from the original model to the current one, oldest first (an export's recipe). */
  recipe(): { kind: StepKind; label: string; settings: PruneSettings | null; metric: EvalResult }[] {
    const chain: HistoryPoint[] = [];
    for (let id: number | null = this.currentId; id !== null; id = this.point(id).view.parentId) chain.push(this.point(id).view);
    return chain.reverse().map((p) => ({ kind: p.kind, label: p.label, settings: p.settings, metric: p.metric }));
  }

  /** Bytes the history's weights take in memory (shared arrays counted once). */
  memoryBytes(): number {
    const seen = new Set<ArrayBufferView>();
    let n = 0;
    for (const p of this.points.values()) {
      for (const w of p.data.weights) {
        if (seen.has(w.values)) continue;
        seen.add(w.values);
        n += w.values.byteLength;
      }
    }
    return n;
  }

  /** The original pruned with `settings` (nothing is measured, nothing becomes current); the caller owns nothing. */
  pruned(settings: PruneSettings): { data: GraphModelData; skipped: HistoryPoint['skipped']; channelPlan?: ChannelPlan } {
    const base = this.originalData;
    if (settings.granularity === 'channels') {
      if (settings.criterion === 'merge') throw new Error(MERGE_NEEDS_LAYERS);
      const criterion = settings.criterion === 'magnitude' ? (settings.channelNorm ?? 'l1') : settings.criterion;
      const plan = selectGraphChannels(this.groups, graphChannelScores(base, this.groups, criterion), channelTarget(this.groups, settings.target));
      const skipped = this.groups.filter((g) => g.locked).map((g) => ({ key: g.id, reason: g.locked as string }));
      return { data: removeGraphChannels(base, this.groups, plan).data, skipped, channelPlan: plan };
    }
    if (settings.criterion === 'merge') throw new Error(MERGE_NEEDS_LAYERS);
    const r = computeGraphPruning(base, this.analysis, { granularity: settings.granularity, criterion: settings.criterion, target: settings.target });
    return { data: applyGraphMasks(base, r.masks), skipped: r.skipped };
  }

  /** Prunes the original with `settings`; the new point becomes current. */
  async prune(settings: PruneSettings, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    await control.checkpoint(0.05, 'Scoring weights');
    const { data, skipped, channelPlan } = this.pruned(settings);
    await control.checkpoint(0.2, 'Building the pruned graph');
    const model = await loadGraphModelData(data);
    try {
      await control.checkpoint(0.3, 'Evaluating');
      const metric = await this.task.evaluate(model, progressBetween(control, 0.3, 0.9), true);
      const facts = await pointFacts(data, model);
      this.swapLive(model);
      return this.add(data, facts, this.currentId, 'prune', describeSettings(settings), settings, metric, skipped, performance.now() - t0, channelPlan);
    } catch (e) {
      if (model !== this.liveModel) model.dispose();
      throw e;
    }
  }

  /** Makes a point current again and rebuilds the live model for it. */
  async restore(id: number): Promise<HistoryPoint> {
    const p = this.point(id);
    if (id !== this.currentId) {
      this.swapLive(await loadGraphModelData(p.data));
      this.currentId = id;
    }
    return p.view;
  }

  /** Throws for an id that is not in the history. */
  check(id: number): void {
    this.point(id);
  }

  /** The layer table and the pruning view of the current point. */
  summary(): ModelView {
    const p = this.point(this.currentId);
    const { stats, analysis } = p.facts;
    const layers = new Map(analysis.layers.map((l) => [l.name, l]));
    const weights = new Map(p.data.weights.map((w) => [w.name, w]));
    const prunable: PrunableLayer[] = stats.layers.filter((r) => r.kind === 'layer' && r.prunable).map((r) => {
      const layer = layers.get(r.name)!;
      const g = this.groups.find((x) => x.producers.includes(r.name));
      const open = g && !g.locked ? g : null;
      const kept = open ? (p.channelPlan?.[open.id] ? p.channelPlan[open.id].reduce((n, k) => n + k, 0) : open.channels) : 0;
      return {
        path: r.name,
        className: r.className,
        params: r.prunableParams,
        nonzero: r.prunableNonzero,
        sparsity: r.prunableParams ? 1 - r.prunableNonzero / r.prunableParams : 0,
        group: open ? { id: open.id, producers: [...open.producers], channels: open.channels, kept } : null,
        channelLock: open ? null : (g?.locked ?? 'its channels are not produced by a layer the studio can slice'),
        nmSkip: graphNMSkipReason(layer, 4),
        distinct: distinctUpTo(weights.get(layer.kernel.name)?.values ?? [], DISTINCT_LIMIT),
      };
    });
    return {
      inputShape: stats.inputShape,
      outputShape: stats.outputShape,
      layers: stats.layers,
      totals: stats.totals,
      prunable,
      modelKind: 'graph',
    };
  }

  dispose(): void {
    this.liveModel.dispose();
    this.task.dispose();
    this.points.clear();
  }

  private swapLive(next: tf.GraphModel): void {
    if (next === this.liveModel) return;
    this.liveModel.dispose();
    this.liveModel = next;
  }

  private point(id: number): GraphPoint {
    const p = this.points.get(id);
    if (!p) throw new Error(`There is no history step ${id}`);
    return p;
  }

  private add(
    data: GraphModelData, facts: PointFacts, parentId: number | null, kind: StepKind, label: string, settings: PruneSettings | null,
    metric: EvalResult, skipped: HistoryPoint['skipped'], ms: number, channelPlan?: ChannelPlan,
  ): HistoryPoint {
    const id = this.nextId++;
    const t = facts.stats.totals;
    const view: HistoryPoint = {
      id, parentId, baseId: 0, kind, label, settings, metric,
      params: t.params, nonzero: t.nonzero, prunableSparsity: t.prunableSparsity, macs: t.macs, nonzeroMacs: t.nonzeroMacs,
      bytes: t.params * 4, gzipBytes: facts.gzipBytes, skipped, ms,
    };
    this.points.set(id, { view, data, facts, ...(channelPlan ? { channelPlan } : {}) });
    this.currentId = id;
    return view;
  }
}

/** The layers, counts (shapes from one run on zeros) and gzipped float32 weight bytes of `data`, whose graph `model` is. */
async function pointFacts(data: GraphModelData, model: tf.GraphModel): Promise<PointFacts> {
  const analysis = groupLayers(data.topology, data.weights, data.info.outputs);
  const shapes = await inferShapes(model, data.info, shapeNodes(analysis));
  const stats = graphModelStats(analysis, data.weights, shapes, { input: data.info.inputs[0]?.shape ?? null, output: data.info.outputs[0]?.shape ?? null });
  return { analysis, stats, gzipBytes: gzipBytes(float32Weights(data.weights).data) };
}
