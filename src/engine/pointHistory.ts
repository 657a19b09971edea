// The history of one loaded model: its points, which one is current, and the live tf model, which is
// always exactly what one point describes. A prune point stores only what it adds to its starting
// point (masks, or a channel plan); a starting point (the original, a fine-tuned or recalibrated
// model, a pruning event of a schedule) stores the whole model (topology + weights). Any point can be
// rebuilt exactly from that (materialize).
import type * as tf from '@tensorflow/tfjs';
import type { EvalResult, HistoryPoint, PruneSettings, StepKind } from './api';
import { buildModel, captureModel, topologyOf, type ModelState } from '../core/model/modelState';
import { buildDependencyGraph, type ChannelPlan, type DependencyGraph } from '../core/graph/dependencyGraph';
import { removeChannels } from '../core/graph/channelSurgery';
import { countModel, type ModelCounts } from '../core/graph/macs';
import { disposeModel } from '../core/graph/disposeModel';
import { float32GzipBytes } from '../core/metrics/sizes';
import { applyMasks, applyUnitMerges, restoreWeights, type MaskSet, type MergePlan } from '../core/prune';
import type { ClusterSet } from '../core/compress/clusterModel';
import { modelView, type ModelView } from './modelView';
import type { SessionStep } from '../core/session/sessionFormat';

interface StoredPoint {
  view: HistoryPoint;
  /** The point every slider prunes from when this point is current. */
  baseId: number;
  /** Starting points: the whole model. */
  state?: ModelState;
  /** Prune steps: what they add to their base. */
  masks?: MaskSet;
  channelPlan?: ChannelPlan;
  /** Channels merged rather than removed: the merges made before the plan's removal. */
  merges?: MergePlan;
  /** Clustered starting points: each kernel's shared values and every weight's index (fine-tuning keeps them). */
  clusters?: ClusterSet;
}

/** What a prune point adds to its starting point. */
export type PruneContent = { masks: MaskSet } | { channelPlan: ChannelPlan; merges?: MergePlan };

export class PointHistory {
  private readonly points = new Map<number, StoredPoint>();
  private nextId = 0;
  private currentId = -1;
  private liveTopology: string;
  private readonly dependencies = new Map<number, DependencyGraph>();
  /** Counts of a point's model (a point's weights never change), so a step counts its model once. */
  private counted: { id: number; counts: ModelCounts } | null = null;

  private constructor(private liveModel: tf.LayersModel) {
    this.liveTopology = topologyOf(liveModel);
  }

  /** Takes ownership of `model`; the original point gets `metric` (measured by the caller). */
  static async start(model: tf.LayersModel, metric: EvalResult): Promise<PointHistory> {
    const history = new PointHistory(model);
    const id = history.nextId++;
    const state = await captureModel(model);
    const view = await history.describe(id, null, id, 'original', 'Original model', null, metric, [], 0);
    history.points.set(id, { view, baseId: id, state });
    history.currentId = id;
    return history;
  }

  /**
   * A saved session's history back in memory, the live model built for `currentId`. The steps are
   * what snapshot() gave (views, states, masks, channel plans), oldest first, the original first.
   */
  static async restore(steps: readonly SessionStep[], currentId: number): Promise<PointHistory> {
    const original = steps[0];
    if (!original?.state || original.id !== original.baseId) throw new Error('The saved session has no original model; it cannot be restored.');
    const history = new PointHistory(await buildModel(original.state));
    for (const step of steps) {
      const view = step.view as HistoryPoint;
      if (typeof view !== 'object' || view === null || view.id !== step.id || !(step.state || step.masks || step.channelPlan || step.baseId !== step.id)) {
        throw new Error(`The saved session's step ${step.id} is damaged; it cannot be restored.`);
      }
      const extras = (step.extras ?? {}) as { merges?: MergePlan; clusters?: ClusterSet };
      history.points.set(step.id, {
        view, baseId: step.baseId, state: step.state, masks: step.masks, channelPlan: step.channelPlan,
        ...(extras.merges ? { merges: extras.merges } : {}), ...(extras.clusters ? { clusters: extras.clusters } : {}),
      });
    }
    for (const step of steps) history.point(step.baseId);
    history.nextId = Math.max(...steps.map((p) => p.id)) + 1;
    history.currentId = original.id;
    await history.materialize(currentId);
    history.makeCurrent(currentId);
    return history;
  }

