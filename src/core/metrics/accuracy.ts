// Top-1 accuracy of a classifier on a labelled image set, batch by batch, with progress and cancel.
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/fashionMnist';
import { batchToTensors } from '../data/tensors';
import { UNCONTROLLED, type JobControl } from '../job';

export interface AccuracyResult {
  correct: number;
  count: number;
  accuracy: number;
}

export async function evaluateAccuracy(
  model: tf.LayersModel,
  set: LabelledImages,
  control: JobControl = UNCONTROLLED,
  batchSize = 250,
): Promise<AccuracyResult> {
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const predicted = tf.tidy(() => {
      const { xs } = batchToTensors(set, start, end);
      return (model.predict(xs) as tf.Tensor).argMax(-1);
    });
    const labels = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < labels.length; i++) if (labels[i] === set.labels[start + i]) correct++;
    await control.checkpoint(end / set.count, `Evaluating ${end} / ${set.count} images`);
  }
  return { correct, count: set.count, accuracy: set.count ? correct / set.count : 0 };
}
