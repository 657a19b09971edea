// The studio's working state for one loaded model: the live tf model, the history of applied steps,
// and the rules that connect them. Runs in the worker (and in Node for its tests); no DOM.
//
// Every step is one-shot from a *starting point*: the original model, or later a fine-tuned one.
// Moving a slider re-prunes the starting point with the new settings, so lowering a target brings
// weights back. A prune step stores only what it adds (masks, or a channel plan), a starting point
// stores the whole model (topology + weights); any point can be rebuilt exactly from that.
// A failed or cancelled step leaves the live model exactly as the current point describes it.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult, HistoryPoint, ModelSummary, PrunableLayer, PruneSettings, StepKind } from './api';
import { progressBetween, UNCONTROLLED, type JobControl } from '../core/job';
import { buildModel, captureModel, topologyOf, type ModelState } from '../core/model/modelState';
import { recalibrateBatchNorm, runPruningSchedule, trainSteps, type PruneEvent, type LossFn, type OptimizerSpec, type Regularizer, type StepInfo, type TrainBatch } from '../core/train';
import { modelStats } from '../core/graph/summary';
import { float32GzipBytes } from '../core/metrics/sizes';
import {
  applyMasks, buildDependencyGraph, computePruning, countModel, disposeModel, listPrunableTensors, masksFromZeros, nmSkipReason,
  removeChannels, restoreWeights, type ChannelPlan, type DependencyGraph, type MaskSet, type ModelCounts, type TaylorOptions,
} from '../core/prune';

interface StoredPoint {
  view: HistoryPoint;
  /** The point every slider prunes from when this point is current. */
  baseId: number;
  /** Starting points: the whole model. */
  state?: ModelState;
  /** Prune steps: what they add to their base. */
  masks?: MaskSet;
  channelPlan?: ChannelPlan;
}

export interface SessionHooks {
  /** The metric on the live subset. */
  evaluate(model: tf.LayersModel, control: JobControl): Promise<EvalResult>;
  /**
   * Calibration data for the Taylor criterion, checkpointing with the running step's control; the
   * session disposes the tensors after use.
   */
  calibration?(model: tf.LayersModel, control: JobControl): Promise<TaylorOptions>;
}

const NM_LABEL: Record<string, string> = { '2:4': '2:4 semi-structured', '4:8': '4:8 semi-structured' };