  /** Every point as a saved session's steps (payloads shared, not copied: they never change), and the current one. */
  snapshot(): { currentId: number; steps: SessionStep[] } {
    const steps = [...this.points.values()].map((p): SessionStep => ({
      id: p.view.id, baseId: p.baseId, view: p.view,
      ...(p.state ? { state: p.state } : {}), ...(p.masks ? { masks: p.masks } : {}), ...(p.channelPlan ? { channelPlan: p.channelPlan } : {}),
      ...(p.merges || p.clusters ? { extras: { ...(p.merges ? { merges: p.merges } : {}), ...(p.clusters ? { clusters: p.clusters } : {}) } } : {}),
    }));
    return { currentId: this.currentId, steps };
  }

  /** Bytes the history's payloads take in memory: starting points' weights and topology, masks (a byte per weight), channel plans. */
  memoryBytes(): number {
    let n = 0;
    for (const p of this.points.values()) {
      if (p.state) n += p.state.topology.length + Object.values(p.state.weights).reduce((k, w) => k + w.values.byteLength, 0);
      if (p.masks) n += Object.values(p.masks).reduce((k, m) => k + m.keep.byteLength, 0);
      if (p.channelPlan) n += Object.values(p.channelPlan).reduce((k, keep) => k + keep.byteLength, 0);
    }
    return n;
  }

  get live(): tf.LayersModel {
    return this.liveModel;
  }

  get current(): HistoryPoint {
    return this.point(this.currentId).view;
  }

  /** The original model's point (the first one). */
  get original(): HistoryPoint {
    return this.originalPoint().view;
  }

  all(): HistoryPoint[] {
    return [...this.points.values()].map((p) => p.view);
  }

  /** The steps from the original model to the current one, oldest first (what an export's report calls its recipe). */
  recipe(): { kind: StepKind; label: string; settings: PruneSettings | null; metric: EvalResult }[] {
    const chain: HistoryPoint[] = [];
    for (let id: number | null = this.currentId; id !== null; id = this.point(id).view.parentId) chain.push(this.point(id).view);
    return chain.reverse().map((p) => ({ kind: p.kind, label: p.label, settings: p.settings, metric: p.metric }));
  }

  /** A new copy of the original model; the caller disposes it. */
  buildOriginal(): Promise<tf.LayersModel> {
    return buildModel(this.originalPoint().state!);
  }

  /** Throws for an id that is not in the history. */
  check(id: number): void {
    this.point(id);
  }

