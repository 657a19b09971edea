import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeImageDecoder } from './nodeImageDecoder';
import { dataInputs, dataTrainingBatch, prepareData, type DataContext, type PreparedImages, type PreparedTable } from './prepareData';
import { brightnessModel } from './testImageModels';
import { corruptJpegFile, greyPngFile } from './testImages';
import { dataErrorOfAsync } from './dataErrorOf';

const grey = (v: number, size = 8) => greyPngFile(size, size, new Uint8Array(size * size).fill(v));
const text = (s: string) => new TextEncoder().encode(s);
const model = brightnessModel();
const context: DataContext = { model, decoder: nodeImageDecoder };
afterAll(() => model.dispose());

/** 10 bright and 10 dark images, folders named so they sort against the model's class order. */
function folders(extra: Record<string, Uint8Array> = {}) {
  const files: Record<string, Uint8Array> = { ...extra };
  for (let i = 0; i < 10; i++) {
    files[`shots/bright/${i}.png`] = grey(200);
    files[`shots/dark/${i}.png`] = grey(50);
  }
  return Object.entries(files).map(([path, bytes]) => ({ path, bytes }));
}


describe('prepareData: images', () => {
  it('measures the scaling and maps folders to classes by the original model\'s predictions', async () => {
    const data = (await prepareData(folders(), context)) as PreparedImages;
    expect(data.kind).toBe('images');
    expect(data.preprocess).toEqual({ height: 8, width: 8, channels: 1, fit: 'stretch', scaling: 'symmetric' });
    expect(data.groups).toEqual(['bright', 'dark']);
    expect(data.mapping?.by).toBe('prediction');
    expect(Array.from(data.mapping!.classOf)).toEqual([1, 0]);
    expect(data.mapping!.agreement).toEqual([1, 1]);
    expect(data.classNames).toEqual(['dark', 'bright']);
    expect(Array.from(data.labels!)).toEqual([...new Array(10).fill(1), ...new Array(10).fill(0)]);
    expect([data.split.train.length, data.split.test.length, data.live.length]).toEqual([16, 4, 4]);
    expect(data.reasons.at(-1)).toMatch(/^\[-1, 1\] \(pixels ÷ 127.5 − 1\): the original model gets 20 of 20 sample images right under the best mapping/);
    expect(data.warnings).toEqual([]);
    expect(data.set.pixels.get(0)[0]).toBe(200);
  });

  it('maps by name when the model names its classes, and names a folder that matches none', async () => {
    const data = (await prepareData(folders({ 'shots/cats/1.png': grey(200), 'shots/cats/2.png': grey(50) }), { ...context, classNames: ['Dark', 'Bright'] })) as PreparedImages;
    expect(data.mapping?.by).toBe('name');
    expect(Array.from(data.mapping!.classOf)).toEqual([1, -1, 0]);
    expect(data.mapping!.agreement).toEqual([1, null, 1]);
    expect(data.warnings).toEqual(["shots/cats: matches no class of the model (Dark, Bright); its 2 images are left out. Rename each folder to one of the model's classes."]);
    const left = Array.from(data.labels!).filter((c) => c < 0).length;
    expect(left).toBe(2);
    expect(data.split.train.length + data.split.test.length).toBe(20);
  });

  it('falls back to predictions, and says so, when no folder has a class name', async () => {
    const data = (await prepareData(folders(), { ...context, classNames: ['night', 'day'] })) as PreparedImages;
    expect(data.mapping?.by).toBe('prediction');
    expect(data.warnings).toEqual(["The folder names match none of the model's classes (night, day), so the original model's predictions matched them instead; check the class table."]);
    expect(data.classNames).toEqual(['night', 'day']);
  });

  it('skips corrupt and too-small images with their names, and counts them', async () => {
    const data = (await prepareData(folders({ 'shots/dark/bad.jpg': corruptJpegFile(), 'shots/bright/tiny.png': grey(200, 4) }), context)) as PreparedImages;
    expect(data.set.count).toBe(20);
    expect(data.skipped).toBe(2);
    expect(data.warnings).toEqual([
      'shots/bright/tiny.png: 4×4 pixels, smaller than the 8×8 the studio needs; skipped.',
      'shots/dark/bad.jpg: a corrupt JPEG image that cannot be decoded; skipped.',
    ]);
  });

  it('keeps the user\'s scaling, fit and mapping', async () => {
    const data = (await prepareData(folders(), context, { scaling: 'raw', fit: 'crop', mapping: [0, 1], testFraction: 0.5, seed: 3 })) as PreparedImages;
    expect([data.preprocess.scaling, data.preprocess.fit, data.mapping?.by, data.scalingTrials]).toEqual(['raw', 'crop', 'user', null]);
    // Under raw pixels the model calls everything class 1: right for dark (mapped to 1), wrong for bright.
    expect(data.mapping!.agreement).toEqual([0, 1]);
    expect(data.split.test.length).toBe(10);
  });

  it('reads unlabelled images, and gives batches of inputs and of training examples', async () => {
    const unlabelled = (await prepareData([{ path: 'a.png', bytes: grey(10) }, { path: 'b.png', bytes: grey(20) }], context)) as PreparedImages;
    expect([unlabelled.kind, unlabelled.labels, unlabelled.mapping, unlabelled.split.train.length + unlabelled.split.test.length]).toEqual(['unlabelled', null, null, 2]);
    expect(() => dataTrainingBatch(unlabelled, [0])).toThrow('no labels');
    const data = await prepareData(folders(), context);
    const { xs, ys } = dataTrainingBatch(data, [0, 10]);
    expect(xs.shape).toEqual([2, 8, 8, 1]);
    expect(Array.from(await ys.data())).toEqual([0, 1, 1, 0]);
    expect((await xs.data())[0]).toBeCloseTo(200 / 127.5 - 1, 6);
    tf.dispose([xs, ys]);
  });

  it('refuses images for a table model, a table for an image model, and a set too big to keep', async () => {
    const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
    expect(await dataErrorOfAsync(prepareData(folders(), { ...context, model: mlp }))).toBe('shots: images, but the model takes rows of 4 numbers. Drop a CSV table with one column per input.');
    mlp.dispose();
    expect(await dataErrorOfAsync(prepareData([{ path: 't.csv', bytes: text('a,label\n1,0\n') }], context))).toBe('t.csv: a table, but the model takes images ([8, 8, 1]). Drop images in class folders.');
    expect(await dataErrorOfAsync(prepareData(folders(), { ...context, budget: 1000 }))).toBe(
      '20 images at 8×8×1 would hold 1 KB of pixels, more than the 1 KB the studio keeps for data. Drop at most 15 images (a sample of each class folder).',
    );
  });

  it('refuses a drop where no folder matches a class and none can be decoded', async () => {
    const files = [{ path: 'd/a/1.png', bytes: grey(1) }, { path: 'd/b/1.png', bytes: grey(1) }];
    expect(await dataErrorOfAsync(prepareData(files, { ...context, classNames: ['x', 'y'], decoder: nodeImageDecoder }, { mapping: [-1, -1] }))).toBe(
      "d/a, d/b: no class folder matches a class of the model (x, y). Rename each folder to one of the model's classes.",
    );
    const broken = [{ path: 'd/a/1.jpg', bytes: corruptJpegFile() }, { path: 'd/b/1.jpg', bytes: corruptJpegFile() }];
    expect(await dataErrorOfAsync(prepareData(broken, context))).toBe(
      'None of the 2 images could be used (see the warnings above). Drop images of at least 8×8 pixels in JPEG, PNG, WebP, BMP or GIF.',
    );
  });
});

