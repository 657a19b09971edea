// Top-1 accuracy of a classifier on a labelled image set (or its first `count` images), batch by
// batch, with progress and cancel. `prefixes` also reports the accuracy of the first n images from the
// same pass, so one full evaluation gives the live-subset figure for free.
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/fashionMnist';
import { batchToTensors } from '../data/tensors';
import { UNCONTROLLED, type JobControl } from '../job';

export interface AccuracyResult {
  correct: number;
  count: number;
  accuracy: number;
  /** Correct predictions among the first `prefix` images, for each prefix that was asked for. */
  prefixCorrect: Record<number, number>;
}

export async function evaluateAccuracy(
  model: tf.LayersModel,
  set: LabelledImages,
  control: JobControl = UNCONTROLLED,
  batchSize = 250,
  prefixes: readonly number[] = [],
  count = set.count,
): Promise<AccuracyResult> {
  let correct = 0;
  const prefixCorrect: Record<number, number> = {};
  const total = Math.min(count, set.count);
  for (let start = 0; start < total; start += batchSize) {
    const end = Math.min(total, start + batchSize);
    const predicted = tf.tidy(() => {
      const { xs } = batchToTensors(set, start, end);
      return (model.predict(xs) as tf.Tensor).argMax(-1);
    });
    const labels = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === set.labels[start + i]) correct++;
      if (prefixes.includes(start + i + 1)) prefixCorrect[start + i + 1] = correct;
    }
    await control.checkpoint(end / total, `Evaluating ${end} / ${total} images`);
  }
  return { correct, count: total, accuracy: total ? correct / total : 0, prefixCorrect };
}
