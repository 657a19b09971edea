// A copy of a model's weight values as plain data, so masks can always be applied to the original
// weights (lowering a target sparsity brings weights back) and a session can be restored.
import * as tf from '@tensorflow/tfjs';
import { walkLayers, weightKey, weightSuffix } from '../graph/layerPaths';
import { findVariable } from './masks';

export interface WeightValues {
  layerPath: string;
  weight: string;
  shape: number[];
  values: Float32Array;
}

/** Weight key -> values, for every float32 weight of the model (nested models included). */
export type WeightSnapshot = Record<string, WeightValues>;

export async function captureWeights(model: tf.LayersModel): Promise<WeightSnapshot> {
  const snap: WeightSnapshot = {};
  for (const { path, layer } of walkLayers(model)) {
    for (const v of layer.weights) {
      if (v.dtype !== 'float32') continue;
      const weight = weightSuffix(layer, v);
      const values = Float32Array.from((await v.read().data()) as Float32Array);
      snap[weightKey(path, weight)] = { layerPath: path, weight, shape: v.shape.map((d) => d ?? 0), values };
    }
  }
  return snap;
}

/** Writes the snapshot back into the live variables. Throws naming the first weight that does not fit. */
export function restoreWeights(model: tf.LayersModel, snap: WeightSnapshot): void {
  const targets: [tf.LayerVariable, WeightValues][] = [];
  for (const [key, w] of Object.entries(snap)) {
    const v = findVariable(model, w.layerPath, w.weight);
    if (!v) throw new Error(`snapshot weight ${key}: the model has no such weight`);
    if (v.shape.length !== w.shape.length || v.shape.some((d, i) => d !== w.shape[i])) {
      throw new Error(`snapshot weight ${key}: shape [${w.shape}] does not match the model's [${v.shape}]`);
    }
    targets.push([v, w]);
  }
  for (const [v, w] of targets) {
    tf.tidy(() => {
      v.write(tf.tensor(w.values, w.shape, 'float32'));
    });
  }
}
