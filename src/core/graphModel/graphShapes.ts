// Output shapes of graph nodes, found by running the model once on zeros: a graph model records no
// intermediate shapes, and MACs need the output size of every convolution and product.
//
// Inputs: the model's own input shapes, with an open batch dimension set to 1 (MACs are per example)
// and any other open dimension set to DYNAMIC_DIM, in which case the shapes are flagged `dynamic`
// (the MAC counts then describe that guess, so the summary reports them as unknown).
import * as tf from '@tensorflow/tfjs';
import { DYNAMIC_DIM } from '../metrics/fidelity';
import type { GraphModelInfo } from './graphCheck';
import { runGraph } from './graphModelData';

export interface InferredShapes {
  /** Node name -> shape of its output 0. Nodes that could not be computed are missing. */
  shapes: Map<string, number[]>;
  /** An input had an open dimension other than the batch: the shapes hold for DYNAMIC_DIM there. */
  dynamic: boolean;
  /** Why shapes are missing, when running on zeros failed. */
  error: string | null;
}

/** One example of zeros for every model input (open batch -> 1, other open dims -> DYNAMIC_DIM). */
export function zeroInputs(model: tf.GraphModel): { inputs: tf.Tensor[]; dynamic: boolean } {
  let dynamic = false;
  const inputs = model.inputs.map((input) => {
    const shape = (input.shape ?? []).map((d, k) => {
      if (d !== null && d !== undefined && d >= 0) return d;
      if (k === 0) return 1;
      dynamic = true;
      return DYNAMIC_DIM;
    });
    return tf.zeros(shape, input.dtype === 'int32' || input.dtype === 'bool' ? input.dtype : 'float32');
  });
  return { inputs, dynamic };
}

/** Runs the model once on zeros and records the output shapes of `nodes` (top-level node names). */
export async function inferShapes(model: tf.GraphModel, info: Pick<GraphModelInfo, 'async'>, nodes: readonly string[]): Promise<InferredShapes> {
  const { inputs, dynamic } = zeroInputs(model);
  const shapes = new Map<string, number[]>();
  const names = [...new Set(nodes)];
  try {
    if (names.length > 0) {
      const outs = await runGraph(model, info, inputs, names);
      outs.forEach((t, k) => shapes.set(names[k], [...t.shape]));
      tf.dispose(outs);
    }
    return { shapes, dynamic, error: null };
  } catch (e) {
    return { shapes, dynamic, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    tf.dispose(inputs);
  }
}
