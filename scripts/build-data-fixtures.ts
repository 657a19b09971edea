// Writes the user-data fixtures under e2e/fixtures/data/ (see its README.md):
//
//   npx tsx scripts/build-data-fixtures.ts        (~1 min of cpu: two tiny models train on the cpu backend)
//   npx tsx scripts/build-data-fixtures.ts --measure-only   (rewrites expected.json from the committed files)
//
// - fashion-mnist-png.zip: 1,000 of the demo's Fashion-MNIST test images (the first 100 of each
//   class in public/demo) as 28×28 greyscale PNGs in class folders named after the classes
//   (T-shirt-top, Trouser, ... Ankle boot): folders that do not sort in class order, so the
//   studio must measure the mapping when the model has no class names.
// - flowers/: a 3-class table (4 numeric features, 600 rows, generated and seeded) with a small
//   MLP trained on its training split, as a TF.js Layers model with metadata.json labels.
// - growth/: a regression table (3 features, 400 rows, generated and seeded) with an MLP trained on it.
// - expected.json: what Node measures on each with the studio's own code (prepareData, then
//   evaluateData), which the studio must show: accuracy (or MAE and R²) on all examples, on the
//   held-out split and on the live subset; for the zip (read with no class names, so the mapping is
//   measured) also the mapping, and the demo's own accuracy on the same images.
//
// The zip and the tables are the same bytes on every run; the models are trained once and
// committed (TF.js training is not bit-reproducible across machines). src/core/data/dataFixtures.test.ts
// checks the committed files against expected.json and the zip against the demo images.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { FASHION_MNIST_CLASSES, type LabelledImages } from '../src/core/data/fashionMnist';
import { nodeImageDecoder } from '../src/core/data/nodeImageDecoder';
import { dataTrainingBatch, prepareData, type DataContext, type PreparedData } from '../src/core/data/prepareData';
import { mulberry32, shuffleInPlace } from '../src/core/data/seededRandom';
import { greyPngFile } from '../src/core/data/testImages';
import { evaluateAccuracy } from '../src/core/metrics/accuracy';
import { evaluateData, type DataEvaluation } from '../src/core/metrics/evaluateData';
import { meanAbsoluteError, rSquared } from '../src/core/metrics/regression';
import { modelFiles } from '../src/core/model/tinyModelFiles';
import { DATA_FIXTURES, fixedZip, json, loadModelFromFiles, text, writeTree } from './dataFixtureFiles';
import { loadDemoSplit } from './demoAssets';

export const FASHION_ZIP = 'fashion-mnist-png.zip';
export const FASHION_PER_CLASS = 100;
export const DEMO_CNN = ['public/models/fashion-cnn/model.json', 'public/models/fashion-cnn/weights.bin'];
/** Fashion-MNIST's class names as folder names ("/" cannot be in one). */
export const FASHION_FOLDERS = FASHION_MNIST_CLASSES.map((c) => c.replace('/', '-'));

export const FLOWERS = { dir: 'flowers', csv: 'flowers.csv', classes: ['alpha', 'beta', 'gamma'], perClass: 200, labelColumn: 'species' };
export const GROWTH = { dir: 'growth', csv: 'growth.csv', rows: 400, labelColumn: 'target' };

const modelPaths = (dir: string, metadata: boolean) => [`e2e/fixtures/data/${dir}/model.json`, `e2e/fixtures/data/${dir}/weights.bin`, ...(metadata ? [`e2e/fixtures/data/${dir}/metadata.json`] : [])];
export const FLOWERS_MODEL = modelPaths(FLOWERS.dir, true);
export const GROWTH_MODEL = modelPaths(GROWTH.dir, false);

/** The first FASHION_PER_CLASS demo test images of each class, in the demo's order. */
export function fashionSubset(test: LabelledImages): LabelledImages {
  const taken = new Array<number>(10).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < test.count; i++) if (taken[test.labels[i]]++ < FASHION_PER_CLASS) picked.push(i);
  const pixels = 28 * 28;
  const images = new Uint8Array(picked.length * pixels);
  picked.forEach((i, k) => images.set(test.images.subarray(i * pixels, (i + 1) * pixels), k * pixels));
  return { images, labels: Uint8Array.from(picked, (i) => test.labels[i]), count: picked.length, height: 28, width: 28, channels: 1 };
}

