// Tiny image models with fixed weights for the data tests: they need no training and their
// predictions are known by construction.
import * as tf from '@tensorflow/tfjs';

/**
 * [size, size, channels] -> mean of all pixels -> Dense(2, softmax) with logits [-mean, mean]:
 * class 1 ("bright") exactly when the mean input is above 0. Pixels of 50 and 200 are told apart
 * only when scaled to [-1, 1]: under [0, 1] or 0..255 every image is "bright".
 */
export function brightnessModel(size = 8, channels: 1 | 3 = 1): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.globalAveragePooling2d({ inputShape: [size, size, channels] }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  m.setWeights([tf.tensor2d(Array.from({ length: channels }, () => [-1, 1])), tf.tensor1d([0, 0])]);
  return m;
}
