// A model's outputs on examples given batch by batch, with progress and cancel, and what they
// predict: the top class of a classifier (one sigmoid unit: class 1 above 0.5), or the values of
// a regression model. Inputs are made per batch by the caller (uint8 pixels or table rows to float).
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';

export interface Outputs {
  count: number;
  /** Output units per example. */
  units: number;
  /** [count * units], row-major. */
  values: Float32Array;
}

/**
 * Runs `model` on examples 0..count-1; `input(start, end)` makes the batch of examples start..end-1
 * (the caller's tensor, disposed here).
 */
export async function predictOutputs(
  model: tf.LayersModel,
  count: number,
  input: (start: number, end: number) => tf.Tensor,
  control: JobControl = UNCONTROLLED,
  batchSize = 64,
  label = 'Predicting',
): Promise<Outputs> {
  let values = new Float32Array(0);
  let units = 0;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const out = tf.tidy(() => {
      const xs = input(start, end);
      const y = model.predict(xs) as tf.Tensor;
      return y.reshape([end - start, -1]);
    });
    const data = (await out.data()) as Float32Array;
    if (start === 0) {
      units = out.shape[1] as number;
      values = new Float32Array(count * units);
    }
    out.dispose();
    values.set(data, start * units);
    await control.checkpoint(end / count, `${label} ${end} / ${count}`);
  }
  return { count, units, values };
}

/** Each example's predicted class: the top score, or for one sigmoid unit, whether it is above 0.5. */
export function predictedClasses(outputs: Outputs): Int32Array {
  const { count, units, values } = outputs;
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * units;
    if (units === 1) {
      classes[i] = values[o] > 0.5 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let k = 1; k < units; k++) if (values[o + k] > values[o + best]) best = k;
    classes[i] = best;
  }
  return classes;
}

/** One example's scores, for showing them (a flipped example's before and after). */
export function scoresOf(outputs: Outputs, i: number): Float32Array {
  return outputs.values.slice(i * outputs.units, (i + 1) * outputs.units);
}
