// What a loaded model is measured and trained on. The embedded demo data gives accuracy for models
// that take a 28×28×1 image and give 10 classes (the demo models, a user's own Fashion-MNIST model);
// any other model gets fidelity to its original on generated probe inputs (core/metrics/fidelity.ts)
// and label-free fine-tuning by distillation from the original.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult } from './api';
import type { LabelledImages } from '../core/data/fashionMnist';
import { batchToTensors, gatherToTensors } from '../core/data/tensors';
import { mulberry32 } from '../core/data/seededRandom';
import { evaluateAccuracy } from '../core/metrics/accuracy';
import {
  describeFidelity, fidelityKind, fidelityOf, probeInputs, probeSpec, referenceOutputs, type FidelityKind, type ProbeSpec,
} from '../core/metrics/fidelity';
import type { JobControl } from '../core/job';
import { countModel } from '../core/graph/macs';
import type { TaylorOptions } from '../core/prune';
import type { LossFn, TrainBatch } from '../core/train';
import { predictOutputs, predictedClasses } from '../core/metrics/predictions';

/**
 * Images of the held-out set every step is measured on when the whole set is too slow to measure
 * after each slider move (its first ones: class-balanced by construction).
 */
export const LIVE_SUBSET = 500;
/**
 * A whole held-out set that the baseline pass measured within this time becomes the live set: every
 * step is then measured on all of it, and a slider release still gives its point within a second.
 */
export const WHOLE_SET_BUDGET_MS = 600;
/** Training images (or probe inputs) the Taylor criterion takes its gradients from. */
export const CALIBRATION_EXAMPLES = 256;
/** Probe inputs fidelity is measured on, at most; fewer for expensive models (see probeCount). */
export const MAX_PROBES = 256;

/** Per-example classes on the live subset, for the per-class damage views. */
export interface ExamplePredictions {
  /** The examples' indices in the data set. */
  indices: Int32Array;
  /** Per example: its class (for unlabelled data, the original model's prediction). */
  labels: Int32Array;
  predicted: Int32Array;
}

/** One example as the page shows it: its pixels as the model sees them (uint8), or a table row. */
export interface ExampleView {
  index: number;
  /** The file (images) or "row 12" (a table). */
  name: string;
  image?: { width: number; height: number; channels: number; pixels: Uint8Array };
  row?: number[];
}

export interface ModelTask {
  readonly metric: 'accuracy' | 'fidelity' | 'mae';
  /** What the metric is, in words, for the UI ("accuracy on 2,000 Fashion-MNIST test images"). */
  readonly note: string;
  /** Whether fine-tuning has labels; without them it distils from the original model. */
  readonly labelled: boolean;
  /**
   * The whole held-out set, and the live set's figure from the same pass: the live set is the whole
   * set when that pass was fast enough (`live` then equals `baseline`), else the first LIVE_SUBSET.
   */
  baseline(model: tf.LayersModel, control: JobControl): Promise<{ baseline: EvalResult; live: EvalResult }>;
  /**
   * A restored session: measure new steps on the `count` examples its saved points were measured on
   * (the baseline that chose them is not run again). Tasks whose live set never varies ignore it.
   */
  resumeLiveSet?(count: number): void;
  /** On the live set (`subset` true) or the whole held-out set; `limit` caps the examples (a sensitivity scan's many evaluations). */
  evaluate(model: tf.LayersModel, control: JobControl, subset: boolean, limit?: number): Promise<EvalResult>;
  /** Calibration batches for the Taylor criterion on `model`; the caller disposes the tensors. */
  calibration(control: JobControl, model: tf.LayersModel): Promise<TaylorOptions>;
  /** Training examples per epoch, and example batches in a seeded order. */
  trainer(batchSize: number): Promise<{ stepsPerEpoch: number; batch: (step: number) => TrainBatch }>;
  /** One example per model input, for timing predictions; the caller disposes it. */
  latencyInput(): Promise<tf.Tensor[]>;
  /** The fine-tune loss against labels when cross-entropy over classes does not fit (regression, one sigmoid). */
  readonly loss?: LossFn;
  /** Class names, for the per-class views. */
  readonly classNames?: readonly string[];
  /** Classes on the live subset (null or absent: the task has no classes to compare). */
  predictions?(model: tf.LayersModel, control: JobControl): Promise<ExamplePredictions | null>;
  /** The examples at `indices`, to show. */
  examples?(indices: ArrayLike<number>): ExampleView[];
  dispose(): void;
}

