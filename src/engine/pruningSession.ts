// The studio's working state for one loaded model: the steps a user takes (prune, fine-tune, prune
// while fine-tuning, recalibrate, restore) over the history of points (pointHistory.ts). Runs in the
// worker (and in Node for its tests); no DOM.
//
// Every step is one-shot from a *starting point*: the original model, or later a fine-tuned one.
// Moving a slider re-prunes the starting point with the new settings, so lowering a target brings
// weights back. A failed or cancelled step leaves the live model exactly as the current point
// describes it: every step runs through the history's `rebuildingOnFailure`.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult, HistoryPoint, PruneSettings } from './api';
import { progressBetween, UNCONTROLLED, type JobControl } from '../core/job';
import { recalibrateBatchNorm, runPruningSchedule, trainSteps, type PruneEvent, type LossFn, type OptimizerSpec, type Regularizer, type StepInfo, type TrainBatch } from '../core/train';
import type { ScheduleGranularity } from '../core/train/finetuneRecipe';
import { removeChannels } from '../core/graph/channelSurgery';
import type { DependencyGraph } from '../core/graph/dependencyGraph';
import { listPrunableTensors } from '../core/graph/prunable';
import { applyMasks, applyUnitMerges, computePruning, masksFromZeros, type Criterion, type TaylorOptions } from '../core/prune';
import type { ModelView } from './modelView';
import { PointHistory } from './pointHistory';
import { describeSettings } from './stepLabels';
import { clusterModel, type ClusterModelOptions, type ClusterSet } from '../core/compress/clusterModel';
import { clusterGradients, clustersWithPruned } from '../core/compress/clusterTraining';

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
  /** Awaited before training goes on (it may read the live model, which is this point now). */
  onPoint: (point: HistoryPoint) => void | Promise<void>;
}

const progressFrom = (control: JobControl, from: number) => progressBetween(control, from, 1);

export class PruningSession {
  private constructor(private readonly points: PointHistory, private readonly hooks: SessionHooks) {}

  /** Takes ownership of `model`; the original point gets `metric` (measured by the caller). */
  static async start(model: tf.LayersModel, hooks: SessionHooks, metric: EvalResult): Promise<PruningSession> {
    return new PruningSession(await PointHistory.start(model, metric), hooks);
  }

  /** A session over a restored history (PointHistory.restore); measured with `hooks` from now on. */
  static resume(points: PointHistory, hooks: SessionHooks): PruningSession {
    return new PruningSession(points, hooks);
  }

  /** The history as a saved session's steps, and the current one (PointHistory.snapshot). */
  snapshot(): ReturnType<PointHistory['snapshot']> {
    return this.points.snapshot();
  }

  /** Bytes the history holds in memory (PointHistory.memoryBytes). */
  memoryBytes(): number {
    return this.points.memoryBytes();
  }

  get model(): tf.LayersModel {
    return this.points.live;
  }

  get current(): HistoryPoint {
    return this.points.current;
  }

  /** The original model's point (the first one). */
  get original(): HistoryPoint {
    return this.points.original;
  }

  history(): HistoryPoint[] {
    return this.points.all();
  }

  /** The current point with its figure on the whole held-out set, measured by `evaluate` on the live model. */
  async measureWhole(evaluate: (model: tf.LayersModel) => Promise<EvalResult>): Promise<HistoryPoint> {
    const id = this.points.current.id;
    return this.points.setWhole(id, await evaluate(this.points.live));
  }

  /** The steps from the original model to the current one, oldest first (what an export's report calls its recipe). */
  recipe(): ReturnType<PointHistory['recipe']> {
    return this.points.recipe();
  }

  /** A new copy of the original model (a teacher for distillation); the caller disposes it. */
  buildOriginal(): Promise<tf.LayersModel> {
    return this.points.buildOriginal();
  }

  summary(): Promise<ModelView> {
    return this.points.view();
  }

  dispose(): void {
    this.points.dispose();
  }

