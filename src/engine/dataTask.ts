// The user's own data as the task a model is measured and fine-tuned on (prepareData.ts made it):
// accuracy for a classifier with labels, mean absolute error for a regression model, agreement with
// the original model (fidelity) for unlabelled images or rows. Measured on the held-out split (the
// live subset is its first 500 examples); fine-tuning and calibration take the training split only.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult } from './api';
import { dataInputs, dataTrainingBatch, type PreparedData } from '../core/data/prepareData';
import { formatCount } from '../core/data/dataMessages';
import { mulberry32 } from '../core/data/seededRandom';
import { evaluateData } from '../core/metrics/evaluateData';
import { predictOutputs, predictedClasses } from '../core/metrics/predictions';
import type { JobControl } from '../core/job';
import type { TaylorOptions } from '../core/prune';
import { runModel, type LossFn, type TrainBatch } from '../core/train';
import { CALIBRATION_EXAMPLES, liveSetSize, type ExamplePredictions, type ExampleView, type ModelTask } from './tasks';

/** What each data kind is, in words, for the metric's note. */
const KIND_WORDS: Record<PreparedData['kind'], string> = {
  images: 'your images', tm: 'your Teachable Machine images', unlabelled: 'your unlabelled images', csv: 'your table\'s rows',
};

/** Loss for labelled fine-tuning when cross-entropy over classes does not fit the output. */
function dataLoss(data: PreparedData): LossFn | undefined {
  if (data.spec.task === 'regression') {
    return (model, batch) => tf.losses.meanSquaredError(batch.ys!, runModel(model, batch.xs, false)) as tf.Scalar;
  }
  if (data.spec.binarySigmoid) {
    return (model, batch) => tf.mean(tf.metrics.binaryCrossentropy(batch.ys!, runModel(model, batch.xs, false))) as tf.Scalar;
  }
  return undefined;
}

export class DataTask implements ModelTask {
  readonly metric: 'accuracy' | 'fidelity' | 'mae';
  readonly labelled: boolean;
  readonly loss: LossFn | undefined;
  readonly classNames: string[];
  /** Held-out examples that can be measured (labelled, not left out), live subset first. */
  private readonly test: Int32Array;
  /** The live set: the first examples of `test`, or all of them once the baseline shows that is fast. */
  private live: Int32Array;
  /** Training examples (those left out never among them). */
  private readonly train: Int32Array;
  /** Unlabelled: the original model's classes on the held-out examples (set by baseline). */
  private reference: Int32Array | null = null;

  constructor(readonly data: PreparedData) {
    const regression = data.spec.task === 'regression';
    this.labelled = data.labels !== null;
    this.metric = !this.labelled ? 'fidelity' : regression ? 'mae' : 'accuracy';
    const usable = (i: number) => regression || !data.labels || data.labels[i] >= 0;
    this.test = Int32Array.from(Array.from(data.split.test).filter(usable));
    this.live = this.test.subarray(0, Math.min(data.live.length, this.test.length));
    this.train = Int32Array.from(Array.from(data.split.train).filter(usable));
    this.loss = this.labelled ? dataLoss(data) : undefined;
    this.classNames = data.classNames;
  }

  get note(): string {
    const what = this.metric === 'accuracy' ? 'accuracy' : this.metric === 'mae' ? 'mean absolute error' : 'agreement with the original model';
    const on = this.live.length < this.test.length
      ? `the first ${formatCount(this.live.length)} of ${formatCount(this.test.length)} held-out examples`
      : `${formatCount(this.test.length)} held-out examples`;
    return `${what} on ${on} of ${KIND_WORDS[this.data.kind]}; fine-tuning ${this.labelled ? 'trains' : 'distils'} on the other ${formatCount(this.train.length)}`;
  }

  resumeLiveSet(count: number) {
    this.live = this.test.subarray(0, Math.max(1, Math.min(count, this.test.length)));
  }

  private async measure(model: tf.LayersModel, indices: Int32Array, control: JobControl, subset: boolean): Promise<EvalResult> {
    const t0 = performance.now();
    if (!this.labelled) {
      if (!this.reference) throw new Error('internal: agreement needs the original model\'s predictions first');
      const predicted = await this.classesOf(model, indices, control);
      let same = 0;
      for (let k = 0; k < predicted.length; k++) if (predicted[k] === this.reference[k]) same++;
      return { metric: 'fidelity', subset, value: predicted.length ? same / predicted.length : 0, count: predicted.length, ms: performance.now() - t0 };
    }
    const r = await evaluateData(model, this.data, indices, control);
    const value = (r.metric === 'mae' ? r.mae : r.accuracy) ?? 0;
    return { metric: r.metric, subset, value, count: r.count, ms: performance.now() - t0, ...(r.r2 !== null ? { r2: r.r2 } : {}) };
  }