/** Does the model take the demo images and give one score per demo class? */
export function fitsDemoData(model: tf.LayersModel, classes: number): boolean {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return false;
  const [, h, w, c, ...rest] = model.inputs[0].shape;
  const out = model.outputs[0].shape;
  return h === 28 && w === 28 && c === 1 && rest.length === 0 && out.length === 2 && out[1] === classes;
}

/**
 * How many held-out examples each step is measured on, given how long a pass over all `count` of
 * them took (warm-up included, so the choice errs towards the subset): all of them within
 * WHOLE_SET_BUDGET_MS, else the first `subset`.
 */
export function liveSetSize(passMs: number, count: number, subset: number, budgetMs = WHOLE_SET_BUDGET_MS): number {
  return passMs <= budgetMs ? count : Math.min(subset, count);
}

/** Accuracy on the embedded Fashion-MNIST subset; fine-tuning on its training images. */
export class DemoTask implements ModelTask {
  readonly metric = 'accuracy';
  readonly labelled = true;
  /** Test images every step is measured on: LIVE_SUBSET until the baseline shows the whole set is fast. */
  private liveCount: number;
  /** The test images once predictions have read them (examples() is synchronous). */
  private loadedTest: LabelledImages | null = null;

  /** `budgetMs`: the longest baseline pass that makes the whole set the live set (tests pick it). */
  constructor(
    private readonly images: (which: 'train' | 'test') => Promise<LabelledImages>,
    private readonly testCount: number,
    private readonly budgetMs = WHOLE_SET_BUDGET_MS,
  ) {
    this.liveCount = Math.min(LIVE_SUBSET, testCount);
  }

  get note(): string {
    const all = `${this.testCount.toLocaleString('en-US')} Fashion-MNIST test images`;
    return this.liveCount < this.testCount ? `accuracy on the first ${this.liveCount.toLocaleString('en-US')} of ${all}` : `accuracy on ${all}`;
  }

  async baseline(model: tf.LayersModel, control: JobControl) {
    const set = await this.images('test');
    const live = Math.min(LIVE_SUBSET, set.count);
    const t0 = performance.now();
    const r = await evaluateAccuracy(model, set, control, 250, [live], set.count);
    const ms = performance.now() - t0;
    const baseline: EvalResult = { metric: 'accuracy', subset: false, value: r.accuracy, count: r.count, ms };
    this.liveCount = liveSetSize(ms, r.count, live, this.budgetMs);
    if (this.liveCount === r.count) return { baseline, live: baseline };
    return { baseline, live: { metric: 'accuracy', subset: true, value: r.prefixCorrect[live] / live, count: live, ms: ms * (live / r.count) } satisfies EvalResult };
  }

  resumeLiveSet(count: number) {
    this.liveCount = Math.max(1, Math.min(count, this.testCount));
  }

  async evaluate(model: tf.LayersModel, control: JobControl, subset: boolean, limit = Infinity): Promise<EvalResult> {
    const set = await this.images('test');
    const t0 = performance.now();
    const r = await evaluateAccuracy(model, set, control, 250, [], Math.min(limit, subset ? this.liveCount : set.count));
    return { metric: 'accuracy', subset: r.count < set.count, value: r.accuracy, count: r.count, ms: performance.now() - t0 };
  }