/** The zip of class folders: fashion-mnist/<class>/001.png ... */
export function fashionZip(subset: LabelledImages): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const n = new Array<number>(10).fill(0);
  for (let i = 0; i < subset.count; i++) {
    const c = subset.labels[i];
    files[`fashion-mnist/${FASHION_FOLDERS[c]}/${String(++n[c]).padStart(3, '0')}.png`] = greyPngFile(28, 28, subset.images.subarray(i * 784, (i + 1) * 784));
  }
  return fixedZip(files);
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Three overlapping Gaussian classes in 4 features, rows shuffled, one decimal (like the Iris table). */
export function flowersCsv(): string {
  const random = mulberry32(1936);
  const centres = [[5.0, 3.4, 1.5, 0.3], [5.9, 2.8, 4.2, 1.3], [6.5, 3.0, 5.5, 2.0]];
  const spread = [0.45, 0.35, 0.55, 0.3];
  const rows: string[] = [];
  FLOWERS.classes.forEach((name, c) => {
    for (let k = 0; k < FLOWERS.perClass; k++) rows.push([...centres[c].map((m, j) => (m + spread[j] * normal(random)).toFixed(1)), name].join(','));
  });
  return ['f1,f2,f3,f4,species', ...shuffleInPlace(rows, random)].join('\n') + '\n';
}

/** target = 3 + 2·x1 − 1.5·x2 + 0.05·x3² + noise, features uniform in 0..10. */
export function growthCsv(): string {
  const random = mulberry32(1962);
  const rows: string[] = [];
  for (let k = 0; k < GROWTH.rows; k++) {
    const x = [0, 1, 2].map(() => Math.round(random() * 1000) / 100);
    const y = 3 + 2 * x[0] - 1.5 * x[1] + 0.05 * x[2] * x[2] + 0.5 * normal(random);
    rows.push([...x.map((v) => v.toFixed(2)), y.toFixed(2)].join(','));
  }
  return ['x1,x2,x3,target', ...rows].join('\n') + '\n';
}

/** Trains on the prepared table's training split: seeded initialisers and per-epoch shuffles, Adam. */
async function trainTable(data: PreparedData, layers: tf.layers.Layer[], loss: string, epochs: number): Promise<tf.Sequential> {
  if (data.kind !== 'csv') throw new Error('internal: not a table');
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(0.01), loss });
  const order = Array.from(data.split.train);
  const random = mulberry32(7);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let s = 0; s < order.length; s += 32) {
      const { xs, ys } = dataTrainingBatch(data, order.slice(s, s + 32));
      await model.trainOnBatch(xs, ys);
      tf.dispose([xs, ys]);
    }
  }
  return model;
}

interface Measured {
  count: number;
  accuracy?: number;
  correct?: number;
  mae?: number;
  r2?: number;
}

/** The metric on a subset of evaluated examples (one prediction pass serves all, the held-out split and the live subset). */
function subsetMetric(e: DataEvaluation, data: PreparedData, indices: ArrayLike<number>): Measured {
  const at = new Map(Array.from(e.indices, (i, k) => [i, k]));
  const ks = Array.from(indices, (i) => at.get(i) as number);
  const labels = data.labels as Int32Array | Float32Array;
  if (e.metric === 'accuracy') {
    const correct = ks.filter((k) => e.predicted[k] === labels[e.indices[k]]).length;
    return { count: ks.length, accuracy: correct / ks.length, correct };
  }
  const truth = ks.map((k) => labels[e.indices[k]]);
  const predicted = ks.map((k) => e.predicted[k]);
  return { count: ks.length, mae: meanAbsoluteError(truth, predicted), r2: rSquared(truth, predicted) };
}

async function summary(model: tf.LayersModel, data: PreparedData) {
  const all = Int32Array.from({ length: data.kind === 'csv' ? data.table.count : data.set.count }, (_, i) => i);
  const e = await evaluateData(model, data, all, undefined, 250);
  return {
    train: data.split.train.length,
    test: data.split.test.length,
    all: subsetMetric(e, data, all),
    heldOut: subsetMetric(e, data, data.split.test),
    live: subsetMetric(e, data, data.live),
  };
}

const context = (model: tf.LayersModel, classNames: string[] | null): DataContext => ({ model, classNames, decoder: nodeImageDecoder });

