// Accuracy of a graph model on labelled images (the demo's Fashion-MNIST, or the user's), when the
// model fits them: one float input of one image ([batch, 28, 28, 1] for the demo) and one output
// with a score per class. Same counting as metrics/accuracy.ts, run through the graph.
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/fashionMnist';
import { batchToTensors } from '../data/tensors';
import { UNCONTROLLED, type JobControl } from '../job';
import type { AccuracyResult } from '../metrics/accuracy';
import type { GraphModelInfo } from './graphCheck';
import { runGraph } from './graphModelData';
import { zeroInputs } from './graphShapes';

/** The input's fixed batch size, or null when it is open. */
function fixedBatch(model: tf.GraphModel): number | null {
  const d = model.inputs[0]?.shape?.[0];
  return d !== undefined && d > 0 ? d : null;
}

/**
 * Whether the model takes images of `height` x `width` x `channels` (float) and gives one score per
 * class: checked on the declared input and by running it once on zeros (graph outputs rarely record
 * their shapes).
 */
export async function graphFitsImages(model: tf.GraphModel, info: Pick<GraphModelInfo, 'async'>, image: { height: number; width: number; channels: number }, classes: number): Promise<boolean> {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return false;
  const input = model.inputs[0];
  const shape = input.shape ?? [];
  const want = [image.height, image.width, image.channels];
  if (shape.length !== 4 || (input.dtype ?? 'float32') !== 'float32' || !want.every((d, k) => shape[k + 1] === d || shape[k + 1] === -1)) return false;
  const { inputs } = zeroInputs(model);
  try {
    const [y] = await runGraph(model, info, inputs);
    const ok = y.shape.length === 2 && y.shape[1] === classes;
    y.dispose();
    return ok;
  } catch {
    return false;
  } finally {
    tf.dispose(inputs);
  }
}

/** The demo data: 28 x 28 x 1 images, 10 classes. */
export function graphFitsDemoData(model: tf.GraphModel, info: Pick<GraphModelInfo, 'async'>, classes = 10): Promise<boolean> {
  return graphFitsImages(model, info, { height: 28, width: 28, channels: 1 }, classes);
}

/** Top-1 accuracy on the first `count` images of `set`, batch by batch, with progress and cancel. */
export async function evaluateGraphAccuracy(
  model: tf.GraphModel,
  info: Pick<GraphModelInfo, 'async'>,
  set: LabelledImages,
  control: JobControl = UNCONTROLLED,
  batchSize = 250,
  count = set.count,
): Promise<AccuracyResult> {
  const total = Math.min(count, set.count);
  const step = fixedBatch(model) ?? batchSize;
  let correct = 0;
  for (let start = 0; start < total; start += step) {
    const end = Math.min(total, start + step);
    const { xs, ys } = batchToTensors(set, start, end);
    ys.dispose();
    const [scores] = await runGraph(model, info, [xs]);
    const predicted = scores.argMax(-1);
    const labels = await predicted.data();
    tf.dispose([xs, scores, predicted]);
    for (let i = 0; i < labels.length; i++) if (labels[i] === set.labels[start + i]) correct++;
    await control.checkpoint(end / total, `Evaluating ${end} / ${total} images`);
  }
  return { correct, count: total, accuracy: total ? correct / total : 0, prefixCorrect: {} };
}
