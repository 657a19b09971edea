// Frees every weight of a LayersModel, nested models included. tfjs 4.22's model.dispose() leaves the
// weights of a nested model's layers alive when the nested model was applied inside another model
// (each symbolic application bumps the inner layers' reference counts, dispose lowers them once):
// a Teachable Machine model leaks its head's weights that way. The engine replaces models often
// (every rebuild after channel removal), so it should dispose them with this.
import type * as tf from '@tensorflow/tfjs';
import { walkLayers } from './layerPaths';

export function disposeModel(model: tf.LayersModel): void {
  const variables = walkLayers(model).flatMap(({ layer }) => layer.weights);
  try {
    model.dispose();
  } catch {
    // already disposed, or never built: free what is left below
  }
  for (const v of variables) {
    try {
      v.dispose();
    } catch {
      // already disposed
    }
  }
}