  /** Prunes the current point's starting point with `settings`; the new point becomes current. */
  async prune(settings: PruneSettings, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const h = this.points;
    const baseId = h.baseId;
    return h.rebuildingOnFailure(async () => {
      await h.materialize(baseId);
      await control.checkpoint(0.05, 'Scoring weights');
      const result = await this.withCalibration(settings.criterion, control, (taylor) => computePruning(h.live, {
        granularity: settings.granularity, criterion: settings.criterion, target: settings.target, taylor, channelNorm: settings.channelNorm, seed: settings.seed,
      }, settings.granularity === 'channels' ? h.dependencyGraph(baseId) : undefined));
      await control.checkpoint(0.2, 'Applying masks');
      if (result.merges) await applyUnitMerges(h.live, result.dependencies!, result.merges);
      if (settings.granularity === 'channels') h.swapLive((await removeChannels(h.live, result.dependencies!, result.channelPlan!)).model);
      else applyMasks(h.live, result.masks);
      await control.checkpoint(0.3, 'Evaluating');
      const metric = await this.hooks.evaluate(h.live, progressFrom(control, 0.3));
      const content = settings.granularity === 'channels' ? { channelPlan: result.channelPlan!, merges: result.merges } : { masks: result.masks };
      return h.addPrune(baseId, content, settings, describeSettings(settings), metric, result.skipped, t0);
    });
  }

  /**
   * Trains the current model with every weight that is zero now held at exactly 0; the result is a
   * new point that later prunes start from. A cancelled or failed run leaves the current point.
   */
  async finetune(options: FinetuneRun, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const h = this.points;
    const parentId = h.current.id;
    return h.rebuildingOnFailure(async () => {
      const masks = await masksFromZeros(h.live, listPrunableTensors(h.live));
      // A clustered model trains its shared values: every weight stays in its cluster.
      const clusters = h.clustersOf(parentId);
      await trainSteps(h.live, {
        batches: options.batch, steps: options.steps, optimizer: options.optimizer, masks, lossFn: options.lossFn, regularizer: options.regularizer,
        control: progressBetween(control, 0, 0.9), onStep: options.onStep, gradientTransform: clusters ? clusterGradients(clusters) : undefined,
      });
      const metric = await this.hooks.evaluate(h.live, progressFrom(control, 0.9));
      return h.addStartingPoint(parentId, 'finetune', clusters ? `${options.label}, shared values kept` : options.label, metric, t0, clusters);
    });
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
    const h = this.points;
    let parentId = h.current.id;
    const training = progressBetween(control, 0, 0.9);
    // From a clustered step the shared values train, and each event's pruned weights join the zero cluster.
    let clusters = h.clustersOf(parentId);
    return h.rebuildingOnFailure(async () => {
      await runPruningSchedule(h.live, {
        totalSteps: options.steps, events: options.events, batches: options.batch, optimizer: options.optimizer,
        lossFn: options.lossFn, regularizer: options.regularizer, onStep: options.onStep,
        gradientTransform: clusters ? (masks) => clusterGradients(clustersWithPruned(clusters!, masks)) : undefined,
        control: training,
        prune: async (model, sparsity, info) => {
          // Calibration checkpoints (cancel, pause) without moving the progress bar off the event's step.
          const at = info.atStep / Math.max(1, options.steps);
          return (await this.withCalibration(options.criterion, progressBetween(training, at, at), (taylor) => computePruning(model, {
            granularity: options.granularity, criterion: options.criterion, target: { kind: 'global', sparsity }, taylor,
          }))).masks;
        },
        onPrune: async (info) => {
          const metric = await this.hooks.evaluate(h.live, UNCONTROLLED);
          const label = `${options.kindLabel} ${info.index + 1}/${info.totalEvents}: ${describeSettings({
            granularity: options.granularity, criterion: options.criterion, target: { kind: 'global', sparsity: info.sparsity },
          })} at step ${info.atStep}`;
          // The event's masks stay in force until the next one: its pruned weights join the zero cluster.
          if (clusters) clusters = clustersWithPruned(clusters, info.masks);
          const point = await h.addStartingPoint(parentId, 'prune', clusters ? `${label}, shared values kept` : label, metric, t0, clusters);
          parentId = point.id;
          await options.onPoint(point);
        },
      });
      const metric = await this.hooks.evaluate(h.live, progressFrom(control, 0.9));
      return h.addStartingPoint(parentId, 'finetune', clusters ? `${options.label}, shared values kept` : options.label, metric, t0, clusters);
    });
  }

