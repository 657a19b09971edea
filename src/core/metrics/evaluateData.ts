// A model measured on examples of a user's data set (prepareData.ts): accuracy for a classifier,
// mean absolute error and R² for regression, with the predictions kept so that the per-class
// table, the confusion change and the flipped examples (classDamage.ts) can compare two models on
// the same examples. Examples left out (a folder that matches no class) are not counted.
import type * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';
import { dataInputs, type PreparedData } from '../data/prepareData';
import { predictOutputs, predictedClasses, type Outputs } from './predictions';
import { meanAbsoluteError, rSquared } from './regression';

export interface DataEvaluation {
  metric: 'accuracy' | 'mae';
  /** Examples measured (labelled, not left out). */
  count: number;
  /** Classification: share right. */
  accuracy: number | null;
  correct: number | null;
  /** Regression: mean absolute error (lower is better) and R². */
  mae: number | null;
  r2: number | null;
  /** The examples measured (dataset indices), and per example the predicted class or value. */
  indices: Int32Array;
  predicted: Int32Array | Float32Array;
  outputs: Outputs;
}

/** Examples of `indices` that have a label to measure against. */
export function labelledIndices(data: PreparedData, indices: ArrayLike<number>): Int32Array {
  const labels = data.labels;
  if (!labels) throw new Error('evaluateData: the data set has no labels (measure agreement with the original model instead)');
  const regression = data.spec.task === 'regression';
  return Int32Array.from(Array.from(indices).filter((i) => regression || labels[i] >= 0));
}

export async function evaluateData(model: tf.LayersModel, data: PreparedData, indices: ArrayLike<number>, control: JobControl = UNCONTROLLED, batchSize = 64): Promise<DataEvaluation> {
  const measured = labelledIndices(data, indices);
  const labels = data.labels as Int32Array | Float32Array;
  const outputs = await predictOutputs(model, measured.length, (s, e) => dataInputs(data, measured.subarray(s, e)), control, batchSize, 'Measuring');
  const truth = Array.from(measured, (i) => labels[i]);
  if (data.spec.task === 'regression') {
    const predicted = outputs.values.filter((_, k) => k % outputs.units === 0);
    return { metric: 'mae', count: measured.length, accuracy: null, correct: null, mae: meanAbsoluteError(truth, predicted), r2: rSquared(truth, predicted), indices: measured, predicted, outputs };
  }
  const predicted = predictedClasses(outputs);
  let correct = 0;
  for (let k = 0; k < measured.length; k++) if (predicted[k] === truth[k]) correct++;
  return { metric: 'accuracy', count: measured.length, accuracy: measured.length ? correct / measured.length : 0, correct, mae: null, r2: null, indices: measured, predicted, outputs };
}

/** The share of examples on which two models predict the same class (fidelity on unlabelled data). */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`agreement: ${a.length} and ${b.length} predictions`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