  /**
   * Runs a step that changes the live model. When it fails or is cancelled, the live model is rebuilt
   * as the current point describes it (a failed step has made no point current) and the error goes on.
   */
  async rebuildingOnFailure<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
  }

  /** Makes the live model exactly what point `id` describes (the current point by default). */
  async materialize(id = this.currentId): Promise<void> {
    const p = this.point(id);
    if (p.state) {
      if (p.state.topology === this.liveTopology) restoreWeights(this.liveModel, p.state.weights);
      else this.swapLive(await buildModel(p.state));
      // Graphs of a starting point are built lazily, on its own live model.
      if (!this.dependencies.has(id)) this.dependencies.set(id, buildDependencyGraph(this.liveModel));
      return;
    }
    await this.materialize(p.baseId);
    if (p.masks) applyMasks(this.liveModel, p.masks);
    if (p.merges) await applyUnitMerges(this.liveModel, this.dependencyGraph(p.baseId), p.merges);
    if (p.channelPlan) this.swapLive((await removeChannels(this.liveModel, this.dependencyGraph(p.baseId), p.channelPlan)).model);
  }

  /** Point `id` with its figure on the whole held-out set (views are replaced, never changed in place). */
  setWhole(id: number, whole: EvalResult): HistoryPoint {
    const p = this.point(id);
    p.view = { ...p.view, whole };
    return p.view;
  }

  /** Makes point `id` current; the live model must already be what it describes. */
  makeCurrent(id: number): void {
    this.point(id);
    this.currentId = id;
  }

  /** The clusters of point `id` (the current one by default) when its kernels share values; else undefined. */
  clustersOf(id = this.currentId): ClusterSet | undefined {
    return this.point(id).clusters;
  }

  /** The starting point the current point prunes from. */
  get baseId(): number {
    return this.point(this.currentId).baseId;
  }

  /** Replaces the live model (the old one is disposed). */
  swapLive(next: tf.LayersModel): void {
    if (next === this.liveModel) return;
    disposeModel(this.liveModel);
    this.liveModel = next;
    this.liveTopology = topologyOf(next);
  }

  /** The dependency graph of starting point `baseId`, built on its live model the first time. */
  dependencyGraph(baseId: number): DependencyGraph {
    let dep = this.dependencies.get(baseId);
    if (!dep) {
      if (this.point(baseId).state?.topology !== this.liveTopology) {
        throw new Error('internal: the dependency graph is built on the starting point');
      }
      dep = buildDependencyGraph(this.liveModel);
      this.dependencies.set(baseId, dep);
    }
    return dep;
  }

  /** The live model (pruned from `baseId`) as a new current prune point, a child of the current one. */
  async addPrune(baseId: number, content: PruneContent, settings: PruneSettings, label: string, metric: EvalResult, skipped: HistoryPoint['skipped'], t0: number): Promise<HistoryPoint> {
    const id = this.nextId++;
    const view = await this.describe(id, this.currentId, baseId, 'prune', label, settings, metric, skipped, performance.now() - t0);
    this.points.set(id, { ...content, view, baseId });
    this.currentId = id;
    return view;
  }

  /**
   * The live model as a new current point that later prunes start from (after training, recalibration
   * or clustering); `clusters` when its kernels share values.
   */
  async addStartingPoint(parentId: number, kind: StepKind, label: string, metric: EvalResult, t0: number, clusters?: ClusterSet): Promise<HistoryPoint> {
    const id = this.nextId++;
    const state = await captureModel(this.liveModel);
    const view = await this.describe(id, parentId, id, kind, label, null, metric, [], performance.now() - t0);
    this.points.set(id, { view, baseId: id, state, ...(clusters ? { clusters } : {}) });
    this.dependencies.set(id, buildDependencyGraph(this.liveModel));
    this.currentId = id;
    return view;
  }

  /** The summary of the live model, which is the current point's. */
  async view(): Promise<ModelView> {
    const cur = this.point(this.currentId);
    return modelView(this.liveModel, await this.countsOf(this.currentId), this.dependencyGraph(cur.baseId), cur.channelPlan);
  }

  dispose(): void {
    disposeModel(this.liveModel);
    this.points.clear();
    this.dependencies.clear();
  }

  private originalPoint(): StoredPoint {
    const first = [...this.points.values()].find((p) => p.view.kind === 'original');
    if (!first?.state) throw new Error('internal: the history has no original model');
    return first;
  }

  private point(id: number): StoredPoint {
    const p = this.points.get(id);
    if (!p) throw new Error(`There is no history step ${id}`);
    return p;
  }

  /** Counts of the live model, which must be point `id`'s. */
  private async countsOf(id: number): Promise<ModelCounts> {
    if (this.counted?.id !== id) this.counted = { id, counts: await countModel(this.liveModel) };
    return this.counted.counts;
  }

  private async describe(
    id: number, parentId: number | null, baseId: number, kind: StepKind, label: string, settings: PruneSettings | null,
    metric: EvalResult, skipped: HistoryPoint['skipped'], ms: number,
  ): Promise<HistoryPoint> {
    const { totals } = await this.countsOf(id);
    return {
      id, parentId, baseId, kind, label, settings, metric,
      params: totals.params,
      nonzero: totals.nonzero,
      prunableSparsity: totals.prunableSparsity,
      macs: totals.macs,
      nonzeroMacs: totals.nonzeroMacs,
      bytes: totals.params * 4,
      gzipBytes: await float32GzipBytes(this.liveModel),
      skipped,
      ms,
    };
  }
}
