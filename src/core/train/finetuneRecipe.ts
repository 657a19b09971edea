// From the fine-tune panel's options to one training run: the number of steps, the optimizer, the
// loss (labels or distillation), the sparsity penalty, the pruning events of a schedule and the
// labels of the points it makes; and the live figures a running fine-tune reports (loss, time left,
// zeros kept, and a metric measured every few steps between two of them).
import type * as tf from '@tensorflow/tfjs';
import type { JobControl } from '../job';
import type { Criterion } from '../prune/importance';
import type { Granularity } from '../prune/pruneRequest';
import { distillationLoss } from './distillation';
import { crossEntropyLoss, type LossFn, type OptimizerSpec, type Regularizer, type StepInfo } from './maskedTrainer';
import { bnGammaL1, groupLasso, l1Kernels } from './regularizers';
import { pruneSchedule, type PruneEvent } from './schedules';

/** What a schedule prunes: weights, never channels (those are removed once, then fine-tuned). */
export type ScheduleGranularity = Exclude<Granularity, 'channels'>;

export interface FinetuneOptions {
  /**
   * Passes over the training examples; fractions allowed (0.25 = a quarter). For a model the demo
   * data fits, the demo training images; for any other model, as many fresh generated inputs as
   * its fidelity is measured on (at least 1,000).
   */
  epochs: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd';
  batchSize: number;
  /**
   * 'labels' (default): cross-entropy against the labels. 'distill': learn the original model's
   * outputs (knowledge distillation), no labels needed. Models without labelled data always distil.
   */
  targets?: 'labels' | 'distill';
  /**
   * A sparsity-inducing penalty added to the loss, so that the next prune removes weights that are
   * already near zero: L1 on kernels, group lasso on channels, or L1 on BatchNorm gamma (network slimming).
   */
  regularizer?: { kind: 'l1' | 'groupLasso' | 'bnGamma'; strength: number } | null;
  /**
   * Prune while training: 'iterative' (k rounds of prune a little, train) or 'agp' (Zhu & Gupta's
   * gradual cubic) up to `final` of the prunable weights, with the given granularity (unstructured,
   * or 2:4 / 4:8, which prune at the first event) and criterion. Each pruning event becomes a history
   * point as it happens. Absent: fine-tune the current model as it is (after a one-shot prune).
   */
  schedule?: { kind: 'iterative' | 'agp'; final: number; rounds: number; granularity: ScheduleGranularity; criterion: Criterion } | null;
}

/** A fine-tune's figures after each step, as the page shows them. */
export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  /** ms left at the current pace. */
  etaMs: number;
  /** Pruned weights still exactly 0, counted after this step (all of them, when the masks hold). */
  zerosKept: number;
  zerosPruned: number;
  /** The metric on the first few held-out examples, measured every few steps, and at which step. */
  metric?: number;
  metricStep?: number;
}

export interface FinetuneRecipe {
  steps: number;
  optimizer: OptimizerSpec;
  regularizer?: Regularizer;
  /** Learn the original model's outputs instead of the labels. */
  distil: boolean;
  /** The label of the fine-tuned point. */
  label: string;
  /** Pruning while training; null: fine-tune the model as it is. */
  schedule: {
    events: PruneEvent[];
    granularity: ScheduleGranularity;
    criterion: Criterion;
    /** "AGP", "Iterative": the start of each pruning event's label. */
    kindLabel: string;
  } | null;
}

export function regularizerOf(r: NonNullable<FinetuneOptions['regularizer']>): Regularizer {
  if (r.kind === 'l1') return l1Kernels(r.strength);
  if (r.kind === 'groupLasso') return groupLasso(r.strength);
  return bnGammaL1(r.strength);
}

/**
 * The run for checked options (see engine/requestValidation.ts), given how many steps an epoch of the
 * model's training examples takes and whether those have labels.
 */
