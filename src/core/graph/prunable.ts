// Which layers carry a kernel the pruning engine can cut. Biases and BatchNorm parameters stay dense.
import type * as tf from '@tensorflow/tfjs';
import { walkLayers, weightKey, weightSuffix } from './layerPaths';

/** Layer class -> names of its prunable weights (matched against the end of the variable name). */
export const PRUNABLE_KERNELS: Readonly<Record<string, readonly string[]>> = {
  Dense: ['kernel'],
  Conv1D: ['kernel'],
  Conv2D: ['kernel'],
  Conv3D: ['kernel'],
  Conv2DTranspose: ['kernel'],
  DepthwiseConv2D: ['depthwise_kernel'],
  SeparableConv2D: ['depthwise_kernel', 'pointwise_kernel'],
  Embedding: ['embeddings'],
  LSTM: ['kernel', 'recurrent_kernel'],
  GRU: ['kernel', 'recurrent_kernel'],
  SimpleRNN: ['kernel', 'recurrent_kernel'],
  // A Bidirectional wrapper holds a forward and a backward recurrent layer ("forward_lstm/kernel").
  Bidirectional: ['kernel', 'recurrent_kernel'],
};

export function isPrunableClass(className: string): boolean {
  return className in PRUNABLE_KERNELS;
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

/** Prunable weight names of a layer, looking through a TimeDistributed wrapper to the layer inside. */
function prunableNamesOf(layer: tf.layers.Layer): readonly string[] {
  const cls = layer.getClassName();
  if (cls === 'TimeDistributed') {
    const inner = (layer as unknown as { layer?: tf.layers.Layer }).layer;
    return inner ? (PRUNABLE_KERNELS[inner.getClassName()] ?? []) : [];
  }
  return PRUNABLE_KERNELS[cls] ?? [];
}

/**
 * Every prunable weight tensor of a model, in layer order (nested models included, depth first),
 * each named by a stable key. Only trainable-or-not float kernels listed in PRUNABLE_KERNELS; biases,
 * BatchNorm parameters and everything else stay dense.
 */
export function listPrunableTensors(model: tf.LayersModel): PrunableTensor[] {
  const out: PrunableTensor[] = [];
  for (const { path, layer } of walkLayers(model)) {
    const names = prunableNamesOf(layer);
    if (names.length === 0) continue;
    layer.weights.forEach((variable, weightIndex) => {
      const weight = weightSuffix(layer, variable);
      const last = weight.slice(weight.lastIndexOf('/') + 1);
      if (!names.includes(last) || variable.dtype !== 'float32') return;
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