  async calibration(control: JobControl): Promise<TaylorOptions> {
    const train = await this.images('train');
    const indices = Array.from({ length: Math.min(CALIBRATION_EXAMPLES, train.count) }, (_, i) => i);
    const { xs, ys } = gatherToTensors(train, indices);
    return { batches: [{ xs, ys }], loss: 'categoricalCrossentropy', control };
  }

  async trainer(batchSize: number) {
    const train = await this.images('train');
    const stepsPerEpoch = Math.ceil(train.count / batchSize);
    // A fresh seeded shuffle per epoch; the last batch of an epoch may be short.
    const order = new Int32Array(train.count);
    const rnd = mulberry32(20171101);
    let epochShuffled = -1;
    const batch = (step: number): TrainBatch => {
      const epoch = Math.floor(step / stepsPerEpoch);
      if (epoch !== epochShuffled) {
        for (let i = 0; i < order.length; i++) order[i] = i;
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        epochShuffled = epoch;
      }
      const start = (step % stepsPerEpoch) * batchSize;
      return gatherToTensors(train, order.subarray(start, Math.min(train.count, start + batchSize)));
    };
    return { stepsPerEpoch, batch };
  }

  async latencyInput(): Promise<tf.Tensor[]> {
    const { xs, ys } = gatherToTensors(await this.images('test'), [0]);
    ys.dispose();
    return [xs];
  }

  async predictions(model: tf.LayersModel, control: JobControl): Promise<ExamplePredictions> {
    const set = await this.images('test');
    this.loadedTest = set;
    // The examples every step is measured on, so the per-class figures add up to the step's.
    const n = Math.min(this.liveCount, set.count);
    const outputs = await predictOutputs(model, n, (s, e) => batchToTensors(set, s, e).xs, control, 250, 'Measuring');
    return { indices: Int32Array.from({ length: n }, (_, i) => i), labels: Int32Array.from(set.labels.subarray(0, n)), predicted: predictedClasses(outputs) };
  }

  examples(indices: ArrayLike<number>): ExampleView[] {
    const set = this.loadedTest;
    if (!set) return [];
    const size = set.height * set.width * set.channels;
    return Array.from(indices, (index) => ({
      index, name: `test image ${index + 1}`,
      image: { width: set.width, height: set.height, channels: set.channels, pixels: set.images.slice(index * size, (index + 1) * size) },
    }));
  }

  dispose() {}
}

/** Probes when the model's cost is unknown (dynamic height and width: image-to-image nets are heavy). */
export const UNKNOWN_COST_PROBES = 48;

/** Probe inputs a model of this cost can run in a second or two on a slow backend. */
export function probeCount(macsPerExample: number | null): number {
  const budget = 2e9;
  if (!macsPerExample) return UNKNOWN_COST_PROBES;
  return Math.max(16, Math.min(MAX_PROBES, Math.floor(budget / macsPerExample)));
}

/**
 * Fidelity to the original model on seeded probe inputs, and distillation from it for fine-tuning
 * (fresh probe inputs every step, so it does not overfit the evaluation probes).
 */
export class FidelityTask implements ModelTask {
  readonly metric = 'fidelity';
  readonly labelled = false;
  readonly note: string;
  private readonly kind: FidelityKind;
  private readonly spec: ProbeSpec;
  private readonly probes: tf.Tensor[];
  private reference: Float32Array[] | null = null;

  constructor(original: tf.LayersModel, private readonly count: number) {
    this.kind = fidelityKind(original);
    this.spec = probeSpec(original);
    this.probes = probeInputs(this.spec, count, 20250101);
    this.note = describeFidelity(this.kind, count);
  }

  private batchSize() {
    return Math.min(64, this.count);
  }

  async baseline(model: tf.LayersModel, control: JobControl) {
    const t0 = performance.now();
    this.reference = await referenceOutputs(model, this.probes, this.batchSize(), control);
    const result: EvalResult = { metric: 'fidelity', subset: false, value: 1, count: this.count, ms: performance.now() - t0 };
    return { baseline: result, live: { ...result, subset: true } };
  }

