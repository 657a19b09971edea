// The model's weight values as flat arrays by weight key, read once for the whole surgery.
import type * as tf from '@tensorflow/tfjs';
import { walkLayers, weightKey, weightSuffix } from '../layerPaths';
import type { GraphNode } from '../layerGraph';
import type { FlatTensor, WeightLookup } from '../rules';

/** Weight key -> values. */
export type WeightValues = ReadonlyMap<string, FlatTensor>;

/** Copies of every weight of the model (nested models included). */
export async function readWeightValues(model: tf.LayersModel): Promise<WeightValues> {
  const vals = new Map<string, FlatTensor>();
  for (const { path, layer } of walkLayers(model)) {
    for (const v of layer.weights) {
      vals.set(weightKey(path, weightSuffix(layer, v)), { values: Float32Array.from((await v.read().data()) as Float32Array), shape: v.shape.map((d) => d ?? 0) });
    }
  }
  return vals;
}

/** The weights of one node's layer, by suffix. */
export function weightsOf(values: WeightValues, node: Pick<GraphNode, 'path'>): WeightLookup {
  return (suffix) => values.get(weightKey(node.path, suffix));
}
