// What a model wants as data and what its output means, read from the model itself:
// - input: an image [height, width, 1 or 3] (height and width may be open), a row of numbers [n],
//   or something the studio cannot feed from a user's files;
// - task: classification (softmax, sigmoid, or several linear outputs read as logits) gives
//   accuracy; one linear output is regression, measured by MAE and R².
import * as tf from '@tensorflow/tfjs';

export type ModelInput =
  | { kind: 'image'; height: number | null; width: number | null; channels: 1 | 3 }
  | { kind: 'table'; features: number }
  | { kind: 'other'; shape: (number | null)[] };

export interface ModelSpec {
  input: ModelInput;
  task: 'classification' | 'regression';
  /** Classes of a classifier (2 for one sigmoid unit); outputs of a regression model. */
  classes: number;
  /** The output layer's activation ('softmax', 'sigmoid', 'linear'...). */
  activation: string;
  /** One sigmoid unit: class 1 when the output is above 0.5. */
  binarySigmoid: boolean;
  /** Why the task is what it is, for the UI. */
  reason: string;
}

/** The shape as the UI writes it: [28, 28, 1]. */
export function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export function modelInputOf(shape: readonly (number | null)[]): ModelInput {
  const dims = shape.slice(1);
  if (dims.length === 3 && (dims[2] === 1 || dims[2] === 3)) return { kind: 'image', height: dims[0], width: dims[1], channels: dims[2] };
  if (dims.length === 1 && dims[0] !== null && dims[0] > 0) return { kind: 'table', features: dims[0] };
  return { kind: 'other', shape: dims };
}

function outputActivation(model: tf.LayersModel): string {
  let layer = model.outputs[0]?.sourceLayer as tf.layers.Layer | undefined;
  // A Teachable Machine model nests Sequential models: the activation is in the innermost last layer.
  while (layer instanceof tf.LayersModel) layer = layer.outputs[0]?.sourceLayer as tf.layers.Layer | undefined;
  if (!layer) return 'linear';
  if (layer.getClassName() === 'Softmax') return 'softmax';
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' ? activation : 'linear';
}

/** The data spec of a model with one input and one 2-D output ([batch, units]); null for any other. */
export function modelSpecOf(model: tf.LayersModel): ModelSpec | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const out = model.outputs[0].shape;
  if (out.length !== 2 || !out[1]) return null;
  const units = out[1];
  const activation = outputActivation(model);
  const input = modelInputOf(model.inputs[0].shape);
  if (activation === 'softmax') return { input, task: 'classification', classes: units, activation, binarySigmoid: false, reason: `${units} softmax outputs: a classifier, measured by accuracy` };
  if (activation === 'sigmoid') {
    return units === 1
      ? { input, task: 'classification', classes: 2, activation, binarySigmoid: true, reason: 'one sigmoid output: a two-class classifier (class 1 above 0.5), measured by accuracy' }
      : { input, task: 'classification', classes: units, activation, binarySigmoid: false, reason: `${units} sigmoid outputs: read as a classifier (the highest score wins), measured by accuracy` };
  }
  if (units === 1 || activation !== 'linear') {
    return { input, task: 'regression', classes: units, activation, binarySigmoid: false, reason: `${units === 1 ? 'one' : units} ${activation} output${units === 1 ? '' : 's'}: regression, measured by mean absolute error and R²` };
  }
  return { input, task: 'classification', classes: units, activation, binarySigmoid: false, reason: `${units} linear outputs: read as a classifier's logits (the highest score wins), measured by accuracy` };
}
