// A model as plain data (its Keras topology and every weight value) and back. History snapshots,
// undo and restore use it; a fine-tuned or channel-pruned model is a new ModelState.
import * as tf from '@tensorflow/tfjs';
import { captureWeights, restoreWeights, type WeightSnapshot } from '../prune/weightSnapshot';

export interface ModelState {
  /** JSON of model.toJSON(null, false): the architecture, without weights. */
  topology: string;
  weights: WeightSnapshot;
}

export function topologyOf(model: tf.LayersModel): string {
  return JSON.stringify(model.toJSON(null, false));
}

export async function captureModel(model: tf.LayersModel): Promise<ModelState> {
  return { topology: topologyOf(model), weights: await captureWeights(model) };
}

/** A new, uncompiled LayersModel with the state's architecture and weights. The caller owns it. */
export async function buildModel(state: ModelState): Promise<tf.LayersModel> {
  const model = await tf.models.modelFromJSON({ modelTopology: JSON.parse(state.topology) as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
  restoreWeights(model, state.weights);
  return model;
}
