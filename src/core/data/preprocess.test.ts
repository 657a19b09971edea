import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { balancedSample, chooseScaling } from './chooseScaling';
import { modelSpecOf } from './modelSpec';
import { PixelStore } from './pixelStore';
import { IMAGENET_MEAN, IMAGENET_STD, imageBatch, inferPreprocess } from './preprocess';
import { brightnessModel } from './testImageModels';

const tm = { path: 'metadata.json', labels: ['a', 'b'], imageSize: 224, teachableImage: true, grayscale: null };

function store(values: number[], size = 8, channels: 1 | 3 = 1): PixelStore {
  const s = new PixelStore(size, size, channels);
  for (const v of values) {
    s.next().fill(v);
    s.commit();
  }
  return s;
}

describe('inferPreprocess', () => {
  it('takes size and channels from the input shape, [0, 1] and stretch by default', () => {
    const p = inferPreprocess({ kind: 'image', height: 28, width: 28, channels: 1 }, null);
    expect(p.preprocess).toEqual({ height: 28, width: 28, channels: 1, fit: 'stretch', scaling: 'unit' });
    expect(p.candidates).toEqual(['unit', 'symmetric', 'raw']);
    expect(p.reasons).toEqual(["28×28 from the model's input shape", 'grayscale: the model takes 1 channel', "stretched to the model's size; pixels scaled to [0, 1], the most common choice"]);
  });

  it('follows Teachable Machine: centre crop, [-1, 1], its imageSize for an open input', () => {
    const p = inferPreprocess({ kind: 'image', height: null, width: null, channels: 3 }, tm);
    expect(p.preprocess).toEqual({ height: 224, width: 224, channels: 3, fit: 'crop', scaling: 'symmetric' });
    expect(p.candidates).toEqual(['symmetric', 'unit', 'raw', 'imagenet']);
    expect(p.reasons[0]).toBe('the model leaves its input size open: 224×224 (imageSize in metadata.json)');
  });

  it('makes images grey in all three channels for a Teachable Machine grayscale model', () => {
    const p = inferPreprocess({ kind: 'image', height: 96, width: 96, channels: 3 }, { ...tm, grayscale: true });
    expect(p.preprocess.grey).toBe(true);
    expect(p.reasons[1]).toBe('grayscale in all 3 channels: metadata.json says the model was trained on grey images');
  });

  it('passes 0..255 to a model with a Rescaling layer', () => {
    const m = tf.sequential();
    m.add(tf.layers.rescaling({ inputShape: [4, 4, 3], scale: 1 / 255 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    expect(inferPreprocess({ kind: 'image', height: 4, width: 4, channels: 3 }, null, m).preprocess.scaling).toBe('raw');
    m.dispose();
  });
});

describe('imageBatch', () => {
  it('scales uint8 pixels to float for one batch only', async () => {
    const s = store([0, 255, 51], 2, 3);
    const value = async (scaling: Parameters<typeof imageBatch>[2]) => {
      const t = imageBatch(s, [2, 0], scaling);
      expect(t.shape).toEqual([2, 2, 2, 3]);
      const d = Array.from(await t.data());
      t.dispose();
      return d.slice(0, 3);
    };
    expect(await value('unit')).toEqual([51 / 255, 51 / 255, 51 / 255].map(Math.fround));
    expect(await value('symmetric')).toEqual([51 / 127.5 - 1, 51 / 127.5 - 1, 51 / 127.5 - 1].map(Math.fround));
    expect(await value('raw')).toEqual([51, 51, 51]);
    expect(await value('imagenet')).toEqual([0, 1, 2].map((c) => Math.fround((0.2 - IMAGENET_MEAN[c]) / IMAGENET_STD[c])));
  });
});

describe('chooseScaling', () => {
  const model = brightnessModel();
  // 6 dark (50) then 6 bright (200) images.
  const pixels = store([...new Array(6).fill(50), ...new Array(6).fill(200)]);
  const folder = Int32Array.from({ length: 12 }, (_, i) => (i < 6 ? 0 : 1));

  it('samples the folders in turn', () => {
    expect(Array.from(balancedSample(folder, 5))).toEqual([0, 6, 1, 7, 2]);
    expect(Array.from(balancedSample(Int32Array.of(-1, 1, 1, 0)))).toEqual([3, 1, 2]);
  });

  it('measures each candidate and picks the one the model gets right, with the reason', async () => {
    const sample = balancedSample(folder);
    const choice = await chooseScaling(model, pixels, sample, { kind: 'classes', labels: Int32Array.from(sample, (i) => folder[i]) }, ['unit', 'symmetric', 'raw'], 2);
    expect(choice.scaling).toBe('symmetric');
    expect(choice.trials.map((t) => [t.scaling, t.correct, t.count])).toEqual([['unit', 6, 12], ['symmetric', 12, 12], ['raw', 6, 12]]);
    expect(choice.reason).toBe('[-1, 1] (pixels ÷ 127.5 − 1): the original model gets 12 of 12 sample images right ([0, 1] (pixels ÷ 255): 6; 0..255 (pixels as they are): 6)');
  });

  it('counts right answers under the best folder-to-class mapping when the classes are unknown', async () => {
    const sample = balancedSample(folder);
    // Folder 0 holds the bright images here: only a mapping can say so.
    const swapped = Int32Array.from(sample, (i) => 1 - folder[i]);
    const choice = await chooseScaling(model, pixels, sample, { kind: 'folders', folders: swapped, folderCount: 2 }, ['unit', 'symmetric'], 2);
    expect(choice.trials.map((t) => t.correct)).toEqual([6, 12]);
    expect(choice.reason).toContain('right under the best mapping of folders to classes');
  });

  it('keeps the inferred scaling on a tie', async () => {
    const sample = Int32Array.of(6, 7);
    const choice = await chooseScaling(model, pixels, sample, { kind: 'classes', labels: Int32Array.of(1, 1) }, ['raw', 'unit', 'symmetric'], 2);
    expect(choice.scaling).toBe('raw');
  });
});

describe('modelSpecOf', () => {
  const head = (units: number, activation: 'softmax' | 'sigmoid' | 'linear', inputShape = [4]) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape, units, activation }));
    return m;
  };
  it('tells classifiers from regression by the output', () => {
    const cases = [head(3, 'softmax'), head(1, 'sigmoid'), head(1, 'linear'), head(5, 'linear')].map((m) => {
      const s = modelSpecOf(m)!;
      m.dispose();
      return [s.task, s.classes, s.binarySigmoid, s.input];
    });
    expect(cases).toEqual([
      ['classification', 3, false, { kind: 'table', features: 4 }],
      ['classification', 2, true, { kind: 'table', features: 4 }],
      ['regression', 1, false, { kind: 'table', features: 4 }],
      ['classification', 5, false, { kind: 'table', features: 4 }],
    ]);
  });

  it('reads an image input and the activation inside nested models (Teachable Machine)', () => {
    const inner = tf.sequential();
    inner.add(tf.layers.flatten({ inputShape: [8, 8, 3] }));
    inner.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    const outer = tf.sequential();
    outer.add(inner);
    const s = modelSpecOf(outer)!;
    expect([s.task, s.classes, s.activation, s.input]).toEqual(['classification', 2, 'softmax', { kind: 'image', height: 8, width: 8, channels: 3 }]);
    outer.dispose();
  });
});