  async evaluate(model: tf.LayersModel, control: JobControl, subset: boolean, _limit?: number): Promise<EvalResult> {
    if (!this.reference) throw new Error('internal: fidelity needs the original model\'s outputs first');
    const t0 = performance.now();
    const outputs = await referenceOutputs(model, this.probes, this.batchSize(), control);
    return { metric: 'fidelity', subset, value: fidelityOf(this.kind, outputs, this.reference), count: this.count, ms: performance.now() - t0 };
  }

  async calibration(control: JobControl, model: tf.LayersModel): Promise<TaylorOptions> {
    // Without labels, Taylor scores take the gradient of a stand-in loss on fresh probes: for a
    // classifier, cross-entropy against the model's own top-1 predictions (pseudo-labels); otherwise
    // the output energy ½‖y‖², i.e. how much each weight moves the output. Distance to the original
    // would be useless here: at the original model its gradient is exactly zero.
    const xs = probeInputs(this.spec, Math.min(CALIBRATION_EXAMPLES, this.count), 7);
    const input = xs.length === 1 ? xs[0] : xs;
    if (this.kind === 'agreement') {
      const ys = tf.tidy(() => {
        const p = model.predict(input) as tf.Tensor;
        return tf.oneHot(p.argMax(-1), p.shape[p.shape.length - 1]).toFloat();
      });
      return { batches: [{ xs: input, ys }], loss: 'categoricalCrossentropy', control };
    }
    return {
      batches: [{ xs: input, ys: tf.zeros([1]) }],
      lossOf: (m) => tf.tidy(() => {
        const out = m.predict(input);
        const list = Array.isArray(out) ? out : [out];
        return tf.addN(list.map((y) => tf.mul(0.5, tf.mean(tf.square(y))))) as tf.Scalar;
      }),
      control,
    };
  }

  async trainer(batchSize: number) {
    // An "epoch" of distillation is as many fresh probe inputs as the evaluation uses, at least 1,000.
    const perEpoch = Math.max(1000, this.count);
    return {
      stepsPerEpoch: Math.ceil(perEpoch / batchSize),
      batch: (step: number): TrainBatch => {
        const xs = probeInputs(this.spec, batchSize, 1_000_003 + step);
        return { xs: xs.length === 1 ? xs[0] : xs };
      },
    };
  }

  async latencyInput(): Promise<tf.Tensor[]> {
    return probeInputs(this.spec, 1, 11);
  }

  dispose() {
    tf.dispose(this.probes);
  }
}

/** The demo data a task may measure a model on, read on first use. */
export interface DemoData {
  /** How many classes the demo has (known without reading anything). */
  classes: number;
  testCount(): Promise<number>;
  images(which: 'train' | 'test'): Promise<LabelledImages>;
}

/**
 * What a freshly loaded model is measured and trained on. `origin` 'demo': one of the demo models;
 * 'import': a user's model. The engine takes one as a dependency, so tests hand it fake tasks.
 */
export type TaskFactory = (model: tf.LayersModel, demo: DemoData, origin: 'demo' | 'import') => Promise<ModelTask>;

/**
 * The demo data when it fits the model (the test images read before this returns), else fidelity to
 * the original on as many probes as the model's cost allows.
 */
export const chooseTask: TaskFactory = async (model, demo, origin) => {
  if (origin === 'demo' || fitsDemoData(model, demo.classes)) {
    await demo.images('test');
    return new DemoTask(demo.images, await demo.testCount());
  }
  // Dynamic height, width or length: the MAC count misses most of the work, so it is "unknown".
  const dynamic = model.inputs.some((i) => i.shape.slice(1).some((d) => d === null));
  let macs: number | null = null;
  try {
    macs = dynamic ? null : (await countModel(model)).totals.macs || null;
  } catch {
    macs = null;
  }
  return new FidelityTask(model, probeCount(macs));
};