  /**
   * Clusters the current model's kernels (weight sharing); the result is a new starting point of kind
   * 'cluster' that keeps its clusters, so a fine-tune from it trains the shared values. `label` names
   * the step; it may read the clusters made.
   */
  async cluster(options: ClusterModelOptions, label: (clusters: ClusterSet) => string, control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const h = this.points;
    const parentId = h.current.id;
    return h.rebuildingOnFailure(async () => {
      await control.checkpoint(0.05, 'Clustering weights');
      const clusters = await clusterModel(h.live, options);
      await control.checkpoint(0.4, 'Evaluating');
      const metric = await this.hooks.evaluate(h.live, progressFrom(control, 0.4));
      return h.addStartingPoint(parentId, 'cluster', label(clusters), metric, t0, clusters);
    });
  }

  /** The current point's clusters when its kernels share values (a clustered step, or a fine-tune of one). */
  clusters(): ClusterSet | undefined {
    return this.points.clustersOf();
  }

  /**
   * Re-estimates BatchNorm statistics of the current model on `batches` (inputs only; the session
   * disposes them). Weights and zeros are untouched; the result is a new starting point.
   */
  async recalibrate(batches: TrainBatch[], control: JobControl): Promise<HistoryPoint> {
    const t0 = performance.now();
    const h = this.points;
    const parentId = h.current.id;
    const inputs = batches.map((b) => (Array.isArray(b.xs) ? b.xs[0] : b.xs));
    try {
      return await h.rebuildingOnFailure(async () => {
        await recalibrateBatchNorm(h.live, inputs, progressBetween(control, 0, 0.4));
        const metric = await this.hooks.evaluate(h.live, progressFrom(control, 0.4));
        return h.addStartingPoint(parentId, 'finetune', `BatchNorm recalibrated on ${inputs.reduce((n, x) => n + x.shape[0], 0)} inputs`, metric, t0);
      });
    } finally {
      for (const b of batches) tf.dispose([b.xs, b.ys ?? []].flat());
    }
  }

  /** Makes a point current again and rebuilds the live model for it. */
  async restore(id: number): Promise<HistoryPoint> {
    const h = this.points;
    h.check(id);
    await h.rebuildingOnFailure(async () => {
      await h.materialize(id);
      h.makeCurrent(id);
    });
    return h.current;
  }

  /** Throws for an id that is not in the history. */
  check(id: number): void {
    this.points.check(id);
  }

  /**
   * Runs `work` on the live model made exactly what point `id` describes, then makes it the current
   * point again, also after a cancel or an error. For reading a past step's weights.
   */
  async atPoint<T>(id: number, work: (model: tf.LayersModel) => Promise<T>): Promise<T> {
    const h = this.points;
    h.check(id);
    if (id === h.current.id) return work(h.live);
    try {
      await h.materialize(id);
      return await work(h.live);
    } finally {
      await h.materialize();
    }
  }

  /**
   * Runs `work` on the current step's starting point (its live model and dependency graph), then
   * makes the live model the current point again, also after a cancel or an error. For work that
   * measures the starting point under other masks (a sensitivity scan, a plan) without adding steps.
   */
  async onStartingPoint<T>(work: (model: tf.LayersModel, context: StartingPointContext) => Promise<T>): Promise<T> {
    const h = this.points;
    const baseId = h.baseId;
    try {
      await h.materialize(baseId);
      return await work(h.live, {
        baseId,
        dependencies: h.dependencyGraph(baseId),
        withCalibration: (criterion, run) => this.withCalibration(criterion, UNCONTROLLED, run),
      });
    } finally {
      await h.materialize();
    }
  }

  /** Runs `work` with calibration data when the criterion is Taylor (none otherwise), and disposes it after. */
  private async withCalibration<T>(criterion: Criterion, control: JobControl, work: (taylor: TaylorOptions | undefined) => Promise<T>): Promise<T> {
    if (criterion !== 'taylor') return work(undefined);
    if (!this.hooks.calibration) throw new Error('The Taylor criterion needs labelled data, and this model has none yet');
    const taylor = await this.hooks.calibration(this.points.live, control);
    try {
      return await work(taylor);
    } finally {
      for (const b of taylor.batches) for (const x of [b.xs, b.ys].flat()) x.dispose();
    }
  }
}
