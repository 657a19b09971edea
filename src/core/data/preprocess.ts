// How a model wants its pixels: size, channels and fit (applied once, when decoding into the
// PixelStore) and a scaling (applied per batch, uint8 -> float32, so candidate scalings can be
// tried without decoding again).
//
// Inferred from the model's input shape, Teachable Machine's metadata and the model's layers;
// with labels, chooseScaling.ts then measures which scaling the model really expects.
import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from './modelMetadata';
import type { ModelInput } from './modelSpec';
import type { PixelStore } from './pixelStore';
import type { Fit, PixelTarget } from './resample';

export type Scaling = 'unit' | 'symmetric' | 'raw' | 'imagenet';

export interface Preprocess extends PixelTarget {
  scaling: Scaling;
}

export const SCALING_LABELS: Record<Scaling, string> = {
  unit: '[0, 1] (pixels ÷ 255)',
  symmetric: '[-1, 1] (pixels ÷ 127.5 − 1)',
  raw: '0..255 (pixels as they are)',
  imagenet: 'ImageNet mean/std',
};

/** Channel means and standard deviations of ImageNet (RGB, on 0..1 pixels), as torchvision and Keras use them. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

/** When the model leaves its height and width open and no metadata says more. */
export const DEFAULT_IMAGE_SIDE = 224;

export interface InferredPreprocess {
  preprocess: Preprocess;
  /** Why each choice was made, for the UI. */
  reasons: string[];
  /** Scalings worth measuring, the inferred one first. */
  candidates: Scaling[];
}

function hasLayer(model: tf.LayersModel, classNames: string[]): boolean {
  return model.layers.some((l) => classNames.includes(l.getClassName()) || (l instanceof tf.LayersModel && hasLayer(l, classNames)));
}

/**
 * The preprocessing a model of this input most likely expects. `model`, when given, is looked
 * into for a Rescaling / Normalization layer (then the model scales its own 0..255 input).
 */
export function inferPreprocess(input: Extract<ModelInput, { kind: 'image' }>, metadata: ModelMetadata | null, model?: tf.LayersModel): InferredPreprocess {
  const reasons: string[] = [];
  const side = metadata?.imageSize ?? DEFAULT_IMAGE_SIDE;
  const height = input.height ?? side;
  const width = input.width ?? side;
  if (input.height === null || input.width === null) {
    reasons.push(`the model leaves its input size open: ${height}×${width} (${metadata?.imageSize ? `imageSize in ${metadata.path}` : 'the usual size'})`);
  } else reasons.push(`${height}×${width} from the model's input shape`);
  const channels = input.channels;
  const grey = channels === 3 && metadata?.grayscale === true;
  if (channels === 1) reasons.push('grayscale: the model takes 1 channel');
  else if (grey) reasons.push(`grayscale in all 3 channels: ${metadata?.path} says the model was trained on grey images`);
  else reasons.push('RGB: the model takes 3 channels');

  let fit: Fit = 'stretch';
  let scaling: Scaling = 'unit';
  if (metadata?.teachableImage) {
    fit = 'crop';
    scaling = 'symmetric';
    reasons.push(`a Teachable Machine image model (${metadata.path}): centre crop, pixels scaled to [-1, 1]`);
  } else if (model && hasLayer(model, ['Rescaling', 'Normalization'])) {
    scaling = 'raw';
    reasons.push('the model has a Rescaling or Normalization layer, so it takes pixels as they are (0..255)');
  } else {
    reasons.push('stretched to the model\'s size; pixels scaled to [0, 1], the most common choice');
  }
  const all: Scaling[] = channels === 3 ? ['unit', 'symmetric', 'raw', 'imagenet'] : ['unit', 'symmetric', 'raw'];
  const candidates = [scaling, ...all.filter((s) => s !== scaling)];
  return { preprocess: { height, width, channels, fit, scaling, ...(grey ? { grey } : {}) }, reasons, candidates };
}

/** value = table[channel][byte]: the scaling as lookup tables. */
function scalingTables(scaling: Scaling, channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      if (scaling === 'unit') t[v] = v / 255;
      else if (scaling === 'symmetric') t[v] = v / 127.5 - 1;
      else if (scaling === 'raw') t[v] = v;
      else t[v] = (v / 255 - IMAGENET_MEAN[c % 3]) / IMAGENET_STD[c % 3];
    }
    return t;
  });
}

/** The images at `indices` of `pixels`, scaled: float32 [n, height, width, channels]. The caller disposes it. */
export function imageBatch(pixels: PixelStore, indices: ArrayLike<number>, scaling: Scaling): tf.Tensor4D {
  const n = indices.length;
  if (n === 0) throw new Error('imageBatch: no indices');
  const { height, width, channels, imageBytes } = pixels;
  const tables = scalingTables(scaling, channels);
  const x = new Float32Array(n * imageBytes);
  for (let j = 0; j < n; j++) {
    const src = pixels.get(indices[j]);
    const o = j * imageBytes;
    if (channels === 1) {
      const t = tables[0];
      for (let k = 0; k < imageBytes; k++) x[o + k] = t[src[k]];
    } else {
      for (let k = 0; k < imageBytes; k++) x[o + k] = tables[k % channels][src[k]];
    }
  }
  return tf.tensor4d(x, [n, height, width, channels], 'float32');
}
