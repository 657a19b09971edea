// Measured, not guessed: with labels, try each candidate scaling on a class-balanced sample of 64
// images and keep the one the original model gets most right. When the folders' classes are not
// known yet (no class names), "right" is counted under the best assignment of folders to classes,
// the same measure the class mapping then uses. Ties keep the inferred scaling (listed first).
import type * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, progressBetween, type JobControl } from '../job';
import { predictOutputs, predictedClasses } from '../metrics/predictions';
import { maxAssignment } from './assignment';
import { predictionCounts } from './classMapping';
import type { PixelStore } from './pixelStore';
import { SCALING_LABELS, imageBatch, type Scaling } from './preprocess';
import { roundRobin } from './split';

export const SCALING_TRIAL_IMAGES = 64;

export interface ScalingTrial {
  scaling: Scaling;
  correct: number;
  count: number;
}

export interface ScalingChoice {
  scaling: Scaling;
  trials: ScalingTrial[];
  reason: string;
}

/** Up to `n` labelled images taking the folders in turn (folder < 0 is skipped). */
export function balancedSample(folder: ArrayLike<number>, n = SCALING_TRIAL_IMAGES): Int32Array {
  const lists: number[][] = [];
  for (let i = 0; i < folder.length; i++) {
    const f = folder[i];
    if (f < 0) continue;
    (lists[f] ??= []).push(i);
  }
  const order = roundRobin(lists.filter(Boolean));
  return order.subarray(0, Math.min(n, order.length));
}

export type ScalingTruth =
  /** Per sample image, the model's class. */
  | { kind: 'classes'; labels: Int32Array }
  /** Per sample image, its folder, whose class is not known yet. */
  | { kind: 'folders'; folders: Int32Array; folderCount: number };

/** Tries `candidates` on the images `sample` of `pixels`; `classes` is the model's class count. */
export async function chooseScaling(
  model: tf.LayersModel,
  pixels: PixelStore,
  sample: Int32Array,
  truth: ScalingTruth,
  candidates: readonly Scaling[],
  classes: number,
  control: JobControl = UNCONTROLLED,
): Promise<ScalingChoice> {
  const trials: ScalingTrial[] = [];
  for (let k = 0; k < candidates.length; k++) {
    const scaling = candidates[k];
    const outputs = await predictOutputs(model, sample.length, (s, e) => imageBatch(pixels, sample.subarray(s, e), scaling), progressBetween(control, k / candidates.length, (k + 1) / candidates.length), 64, `Trying ${SCALING_LABELS[scaling]} on`);
    const predicted = predictedClasses(outputs);
    let correct = 0;
    if (truth.kind === 'classes') {
      for (let i = 0; i < sample.length; i++) if (predicted[i] === truth.labels[i]) correct++;
    } else {
      const counts = predictionCounts(truth.folders, predicted, truth.folderCount, classes);
      const assigned = maxAssignment(counts);
      counts.forEach((row, f) => (correct += assigned[f] >= 0 ? row[assigned[f]] : 0));
    }
    trials.push({ scaling, correct, count: sample.length });
  }
  const best = trials.reduce((a, b) => (b.correct > a.correct ? b : a));
  const others = trials.filter((t) => t !== best).map((t) => `${SCALING_LABELS[t.scaling]}: ${t.correct}`);
  const under = truth.kind === 'folders' ? ' under the best mapping of folders to classes' : '';
  const reason =
    `${SCALING_LABELS[best.scaling]}: the original model gets ${best.correct} of ${best.count} sample images right${under}` +
    (others.length ? ` (${others.join('; ')})` : '');
  return { scaling: best.scaling, trials, reason };
}
