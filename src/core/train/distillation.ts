// Knowledge distillation (Hinton et al. 2015) as a loss for trainSteps: the pruned model (student)
// learns to reproduce the original (teacher) on unlabelled inputs. Label-free: batch.ys is ignored,
// so a user with images but no labels can still recover fidelity.
//
// Classifiers: KL(softmax(t/T) || softmax(s/T)) · T², t and s the teacher's and student's logits
// (the T² keeps gradient sizes comparable across temperatures). A model that ends in softmax gives
// probabilities, not logits; then log(p) (clipped at 1e-7) stands in for the logits: softmax(log p)
// = p, so at T = 1 this is exactly the KL between the two output distributions, and log p differs
// from the real logits only by a per-sample constant, which softmax ignores.
// Other models (regression, embeddings): mean squared error between the outputs.
import * as tf from '@tensorflow/tfjs';
import { endsInSoftmax, runModel, type LossFn } from './maskedTrainer';

export interface DistillationOptions {
  /** T > 0 (default 4). Higher softens both distributions and weighs the teacher's "dark knowledge". */
  temperature?: number;
  /**
   * What the outputs are. Default 'auto': 'probabilities' when the student ends in softmax, else
   * 'regression' (MSE). Say 'logits' for a classifier without a final softmax.
   */
  outputs?: 'auto' | 'probabilities' | 'logits' | 'regression';
}

const EPS = 1e-7;

export function distillationLoss(teacher: tf.LayersModel, options: DistillationOptions = {}): LossFn {
  const T = options.temperature ?? 4;
  if (!(T > 0) || !Number.isFinite(T)) throw new Error(`distillationLoss: temperature ${T} is not a positive number`);
  return (student, batch) => {
    const kind = options.outputs && options.outputs !== 'auto' ? options.outputs : endsInSoftmax(student) ? 'probabilities' : 'regression';
    // The teacher runs in inference mode; its weights are not in the gradient's variable list, so no
    // gradient flows into it.
    const t = runModel(teacher, batch.xs, false);
    const s = runModel(student, batch.xs, true);
    if (kind === 'regression') return tf.losses.meanSquaredError(t, s) as tf.Scalar;
    const toLogits = (x: tf.Tensor) => (kind === 'probabilities' ? tf.log(tf.clipByValue(x, EPS, 1)) : x);
    const tLog = tf.logSoftmax(tf.div(toLogits(t), T));
    const sLog = tf.logSoftmax(tf.div(toLogits(s), T));
    const kl = tf.sum(tf.mul(tf.exp(tLog), tf.sub(tLog, sLog)), -1);
    return tf.mul(tf.mean(kl), T * T) as tf.Scalar;
  };
}
