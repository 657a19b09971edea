// Per-layer structure and weight statistics of a LayersModel: what the summary table shows.
import { layerOutputShape } from './layerGraph';
import type * as tf from '@tensorflow/tfjs';
import { isPrunableClass } from './prunable';

export interface LayerStats {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
  nonzero: number;
  sparsity: number;
  bytes: number;
  prunable: boolean;
}

export interface ModelStats {
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  layers: LayerStats[];
  totals: { params: number; nonzero: number; bytes: number; sparsity: number };
}

const BYTES_PER_FLOAT32 = 4;

/** Number of scalars in every weight of a layer (trainable and not), from the shapes alone. */
export function layerParamCount(layer: tf.layers.Layer): number {
  return layer.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
}

/** A layer's output shape, or its first one when it has several outputs. */
function firstShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
  return Array.isArray(shape[0]) ? (shape[0] as tf.Shape) : (shape as tf.Shape);
}

async function countNonzero(layer: tf.layers.Layer): Promise<number> {
  let nonzero = 0;
  for (const w of layer.weights) {
    // `read()` returns the live variable: read its data, never dispose it.
    const values = await w.read().data();
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzero++;
  }
  return nonzero;
}

export async function modelStats(model: tf.LayersModel): Promise<ModelStats> {
  const layers: LayerStats[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const params = layerParamCount(layer);
    const nonzero = await countNonzero(layer);
    layers.push({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: firstShape(layerOutputShape(layer)),
      params,
      nonzero,
      sparsity: params ? 1 - nonzero / params : 0,
      bytes: params * BYTES_PER_FLOAT32,
      prunable: isPrunableClass(layer.getClassName()),
    });
  }
  const params = layers.reduce((n, l) => n + l.params, 0);
  const nonzero = layers.reduce((n, l) => n + l.nonzero, 0);
  return {
    inputShape: firstShape(model.inputs[0].shape),
    outputShape: firstShape(model.outputs[0].shape),
    layers,
    totals: { params, nonzero, bytes: params * BYTES_PER_FLOAT32, sparsity: params ? 1 - nonzero / params : 0 },
  };
}
