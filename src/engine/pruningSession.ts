// The studio's working state for one loaded model: the live tf model, the history of applied steps,
// and the rules that connect them. Runs in the worker (and in Node for its tests); no DOM.
//
// Every step is one-shot from a *starting point*: the original model, or later a fine-tuned one.
// Moving a slider re-prunes the starting point with the new settings, so lowering a target brings
// weights back. A prune step stores only what it adds (masks, or a channel plan), a starting point
// stores the whole model (topology + weights); any point can be rebuilt exactly from that.
// A failed or cancelled step leaves the live model exactly as the current point describes it: every
// step runs through `rebuildingOnFailure`, which rebuilds the current point before the error goes on.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult, HistoryPoint, PruneSettings, StepKind } from './api';
import { progressBetween, UNCONTROLLED, type JobControl } from '../core/job';
import { buildModel, captureModel, topologyOf, type ModelState } from '../core/model/modelState';
import { recalibrateBatchNorm, runPruningSchedule, trainSteps, type PruneEvent, type LossFn, type OptimizerSpec, type Regularizer, type StepInfo, type TrainBatch } from '../core/train';
import type { ScheduleGranularity } from '../core/train/finetuneRecipe';
import { modelView, type ModelView } from './modelView';
import { describeSettings } from './stepLabels';
import { buildDependencyGraph, type ChannelPlan, type DependencyGraph } from '../core/graph/dependencyGraph';
import { removeChannels } from '../core/graph/channelSurgery';
import { countModel, type ModelCounts } from '../core/graph/macs';
import { disposeModel } from '../core/graph/disposeModel';
import { listPrunableTensors } from '../core/graph/prunable';
import { float32GzipBytes } from '../core/metrics/sizes';
import {
  applyMasks, computePruning, masksFromZeros, restoreWeights, type Criterion, type MaskSet, type TaylorOptions,
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

/** What work on the starting point gets besides its model (see onStartingPoint). */
export interface StartingPointContext {
  baseId: number;
  dependencies: DependencyGraph;
  /** Runs `work` with calibration data when `criterion` is Taylor (undefined otherwise), disposed after. */
  withCalibration<T>(criterion: Criterion, work: (taylor: TaylorOptions | undefined) => Promise<T>): Promise<T>;
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

  /** The original model's point (the first one). */
  get original(): HistoryPoint {
    const first = [...this.points.values()].find((p) => p.view.kind === 'original');
    if (!first) throw new Error('internal: the history has no original model');
    return first.view;
  }

  history(): HistoryPoint[] {
    return [...this.points.values()].map((p) => p.view);
  }

  /** Prunes the current point's starting point with `settings`; the new point becomes current. */
  async prune(settings: PruneSettings, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const baseId = this.point(this.currentId).baseId;
    return this.rebuildingOnFailure(async () => {
      await this.materialize(baseId);
      await control.checkpoint(0.05, 'Scoring weights');
      const result = await this.withCalibration(settings.criterion, control, (taylor) => computePruning(this.live, {
        granularity: settings.granularity, criterion: settings.criterion, target: settings.target, taylor, channelNorm: settings.channelNorm,
      }, settings.granularity === 'channels' ? this.dependencyGraph(baseId) : undefined));
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
    });
  }

  /**
   * Trains the current model with every weight that is zero now held at exactly 0; the result is a
   * new point that later prunes start from. A cancelled or failed run leaves the current point.
   */
  async finetune(options: FinetuneRun, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const parentId = this.currentId;
    return this.rebuildingOnFailure(async () => {
      const masks = await masksFromZeros(this.live, listPrunableTensors(this.live));
      await trainSteps(this.live, {
        batches: options.batch, steps: options.steps, optimizer: options.optimizer, masks, lossFn: options.lossFn, regularizer: options.regularizer,
        control: progressBetween(control, 0, 0.9), onStep: options.onStep,
      });
      const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.9));
      return this.addStartingPoint(parentId, 'finetune', options.label, metric, t0);
    });
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
  async onStartingPoint<T>(work: (model: tf.LayersModel, context: StartingPointContext) => Promise<T>): Promise<T> {
    const baseId = this.point(this.currentId).baseId;
    try {
      await this.materialize(baseId);
      return await work(this.live, {
        baseId,
        dependencies: this.dependencyGraph(baseId),
        withCalibration: (criterion, run) => this.withCalibration(criterion, UNCONTROLLED, run),
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
   * live model at the last of them. The Taylor criterion takes fresh calibration data at each event,
   * on the model as training has left it.
   */
  async finetuneScheduled(options: FinetuneRun & ScheduledRun, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    let parentId = this.currentId;
    const training = progressBetween(control, 0, 0.9);
    return this.rebuildingOnFailure(async () => {
      await runPruningSchedule(this.live, {
        totalSteps: options.steps, events: options.events, batches: options.batch, optimizer: options.optimizer,
        lossFn: options.lossFn, regularizer: options.regularizer, onStep: options.onStep,
        control: training,
        prune: async (model, sparsity, info) => {
          // Calibration checkpoints (cancel, pause) without moving the progress bar off the event's step.
          const at = info.atStep / Math.max(1, options.steps);
          const calibration = progressBetween(training, at, at);
          return (await this.withCalibration(options.criterion, calibration, (taylor) => computePruning(model, {
            granularity: options.granularity, criterion: options.criterion, target: { kind: 'global', sparsity }, taylor,
          }))).masks;
        },
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
      return this.addStartingPoint(parentId, 'finetune', options.label, metric, t0);
    });
  }

  /**
   * Re-estimates BatchNorm statistics of the current model on `batches` (inputs only; the session
   * disposes them). Weights and zeros are untouched; the result is a new starting point.
   */
  async recalibrate(batches: TrainBatch[], control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const parentId = this.currentId;
    try {
      return await this.rebuildingOnFailure(async () => {
        await recalibrateBatchNorm(this.live, batches.map((b) => (Array.isArray(b.xs) ? b.xs[0] : b.xs)), progressBetween(control, 0, 0.4));
        const metric = await this.hooks.evaluate(this.live, progressFrom(control, 0.4));
        return this.addStartingPoint(parentId, 'finetune', `BatchNorm recalibrated on ${batches.reduce((n, b) => n + (Array.isArray(b.xs) ? b.xs[0] : b.xs).shape[0], 0)} inputs`, metric, t0);
      });
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
    await this.rebuildingOnFailure(async () => {
      await this.materialize(id);
      this.currentId = id;
    });
    return this.current;
  }

  /**
   * Runs a step that changes the live model. When it fails or is cancelled, the live model is rebuilt
   * as the current point describes it (the step has not made a new point current) and the error goes on.
   */
  private async rebuildingOnFailure<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      await this.materialize(this.currentId);
      throw e;
    }
  }

  async summary(): Promise<ModelView> {
    const cur = this.point(this.currentId);
    return modelView(this.live, await this.countsOf(this.currentId), this.dependencyGraph(cur.baseId), cur.channelPlan);
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

  /** Runs `work` with calibration data when the criterion is Taylor (none otherwise), and disposes it after. */
  private async withCalibration<T>(criterion: Criterion, control: JobControl, work: (taylor: TaylorOptions | undefined) => Promise<T>): Promise<T> {
    const taylor = criterion === 'taylor' ? await this.calibration(control) : undefined;
    try {
      return await work(taylor);
    } finally {
      if (taylor) disposeCalibration(taylor);
    }
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
  granularity: ScheduleGranularity;
  criterion: Criterion;
  /** "AGP", "Iterative": the start of each event point's label. */
  kindLabel: string;
  onPoint: (point: HistoryPoint) => void;
}

export function disposeCalibration(t: TaylorOptions) {
  for (const b of t.batches) for (const x of [b.xs, b.ys].flat()) x.dispose();
}
