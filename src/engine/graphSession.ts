// The studio's working state for one loaded graph model (a TF.js model converted from a SavedModel):
// the history of its points and the live tf.GraphModel, which is always exactly what the current
// point describes. The graph-model side of pruningSession.ts, without training: a graph has no fit,
// so every point is the original or a prune of it (the original is every step's starting point).
//
// A prune point keeps only what it adds to the original (masks, a byte per weight, or a channel plan)
// and is rebuilt from them when restored; the session holds the current point's GraphModelData (the
// graph and its weights as plain arrays). Moving a slider prunes the original again with
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
import type { MaskSet } from '../core/prune/masks';
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
  /** Unstructured and N:M prunes: what they zero in the original. */
  masks?: MaskSet;
  /** Channel prunes: group id -> keep mask. */
  channelPlan?: ChannelPlan;
  facts: PointFacts;
}

/** What a prune adds to the original. */
type PruneContent = { masks: MaskSet } | { channelPlan: ChannelPlan };

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

  /** The current point's graph and weights (the live model's). */
  private liveData: GraphModelData;

  private constructor(private liveModel: tf.GraphModel, readonly task: GraphTask, readonly originalData: GraphModelData, facts: PointFacts) {
    this.groups = graphChannelGroups(facts.analysis, originalData.weights, originalData.info.outputs);
    this.liveData = originalData;
  }

  /** Takes ownership of `model` (the graph of `data`) and `task`; the original point gets `metric` (measured by the caller). */
  static async start(data: GraphModelData, model: tf.GraphModel, task: GraphTask, metric: EvalResult): Promise<GraphSession> {
    const facts = await pointFacts(data, model);
    const session = new GraphSession(model, task, data, facts);
    session.add(null, facts, null, 'original', 'Original model', null, metric, [], 0);
    return session;
  }

  /** The live tf.GraphModel (the current point's); never dispose it. */
  get model(): tf.GraphModel {
    return this.liveModel;
  }

  /** The current point's graph and weights. */
  get data(): GraphModelData {
    return this.liveData;
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

  /** Bytes the history takes in memory: the original's weights, and each prune's masks or channel plan. */
  memoryBytes(): number {
    let n = this.originalData.weights.reduce((k, w) => k + w.values.byteLength, 0);
    for (const p of this.points.values()) {
      if (p.masks) n += Object.values(p.masks).reduce((k, m) => k + m.keep.byteLength, 0);
      if (p.channelPlan) n += Object.values(p.channelPlan).reduce((k, keep) => k + keep.byteLength, 0);
    }
    return n;
  }

  /** What pruning the original with `settings` adds to it (nothing is measured, nothing becomes current). */
  private pruned(settings: PruneSettings): { content: PruneContent; skipped: HistoryPoint['skipped'] } {
    const base = this.originalData;
    if (settings.criterion === 'merge') throw new Error(MERGE_NEEDS_LAYERS);
    if (settings.granularity === 'channels') {
      const criterion = settings.criterion === 'magnitude' ? (settings.channelNorm ?? 'l1') : settings.criterion;
      const plan = selectGraphChannels(this.groups, graphChannelScores(base, this.groups, criterion), channelTarget(this.groups, settings.target));
      const skipped = this.groups.filter((g) => g.locked).map((g) => ({ key: g.id, reason: g.locked as string }));
      return { content: { channelPlan: plan }, skipped };
    }
    const r = computeGraphPruning(base, this.analysis, { granularity: settings.granularity, criterion: settings.criterion, target: settings.target });
    return { content: { masks: r.masks }, skipped: r.skipped };
  }

  /** The original with a prune's content applied (the original itself for none). */
  private dataOf(content: Partial<{ masks: MaskSet; channelPlan: ChannelPlan }> | null): GraphModelData {
    if (content?.channelPlan) return removeGraphChannels(this.originalData, this.groups, content.channelPlan).data;
    if (content?.masks) return applyGraphMasks(this.originalData, content.masks);
    return this.originalData;
  }

  /** Prunes the original with `settings`; the new point becomes current. */
  async prune(settings: PruneSettings, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    await control.checkpoint(0.05, 'Scoring weights');
    const { content, skipped } = this.pruned(settings);
    const data = this.dataOf(content);
    await control.checkpoint(0.2, 'Building the pruned graph');
    const model = await loadGraphModelData(data);
    try {
      await control.checkpoint(0.3, 'Evaluating');
      const metric = await this.task.evaluate(model, progressBetween(control, 0.3, 0.9), true);
      const facts = await pointFacts(data, model);
      this.swapLive(model, data);
      return this.add(content, facts, this.currentId, 'prune', describeSettings(settings), settings, metric, skipped, performance.now() - t0);
    } catch (e) {
      if (model !== this.liveModel) model.dispose();
      throw e;
    }
  }

  /** Makes a point current again and rebuilds the live model for it. */
  async restore(id: number): Promise<HistoryPoint> {
    const p = this.point(id);
    if (id !== this.currentId) {
      const data = this.dataOf(p);
      this.swapLive(await loadGraphModelData(data), data);
      this.currentId = id;
    }
    return p.view;
  }

  /** The layer table and the pruning view of the current point. */
  summary(): ModelView {
    const p = this.point(this.currentId);
    const { stats, analysis } = p.facts;
    const layers = new Map(analysis.layers.map((l) => [l.name, l]));
    const weights = new Map(this.liveData.weights.map((w) => [w.name, w]));
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

  private swapLive(next: tf.GraphModel, data: GraphModelData): void {
    if (next === this.liveModel) return;
    this.liveModel.dispose();
    this.liveModel = next;
    this.liveData = data;
  }

  private point(id: number): GraphPoint {
    const p = this.points.get(id);
    if (!p) throw new Error(`There is no history step ${id}`);
    return p;
  }

  private add(
    content: PruneContent | null, facts: PointFacts, parentId: number | null, kind: StepKind, label: string, settings: PruneSettings | null,
    metric: EvalResult, skipped: HistoryPoint['skipped'], ms: number,
  ): HistoryPoint {
    const id = this.nextId++;
    const t = facts.stats.totals;
    const view: HistoryPoint = {
      id, parentId, baseId: 0, kind, label, settings, metric,
      params: t.params, nonzero: t.nonzero, prunableSparsity: t.prunableSparsity, macs: t.macs, nonzeroMacs: t.nonzeroMacs,
      bytes: t.params * 4, gzipBytes: facts.gzipBytes, skipped, ms,
    };
    this.points.set(id, { view, facts, ...content });
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
