// Which weights the pruning engine can cut, as the layer rules (rules/) list them. Biases and
// BatchNorm parameters stay dense.
import type * as tf from '@tensorflow/tfjs';
import { walkLayers, weightKey, weightSuffix } from './layerPaths';
import { LAYER_RULES, layerRule, prunableNamesOf, weightBaseName } from './rules';

/** Layer class -> names of its prunable weights (matched against the end of the variable name), from the layer rules. */
export const PRUNABLE_KERNELS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [...LAYER_RULES.values()].filter((r) => r.prunable.length > 0).map((r) => [r.className, r.prunable.map((w) => w.name)]),
);

export function isPrunableClass(className: string): boolean {
  return layerRule(className).prunable.length > 0;
}

/** One prunable weight tensor of a model: what a mask is kept for. Plain data. */
export interface PrunableTensor {
  /** Layer path + '/' + weight suffix, e.g. "conv1/kernel" or "features/conv_1/kernel". */
  key: string;
  /** The layer's path (nested models joined with '/'), e.g. "features/conv_1". */
  layerPath: string;
  layerClass: string;
  /** The weight's own name within the layer: "kernel", "depthwise_kernel", "forward_lstm/kernel". */
  weight: string;
  /** Index of this variable in `layer.weights`. */
  weightIndex: number;
  shape: number[];
  size: number;
}

/**
 * Every prunable weight tensor of a model, in layer order (nested models included, depth first),
 * each named by a stable key. Only float32 weights the layer rules list as prunable (trainable or not); biases,
 * BatchNorm parameters and everything else stay dense.
 */
export function listPrunableTensors(model: tf.LayersModel): PrunableTensor[] {
  const out: PrunableTensor[] = [];
  for (const { path, layer } of walkLayers(model)) {
    const names = prunableNamesOf(layer);
    if (names.length === 0) continue;
    layer.weights.forEach((variable, weightIndex) => {
      const weight = weightSuffix(layer, variable);
      if (!names.includes(weightBaseName(weight)) || variable.dtype !== 'float32') return;
      const shape = variable.shape.map((d) => d ?? 0);
      out.push({
        key: weightKey(path, weight),
        layerPath: path,
        layerClass: layer.getClassName(),
        weight,
        weightIndex,
        shape,
        size: shape.reduce((a, b) => a * b, 1),
      });
    });
  }
  return out;
}
