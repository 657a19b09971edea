// Tiny seeded training data for the training-core tests.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import type { TrainBatch } from './maskedTrainer';

/** Seeded separable task: 3 classes, label = which third of the image is brightest on average. */
export function syntheticBatch(seed: number, n: number, size: number): TrainBatch {
  const rnd = mulberry32(seed);
  const x = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rnd() * 3);
    labels[i] = c;
    for (let r = 0; r < size; r++) {
      for (let col = 0; col < size; col++) {
        const band = Math.min(2, Math.floor((col * 3) / size));
        x[i * size * size + r * size + col] = rnd() * 0.5 + (band === c ? 0.5 : 0);
      }
    }
  }
  return tf.tidy(() => ({ xs: tf.tensor4d(x, [n, size, size, 1]), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() }));
}
