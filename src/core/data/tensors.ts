// Labelled image bytes -> model-ready tensors.
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from './fashionMnist';

/** The demo models take pixels scaled to 0..1. */
export const INPUT_SCALE = 1 / 255;

export interface TensorBatch {
  /** float32 [n, height, width, channels], pixels * INPUT_SCALE */
  xs: tf.Tensor4D;
  /** float32 one-hot [n, numClasses] */
  ys: tf.Tensor2D;
}

/**
 * Images `start` (inclusive) to `end` (exclusive) as tensors. The caller owns (and disposes) both.
 */
export function batchToTensors(set: LabelledImages, start: number, end: number, numClasses = 10): TensorBatch {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > set.count || start >= end) {
    throw new Error(`batchToTensors: range ${start}..${end} is not a non-empty slice of 0..${set.count}`);
  }
  const indices = new Int32Array(end - start);
  for (let i = 0; i < indices.length; i++) indices[i] = start + i;
  return gatherToTensors(set, indices, numClasses);
}

/**
 * The images at `indices` (in that order) as tensors, e.g. one shuffled training batch.
 * The caller owns (and disposes) both.
 */
export function gatherToTensors(set: LabelledImages, indices: ArrayLike<number>, numClasses = 10): TensorBatch {
  const n = indices.length;
  if (n === 0) throw new Error('gatherToTensors: no indices');
  const pixels = set.height * set.width * set.channels;
  const x = new Float32Array(n * pixels);
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= set.count) {
      throw new Error(`gatherToTensors: index ${i} is outside 0..${set.count - 1}`);
    }
    const label = set.labels[i];
    if (label >= numClasses) throw new Error(`gatherToTensors: label ${label} of image ${i} is not a class (0..${numClasses - 1})`);
    labels[j] = label;
    const src = i * pixels;
    const dst = j * pixels;
    for (let k = 0; k < pixels; k++) x[dst + k] = set.images[src + k] * INPUT_SCALE;
  }
  const xs = tf.tensor4d(x, [n, set.height, set.width, set.channels], 'float32');
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat()) as tf.Tensor2D;
  return { xs, ys };
}
