// The probe the backend choice times on each candidate: one training step of a small conv net
// (conv 3x3x8, ReLU, max-pool 2, conv 3x3x16, ReLU, dense 10, softmax cross-entropy; batch 16 on
// 28x28x1), forward and backward, finished when the loss is read back. The same kinds of kernels as
// the studio's jobs (conv forward and both conv gradients, pooling, matmul) at a tenth of the demo
// CNN's fine-tune step, so that the whole probe stays well under 2 s on every backend.
import * as tf from '@tensorflow/tfjs';
import type { ProbeRun } from './backendChoice';

const BATCH = 16;

/** Seeded, so that every backend computes the same thing. */
export function buildProbe(): ProbeRun {
  const vars = tf.tidy(() => ({
    w1: tf.variable(tf.randomNormal([3, 3, 1, 8], 0, 0.3, 'float32', 1)),
    w2: tf.variable(tf.randomNormal([3, 3, 8, 16], 0, 0.1, 'float32', 2)),
    w3: tf.variable(tf.randomNormal([14 * 14 * 16, 10], 0, 0.02, 'float32', 3)),
  }));
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 4);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 5), 10).toFloat());
  const loss = () => tf.tidy(() => {
    const h1 = tf.maxPool(tf.relu(tf.conv2d(x as tf.Tensor4D, vars.w1 as tf.Tensor as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    const h2 = tf.relu(tf.conv2d(h1, vars.w2 as tf.Tensor as tf.Tensor4D, 1, 'same'));
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(h2.reshape([BATCH, -1]), vars.w3)) as tf.Scalar;
  });
  const list = [vars.w1, vars.w2, vars.w3];
  return {
    async step() {
      const { value, grads } = tf.variableGrads(loss, list);
      // One read that needs the loss and every gradient, so a GPU backend finishes all of them.
      const check = tf.tidy(() => tf.addN([value, ...Object.values(grads).map((g) => g.sum())]));
      try {
        const v = (await check.data())[0];
        if (!Number.isFinite(v)) throw new Error(`its result came out as ${v}`);
      } finally {
        tf.dispose([value, check, ...Object.values(grads)]);
      }
    },
    dispose() {
      tf.dispose([x, y, ...list]);
    },
  };
}