export function describeSettings(s: PruneSettings): string {
  const how = s.granularity === 'channels' ? 'channels' : (NM_LABEL[s.granularity] ?? 'unstructured');
  if (s.granularity === '2:4' || s.granularity === '4:8') return `${how}, ${s.criterion}`;
  const criterion = s.granularity === 'channels' && s.criterion === 'magnitude' ? `${(s.channelNorm ?? 'l1').toUpperCase()} norm` : s.criterion;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const values = s.target.kind === 'perLayer' ? Object.values(s.target.sparsity) : [];
  const target = s.target.kind === 'global'
    ? `${pct(s.target.sparsity)} global`
    : values.length > 1 && values.every((v) => v === values[0])
      ? `${pct(values[0])} of every layer`
      : Object.entries(s.target.sparsity).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${pct(v)}`).join(', ') || 'nothing';
  return `${how} ${target}, ${criterion}`;
}

export class PruningSession {
  private readonly points = new Map<number, StoredPoint>();
  private nextId = 0;
  private currentId = -1;
  private liveTopology: string;
  private readonly dependencies = new Map<number, DependencyGraph>();
  /** Counts of a point's model (a point's weights never change), so a step counts its model once. */
  private counted: { id: number; counts: ModelCounts } | null = null;

  private constructor(private live: tf.LayersModel, private readonly hooks: SessionHooks) {
    this.liveTopology = topologyOf(live);
  }

  /** Takes ownership of `model`; the original point gets `metric` (measured by the caller). */
  static async start(model: tf.LayersModel, hooks: SessionHooks, metric: EvalResult): Promise<PruningSession> {
    const session = new PruningSession(model, hooks);
    const id = session.nextId++;
    const state = await captureModel(model);
    const view = await session.describe(id, null, id, 'original', 'Original model', null, metric, [], 0);
    session.points.set(id, { view, baseId: id, state });
    session.currentId = id;
    return session;
  }

  get model(): tf.LayersModel {
    return this.live;
  }

  get current(): HistoryPoint {
    return this.point(this.currentId).view;
  }

  history(): HistoryPoint[] {
    return [...this.points.values()].map((p) => p.view);
  }

  /** Prunes the current point's starting point with `settings`; the new point becomes current. */
  async prune(settings: PruneSettings, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const baseId = this.point(this.currentId).baseId;
    try {
      await this.materialize(baseId);
      await control.checkpoint(0.05, 'Scoring weights');
      const taylor = settings.criterion === 'taylor' ? await this.calibration(control) : undefined;
      let result;
      try {
        result = await computePruning(this.live, { granularity: settings.granularity, criterion: settings.criterion, target: settings.target, taylor, channelNorm: settings.channelNorm },
          settings.granularity === 'channels' ? this.dependencyGraph(baseId) : undefined);
      } finally {
        if (taylor) disposeCalibration(taylor);
      }
      await control.checkpoint(0.2, 'Applying masks');
      const stored: Omit<StoredPoint, 'view'> = { baseId };
      if (settings.granularity === 'channels') {
        const { model } = await removeChannels(this.live, result.dependencies!, result.channelPlan!);
        this.swapLive(model);
        stored.channelPlan = result.channelPlan;
      } else {
        applyMasks(this.live, result.masks);
        stored.masks = result.masks;
      }
      await control.checkpoint(0.3, 'Evaluating');
      const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.3));
      const id = this.nextId++;
      const view = await this.describe(id, this.currentId, baseId, 'prune', describeSettings(settings), settings, metric, result.skipped, performance.now() - t0);
      this.points.set(id, { ...stored, view });
      this.currentId = id;
      return view;
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
  }

  /**
   * Trains the current model with every weight that is zero now held at exactly 0; the result is a
   * new point that later prunes start from. A cancelled or failed run leaves the current point.
   */
  async finetune(options: FinetuneRun, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const parentId = this.currentId;
    try {
      const masks = await masksFromZeros(this.live, listPrunableTensors(this.live));
      await trainSteps(this.live, {
        batches: options.batch, steps: options.steps, optimizer: options.optimizer, masks, lossFn: options.lossFn, regularizer: options.regularizer,
        control: progressBetween(control, 0, 0.9), onStep: options.onStep,
      });
      const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.9));
      return await this.addStartingPoint(parentId, 'finetune', options.label, metric, t0);
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
  }

  /** The steps from the original model to the current one, oldest first (what an export's report calls its recipe). */
  recipe(): { kind: StepKind; label: string; settings: PruneSettings | null; metric: EvalResult }[] {
    const chain: HistoryPoint[] = [];
    for (let id: number | null = this.currentId; id !== null; id = this.point(id).view.parentId) chain.push(this.point(id).view);
    return chain.reverse().map((p) => ({ kind: p.kind, label: p.label, settings: p.settings, metric: p.metric }));
  }

  /**
   * Runs `work` on the current step's starting point (its live model and dependency graph), then
   * makes the live model the current point again, also after a cancel or an error. For work that
   * measures the starting point under other masks (a sensitivity scan, a plan) without adding steps.
   */
  async onStartingPoint<T>(work: (model: tf.LayersModel, context: { baseId: number; dependencies: DependencyGraph; taylor: () => Promise<TaylorOptions> }) => Promise<T>): Promise<T> {
    const baseId = this.point(this.currentId).baseId;
    try {
      await this.materialize(baseId);
      return await work(this.live, {
        baseId,
        dependencies: this.dependencyGraph(baseId),
        taylor: () => this.calibration(UNCONTROLLED),
      });
    } finally {
      await this.materialize(this.currentId);
    }
  }

  /** A new copy of the original model (a teacher for distillation); the caller disposes it. */
  async buildOriginal(): Promise<tf.LayersModel> {
    const first = [...this.points.values()].find((p) => p.view.kind === 'original');
    if (!first?.state) throw new Error('internal: the history has no original model');
    return buildModel(first.state);
  }

  /**
   * Fine-tunes while pruning on a schedule: each pruning event becomes a point (a starting point
   * with its weights, since training has moved them) as it happens, handed to `onPoint`; the end of
   * training is a fine-tuned point. A cancel or failure keeps the points made so far and leaves the
   * live model at the last of them.
   */
  async finetuneScheduled(options: FinetuneRun & ScheduledRun, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    let parentId = this.currentId;
    try {
      await runPruningSchedule(this.live, {
        totalSteps: options.steps, events: options.events, batches: options.batch, optimizer: options.optimizer,
        lossFn: options.lossFn, regularizer: options.regularizer, onStep: options.onStep,
        control: progressBetween(control, 0, 0.9),
        prune: async (model, sparsity) => (await computePruning(model, {
          granularity: options.granularity, criterion: options.criterion, target: { kind: 'global', sparsity },
        })).masks,
        onPrune: async (info) => {
          const metric = await this.hooks.evaluate(this.live, UNCONTROLLED);
          const label = `${options.kindLabel} ${info.index + 1}/${info.totalEvents}: ${describeSettings({
            granularity: options.granularity, criterion: options.criterion, target: { kind: 'global', sparsity: info.sparsity },
          })} at step ${info.atStep}`;
          const point = await this.addStartingPoint(parentId, 'prune', label, metric, t0);
          parentId = point.id;
          options.onPoint(point);
        },
      });
      const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.9));
      return await this.addStartingPoint(parentId, 'finetune', options.label, metric, t0);
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
  }

  /**
   * Re-estimates BatchNorm statistics of the current model on `batches` (inputs only; the session
   * disposes them). Weights and zeros are untouched; the result is a new starting point.
   */
  async recalibrate(batches: TrainBatch[], control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const parentId = this.currentId;
    try {
      await recalibrateBatchNorm(this.live, batches.map((b) => (Array.isArray(b.xs) ? b.xs[0] : b.xs)), progressBetween(control, 0, 0.4));
      const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.4));
      return await this.addStartingPoint(parentId, 'finetune', `BatchNorm recalibrated on ${batches.reduce((n, b) => n + (Array.isArray(b.xs) ? b.xs[0] : b.xs).shape[0], 0)} inputs`, metric, t0);
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    } finally {
      for (const b of batches) tf.dispose([b.xs, b.ys ?? []].flat());
    }
  }

  /** The live model as a new point that later prunes start from (after training or recalibration). */
  private async addStartingPoint(parentId: number, kind: StepKind, label: string, metric: EvalResult, t0: number): Promise<HistoryPoint> {
    const id = this.nextId++;
    const state = await captureModel(this.live);
    const view = await this.describe(id, parentId, id, kind, label, null, metric, [], performance.now() - t0);
    this.points.set(id, { view, baseId: id, state });
    this.dependencies.set(id, buildDependencyGraph(this.live));
    this.currentId = id;
    return view;
  }

  /** Makes a point current again and rebuilds the live model for it. */
  async restore(id: number): Promise<HistoryPoint> {
    this.point(id);
    try {
      await this.materialize(id);
      this.currentId = id;
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
    return this.current;
  }

  async summary(): Promise<Omit<ModelSummary, 'id' | 'name' | 'source'>> {
    const [stats, counts] = await Promise.all([modelStats(this.live), this.countsOf(this.currentId)]);
    const byPath = new Map(counts.layers.map((l) => [l.path, l]));
    const layers = stats.layers.map((l) => ({ ...l, macs: byPath.get(l.name)?.macs ?? null, nonzeroMacs: byPath.get(l.name)?.nonzeroMacs ?? null }));
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
      prunable: this.prunableLayers(counts.layers),
    };
  }

  dispose(): void {
    disposeModel(this.live);
    this.points.clear();
    this.dependencies.clear();
  }

  /** Counts of the live model, which must be point `id`'s. */
  private async countsOf(id: number): Promise<ModelCounts> {
    if (this.counted?.id !== id) this.counted = { id, counts: await countModel(this.live) };
    return this.counted.counts;
  }

  private prunableLayers(counts: ModelCounts['layers']): PrunableLayer[] {
    const cur = this.point(this.currentId);
    const baseId = cur.baseId;
    const dep = this.dependencyGraph(baseId);
    const plan = cur.channelPlan;
    const lockOf = new Map(dep.locked.map((l) => [l.path, l.reason]));
    const tensors = listPrunableTensors(this.live);
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
      };
    });
  }

  private dependencyGraph(baseId: number): DependencyGraph {
    let dep = this.dependencies.get(baseId);
    if (!dep) {
      if (this.point(baseId).state?.topology !== this.liveTopology) {
        throw new Error('internal: the dependency graph is built on the starting point');
      }
      dep = buildDependencyGraph(this.live);
      this.dependencies.set(baseId, dep);
    }
    return dep;
  }

  private async calibration(control: JobControl): Promise<TaylorOptions> {
    if (!this.hooks.calibration) throw new Error('The Taylor criterion needs labelled data, and this model has none yet');
    return this.hooks.calibration(this.live, control);
  }

  private point(id: number): StoredPoint {
    const p = this.points.get(id);
    if (!p) throw new Error(`There is no history step ${id}`);
    return p;
  }

  /** Makes the live model exactly what point `id` describes. */
  private async materialize(id: number): Promise<void> {
    const p = this.point(id);
    if (p.state) {
      if (p.state.topology === this.liveTopology) restoreWeights(this.live, p.state.weights);
      else this.swapLive(await buildModel(p.state));
      // Graphs of a starting point are built lazily, on its own live model.
      if (!this.dependencies.has(id)) this.dependencies.set(id, buildDependencyGraph(this.live));
      return;
    }
    await this.materialize(p.baseId);
    if (p.masks) applyMasks(this.live, p.masks);
    if (p.channelPlan) {
      const { model } = await removeChannels(this.live, this.dependencyGraph(p.baseId), p.channelPlan);
      this.swapLive(model);
    }
  }

  private swapLive(next: tf.LayersModel) {
    if (next === this.live) return;
    disposeModel(this.live);
    this.live = next;
    this.liveTopology = topologyOf(next);
  }

  private async describe(
    id: number, parentId: number | null, baseId: number, kind: StepKind, label: string, settings: PruneSettings | null,
    metric: EvalResult, skipped: { key: string; reason: string }[], ms: number,
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
      gzipBytes: await float32GzipBytes(this.live),
      skipped,
      ms,
    };
  }
}


const progressFrom = (control: JobControl, from: number) => progressBetween(control, from, 1);

export interface FinetuneRun {
  steps: number;
  /** Batch for step i; the trainer disposes it after the step. */
  batch: (step: number) => TrainBatch;
  optimizer: OptimizerSpec;
  /** Default: cross-entropy with the model in training mode. */
  lossFn?: LossFn;
  regularizer?: Regularizer;
  label: string;
  onStep?: (info: StepInfo) => void;
}

export interface ScheduledRun {
  events: PruneEvent[];
  granularity: 'unstructured' | '2:4' | '4:8';
  criterion: 'magnitude' | 'random' | 'taylor';
  /** "AGP", "Iterative": the start of each event point's label. */
  kindLabel: string;
  onPoint: (point: HistoryPoint) => void;
}

export function disposeCalibration(t: TaylorOptions) {
  for (const b of t.batches) for (const x of [b.xs, b.ys].flat()) x.dispose();
}