export function finetuneRecipe(o: FinetuneOptions, data: { stepsPerEpoch: number; labelled: boolean }): FinetuneRecipe {
  const steps = Math.max(1, Math.round(o.epochs * data.stepsPerEpoch));
  // Without labels (or when asked), the pruned model learns to reproduce the original one.
  const distil = !data.labelled || o.targets === 'distill';
  const base = `${distil ? 'distilled' : 'fine-tuned'} ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, ${o.optimizer === 'adam' ? 'Adam' : 'SGD'} lr ${o.learningRate}`;
  const s = o.schedule;
  return {
    steps,
    distil,
    optimizer: o.optimizer === 'adam' ? { kind: 'adam', learningRate: o.learningRate } : { kind: 'sgd', learningRate: o.learningRate, momentum: 0.9 },
    regularizer: o.regularizer ? regularizerOf(o.regularizer) : undefined,
    label: s ? `${base}, pruning ${s.kind === 'agp' ? 'gradually (AGP)' : `in ${s.rounds} rounds`} to ${Math.round(s.final * 100)}%` : base,
    schedule: s ? {
      events: pruneSchedule(s.kind, { final: s.final, totalSteps: steps, rounds: Math.min(s.rounds, steps) }),
      granularity: s.granularity,
      criterion: s.criterion,
      kindLabel: s.kind === 'agp' ? 'AGP' : 'Iterative',
    } : null,
  };
}

/**
 * The loss of a recipe: distillation from `teacher` when it distils, else cross-entropy against the
 * labels with BatchNorm statistics frozen and Dropout off (the usual short fine-tune of a pruned
 * model, and about twice as fast on the cpu and webgl backends as a training-mode step).
 */
export function recipeLoss(recipe: FinetuneRecipe, teacher: tf.LayersModel | null): LossFn {
  if (recipe.distil) {
    if (!teacher) throw new Error('internal: distillation needs the original model');
    return distillationLoss(teacher);
  }
  return crossEntropyLoss({ training: false });
}

/** The live metric is measured every this many steps (and after the last one). */
export const LIVE_METRIC_EVERY = 10;

export interface TrainingWatch {
  /** For the trainer's onStep. */
  onStep(info: StepInfo): void;
  /** The run's control: measures the live metric when due, between two steps, then checkpoints `control`. */
  control: JobControl;
}

/**
 * Follows a training run for the page: after each step, the loss, the time left and the zeros kept;
 * every `every` steps (and after the last) the metric `measure` returns, measured at the next
 * checkpoint, between two steps. Each change goes to `report`.
 */
export function watchTraining(options: {
  totalSteps: number;
  control: JobControl;
  measure: () => Promise<number>;
  report: (progress: TrainProgress) => void;
  every?: number;
  now?: () => number;
}): TrainingWatch {
  const every = options.every ?? LIVE_METRIC_EVERY;
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  let last: TrainProgress = { step: 0, totalSteps: options.totalSteps, loss: NaN, etaMs: 0, zerosKept: 0, zerosPruned: 0 };
  let measuredAt = -1;
  return {
    onStep: (info) => {
      const zeros = Object.values(info.zerosKept);
      last = {
        ...last,
        step: info.step, totalSteps: info.totalSteps, loss: info.loss,
        etaMs: ((now() - t0) / info.step) * (info.totalSteps - info.step),
        zerosKept: zeros.reduce((n, z) => n + z.kept, 0), zerosPruned: zeros.reduce((n, z) => n + z.pruned, 0),
      };
      options.report(last);
    },
    control: {
      checkpoint: async (fraction, label) => {
        if (last.step > 0 && last.step !== measuredAt && (last.step % every === 0 || last.step === last.totalSteps)) {
          measuredAt = last.step;
          last = { ...last, metric: await options.measure(), metricStep: last.step };
          options.report(last);
        }
        return options.control.checkpoint(fraction, label);
      },
    },
  };
}