describe('prepareData: tables', () => {
  // 2 features -> 3 classes: logits [x0, x1, -x0 - x1] (+ 0.1 for class 1).
  const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
  mlp.setWeights([tf.tensor2d([[1, 0, -1], [0, 1, -1]]), tf.tensor1d([0, 0.1, 0])]);
  const linear = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
  linear.setWeights([tf.tensor2d([[2], [1]]), tf.tensor1d([0.5])]);
  afterAll(() => [mlp, linear].forEach((m) => m.dispose()));
  const csv = (s: string) => [{ path: 'rows.csv', bytes: text(s) }];

  it('maps label names to classes by predictions and splits by class', async () => {
    const rows = ['a,b,kind', ...Array.from({ length: 5 }, () => ['2,0,east', '0,2,north', '-1,-1,south']).flat()].join('\n');
    const data = (await prepareData(csv(rows), { ...context, model: mlp })) as PreparedTable;
    expect([data.kind, data.groups, Array.from(data.mapping!.classOf)]).toEqual(['csv', ['east', 'north', 'south'], [0, 1, 2]]);
    expect(data.classNames).toEqual(['east', 'north', 'south']);
    expect(Array.from(data.labels!).slice(0, 3)).toEqual([0, 1, 2]);
    expect([data.split.train.length, data.split.test.length]).toEqual([12, 3]);
    const xs = dataInputs(data, [1, 2]);
    expect(Array.from(await xs.data())).toEqual([0, 2, -1, -1]);
    xs.dispose();
  });

  it('reads regression targets and gives them as [n, 1] for training', async () => {
    const data = (await prepareData(csv('a,b,y\n1,1,3.5\n2,0,4.5\n0,0,0.5\n1,2,4.5\n0,1,1.5\n'), { ...context, model: linear })) as PreparedTable;
    expect([data.spec.task, Array.from(data.labels!), data.classNames]).toEqual(['regression', [3.5, 4.5, 0.5, 4.5, 1.5], []]);
    const { ys } = dataTrainingBatch(data, [0, 1]);
    expect([ys.shape, Array.from(await ys.data())]).toEqual([[2, 1], [3.5, 4.5]]);
    ys.dispose();
  });
});