  private async classesOf(model: tf.LayersModel, indices: Int32Array, control: JobControl): Promise<Int32Array> {
    const outputs = await predictOutputs(model, indices.length, (s, e) => dataInputs(this.data, indices.subarray(s, e)), control, 64, 'Measuring');
    return predictedClasses(outputs);
  }

  async baseline(model: tf.LayersModel, control: JobControl) {
    if (!this.labelled) this.reference = await this.classesOf(model, this.test, control);
    const baseline = await this.measure(model, this.test, control, false);
    // Fast enough: every step is measured on the whole held-out set. Else the live subset, a prefix
    // of it, gets its figure from a second, smaller pass.
    if (liveSetSize(baseline.ms, this.test.length, this.live.length) === this.test.length) {
      this.live = this.test;
      return { baseline, live: baseline };
    }
    return { baseline, live: await this.measure(model, this.live, control, true) };
  }

  evaluate(model: tf.LayersModel, control: JobControl, subset: boolean, limit = Infinity): Promise<EvalResult> {
    const all = subset ? this.live : this.test;
    return this.measure(model, all.subarray(0, Math.min(all.length, limit)), control, all.length < this.test.length || limit < all.length);
  }

  async calibration(control: JobControl, model: tf.LayersModel): Promise<TaylorOptions> {
    const indices = this.train.subarray(0, Math.min(CALIBRATION_EXAMPLES, this.train.length));
    if (this.labelled) {
      const { xs, ys } = dataTrainingBatch(this.data, indices);
      const loss = this.data.spec.task === 'regression' ? 'meanSquaredError' : this.data.spec.binarySigmoid ? 'binaryCrossentropy' : 'categoricalCrossentropy';
      return { batches: [{ xs, ys }], loss, control };
    }
    // No labels: cross-entropy against the model's own top-1 predictions (as FidelityTask does).
    const xs = dataInputs(this.data, indices);
    const ys = tf.tidy(() => {
      const p = model.predict(xs) as tf.Tensor;
      return tf.oneHot(p.argMax(-1), p.shape[p.shape.length - 1]).toFloat();
    });
    return { batches: [{ xs, ys }], loss: 'categoricalCrossentropy', control };
  }

  async trainer(batchSize: number) {
    const train = this.train;
    if (train.length === 0) throw new Error('The data set has no training examples: lower the held-out share');
    const stepsPerEpoch = Math.ceil(train.length / batchSize);
    const order = Int32Array.from(train);
    const rnd = mulberry32(20240614);
    let epochShuffled = -1;
    const batch = (step: number): TrainBatch => {
      const epoch = Math.floor(step / stepsPerEpoch);
      if (epoch !== epochShuffled) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        epochShuffled = epoch;
      }
      const start = (step % stepsPerEpoch) * batchSize;
      const indices = order.subarray(start, Math.min(order.length, start + batchSize));
      return this.labelled ? dataTrainingBatch(this.data, indices) : { xs: dataInputs(this.data, indices) };
    };
    return { stepsPerEpoch, batch };
  }

  async latencyInput(): Promise<tf.Tensor[]> {
    return [dataInputs(this.data, [this.test[0] ?? this.train[0] ?? 0])];
  }

  async predictions(model: tf.LayersModel, control: JobControl): Promise<ExamplePredictions | null> {
    if (this.data.spec.task === 'regression') return null;
    const predicted = await this.classesOf(model, this.live, control);
    // Unlabelled: the original model's classes stand in for the truth.
    const labels = this.labelled ? Int32Array.from(this.live, (i) => this.data.labels![i]) : this.reference!.slice(0, this.live.length);
    return { indices: Int32Array.from(this.live), labels, predicted };
  }

  examples(indices: ArrayLike<number>): ExampleView[] {
    const data = this.data;
    return Array.from(indices, (index) => {
      if (data.kind === 'csv') {
        const f = data.table.featureColumns.length;
        return { index, name: `row ${data.table.rowNumbers[index]}`, row: Array.from(data.table.features.subarray(index * f, (index + 1) * f)) };
      }
      const { height, width, channels } = data.set.pixels;
      return { index, name: data.set.paths[index], image: { width, height, channels, pixels: data.set.pixels.get(index).slice() } };
    });
  }

  dispose() {}
}