/** A table model from its spec, trained, and written with its CSV (and labels) into `out`. */
async function tableFixture(out: Map<string, Uint8Array>, dir: string, csv: string, labels: string[] | null, build: () => { layers: tf.layers.Layer[]; loss: string; epochs: number }) {
  const files = [{ path: `${dir}.csv`, bytes: text(csv) }];
  const spec = build();
  // The table's spec (features, task) comes from a model of the same shape; the real one is trained on it.
  const shape = tf.sequential({ layers: build().layers });
  const data = await prepareData(files, context(shape, labels));
  const model = await trainTable(data, spec.layers, spec.loss, spec.epochs);
  shape.dispose();
  const saved = await modelFiles(model, ['weights.bin']);
  out.set(`${dir}/${dir}.csv`, text(csv));
  out.set(`${dir}/model.json`, json(saved.json));
  out.set(`${dir}/weights.bin`, saved.weights);
  if (labels) out.set(`${dir}/metadata.json`, json({ labels }));
  model.dispose();
}

export async function main() {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  if (process.argv.includes('--measure-only')) {
    const expected = await measureFixtures();
    writeFileSync(join(DATA_FIXTURES, 'expected.json'), json(expected));
    console.log(JSON.stringify(expected, null, 2));
    return;
  }
  const out = new Map<string, Uint8Array>();
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });

  // --- the image zip, measured with the demo CNN -------------------------------------------
  const subset = fashionSubset(await loadDemoSplit('test'));
  const zip = fashionZip(subset);
  out.set(FASHION_ZIP, zip);

  // --- tables, trained --------------------------------------------------------------------
  await tableFixture(out, FLOWERS.dir, flowersCsv(), FLOWERS.classes, () => ({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu', kernelInitializer: seeded(1), name: 'hidden' }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(2), name: 'species' }),
    ],
    loss: 'categoricalCrossentropy',
    epochs: 60,
  }));
  await tableFixture(out, GROWTH.dir, growthCsv(), null, () => ({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 16, activation: 'relu', kernelInitializer: seeded(3), name: 'hidden' }),
      tf.layers.dense({ units: 1, kernelInitializer: seeded(4), name: 'target' }),
    ],
    loss: 'meanSquaredError',
    epochs: 150,
  }));
  mkdirSync(DATA_FIXTURES, { recursive: true });
  const total = writeTree(DATA_FIXTURES, out, ['README.md']);

  // --- what Node measures on the written files ---------------------------------------------
  const expected = await measureFixtures();
  writeTree(DATA_FIXTURES, new Map([...out, ['expected.json', json(expected)]]), ['README.md']);
  console.log(JSON.stringify(expected, null, 2));
  console.log(`wrote ${out.size + 1} files, ${(total / 1024).toFixed(1)} KiB, under ${DATA_FIXTURES}`);
}

/** Measures the committed fixtures exactly as the studio will (the test recomputes this). */
export async function measureFixtures() {
  const read = (p: string) => new Uint8Array(readFileSync(join(DATA_FIXTURES, p)));
  const cnn = await loadModelFromFiles(DEMO_CNN);
  const subset = fashionSubset(await loadDemoSplit('test'));
  const demo = await evaluateAccuracy(cnn.model, subset);
  // No class names: the folders are mapped to classes by the CNN's own predictions.
  const data = await prepareData([{ path: FASHION_ZIP, bytes: read(FASHION_ZIP) }], context(cnn.model, null));
  if (data.kind === 'csv') throw new Error('internal: the zip reads as a table');
  const fashion = {
    zip: FASHION_ZIP,
    model: DEMO_CNN,
    count: data.set.count,
    folders: data.groups,
    demoAccuracy: { count: demo.count, correct: demo.correct, accuracy: demo.accuracy },
    mapping: Array.from(data.mapping!.classOf),
    mappedBy: data.mapping!.by,
    agreement: data.mapping!.agreement,
    scaling: data.preprocess.scaling,
    ...(await summary(cnn.model, data)),
  };
  cnn.model.dispose();

  const tables: Record<string, unknown> = {};
  for (const [fixture, paths] of [[FLOWERS, FLOWERS_MODEL], [GROWTH, GROWTH_MODEL]] as const) {
    const { model, labels } = await loadModelFromFiles(paths);
    const data = await prepareData([{ path: fixture.csv, bytes: read(`${fixture.dir}/${fixture.csv}`) }], context(model, labels));
    tables[fixture.dir] = { csv: `${fixture.dir}/${fixture.csv}`, model: paths, labelColumn: data.kind === 'csv' ? data.table.labelColumn : null, classes: data.classNames, count: data.kind === 'csv' ? data.table.count : 0, ...(await summary(model, data)) };
    model.dispose();
  }
  return { fashion, ...tables };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
