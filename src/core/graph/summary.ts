// Per-layer structure and weight statistics of a LayersModel: what the summary table shows. A nested
// model (a Teachable Machine export's inner Sequential, MobileNet inside a functional model) is one
// row for the whole model, followed by rows for its own layers, each named by its path.
import { layerOutputShape } from './layerGraph';
import type * as tf from '@tensorflow/tfjs';
import { isNestedModel } from './layerPaths';
import { isPrunableClass } from './prunable';

export interface LayerStats {
  /** The layer's path: its name, after the names of the nested models that contain it ("features/conv_1"). */
  name: string;
  /** Paths of the nested models that contain the layer, outermost first; empty (or absent) at top level. */
  parents?: string[];
  /** A nested model: its counts are its inner layers' sums, and its inner layers follow as their own rows. */
  nested?: boolean;
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

/**
 * One row per layer, depth first: a nested model's row comes before its inner layers' rows. InputLayers
 * are left out; a layer object met twice (shared) is listed once.
 */
export async function modelStats(model: tf.LayersModel): Promise<ModelStats> {
  const layers: LayerStats[] = [];
  const seen = new Set<tf.layers.Layer>();
  const visit = async (m: tf.LayersModel, prefix: string, parents: string[]): Promise<{ params: number; nonzero: number }> => {
    let sum = { params: 0, nonzero: 0 };
    for (const layer of m.layers) {
      if (layer.getClassName() === 'InputLayer' || seen.has(layer)) continue;
      seen.add(layer);
      const name = prefix + layer.name;
      const nested = isNestedModel(layer);
      const row: LayerStats = {
        name, parents, nested,
        className: layer.getClassName(),
        outputShape: firstShape(layerOutputShape(layer)),
        params: 0, nonzero: 0, sparsity: 0, bytes: 0,
        prunable: isPrunableClass(layer.getClassName()),
      };
      layers.push(row);
      const counts = nested ? await visit(layer, `${name}/`, [...parents, name]) : { params: layerParamCount(layer), nonzero: await countNonzero(layer) };
      Object.assign(row, counts, { sparsity: counts.params ? 1 - counts.nonzero / counts.params : 0, bytes: counts.params * BYTES_PER_FLOAT32 });
      sum = { params: sum.params + counts.params, nonzero: sum.nonzero + counts.nonzero };
    }
    return sum;
  };
  const { params, nonzero } = await visit(model, '', []);
  return {
    inputShape: firstShape(model.inputs[0].shape),
    outputShape: firstShape(model.outputs[0].shape),
    layers,
    totals: { params, nonzero, bytes: params * BYTES_PER_FLOAT32, sparsity: params ? 1 - nonzero / params : 0 },
  };
}
