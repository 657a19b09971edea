// Stable names for layers and weights across nested models. A Teachable Machine export is a
// Sequential whose first layer is itself a Sequential; Keras functional models may nest models too.
// A layer's path joins the names of the models that contain it with '/', e.g. "features/conv_1",
// and a weight is named by its layer path plus the weight's own suffix: "features/conv_1/kernel".
import * as tf from '@tensorflow/tfjs';

export interface LayerEntry {
  /** Names from the outermost nested model down to the layer, joined with '/'. */
  path: string;
  layer: tf.layers.Layer;
  /** Paths of the nested models that contain this layer (outermost first); empty at top level. */
  parents: string[];
}

export function isNestedModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/**
 * Every layer that is not itself a model, depth first in the models' layer order, with its path.
 * InputLayers are skipped. A layer object that appears twice (shared) is listed once.
 */
export function walkLayers(model: tf.LayersModel): LayerEntry[] {
  const out: LayerEntry[] = [];
  const seen = new Set<tf.layers.Layer>();
  const visit = (m: tf.LayersModel, prefix: string, parents: string[]) => {
    for (const layer of m.layers) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      const path = prefix + layer.name;
      if (isNestedModel(layer)) visit(layer, `${path}/`, [...parents, path]);
      else if (layer.getClassName() !== 'InputLayer') out.push({ path, layer, parents });
    }
  };
  visit(model, '', []);
  return out;
}

/** The layer at `path` (see walkLayers), or null. Nested models themselves are found too. */
export function findLayer(model: tf.LayersModel, path: string): tf.layers.Layer | null {
  let current: tf.layers.Layer = model;
  for (const name of path.split('/')) {
    if (!isNestedModel(current)) return null;
    const next: tf.layers.Layer | undefined = current.layers.find((l) => l.name === name);
    if (!next) return null;
    current = next;
  }
  return current;
}

/**
 * The part of a weight's name that belongs to the weight rather than the layer: "kernel", "bias",
 * "gamma", "forward_lstm/recurrent_kernel" (Bidirectional). Uses the variable's original name
 * (tfjs may append "_1" to `name` when two models in one session share layer names).
 */
export function weightSuffix(layer: tf.layers.Layer, variable: tf.LayerVariable): string {
  const full = variable.originalName || variable.name;
  if (full.startsWith(`${layer.name}/`)) return full.slice(layer.name.length + 1);
  const slash = full.indexOf('/');
  return slash >= 0 ? full.slice(slash + 1) : full;
}

/** The key of one weight tensor: layer path + '/' + weight suffix, e.g. "features/conv_1/kernel". */
export function weightKey(layerPath: string, suffix: string): string {
  return `${layerPath}/${suffix}`;
}
