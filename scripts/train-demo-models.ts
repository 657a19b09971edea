// Trains the two demo models on all 60,000 Fashion-MNIST training images and writes them, with
// public/demo/demo.json, into public/.
//
//   npx tsx scripts/build-demo-data.ts      (first: the 2,000-image test subset is read from public/)
//   npx tsx scripts/train-demo-models.ts [--epochs N] [--cnn-epochs N] [--mlp-epochs N] [--only cnn|mlp]
//
// Backend: tfjs-backend-wasm in Node, with the kernels it lacks or gets wrong bridged (core/backend);
// falls back to 'cpu' with a warning (about 30x slower for the CNN). Seeded: weight initialisers,
// dropout and the per-epoch shuffles. TensorFlow.js training is not bit-reproducible across machines
// and backends (float summation order differs), so a rerun gives close, not identical, accuracies.
//
// A model that misses its accuracy bar on the public test subset is not written (exit 1). A written
// model is loaded back from its files with tf.loadLayersModel and must score exactly the same.
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { FASHION_MNIST_CLASSES } from '../src/core/data/fashionMnist';
import type { LabelledImages } from '../src/core/data/fashionMnist';
import { mulberry32, shuffleInPlace } from '../src/core/data/seededRandom';
import { INPUT_SCALE, batchToTensors, gatherToTensors } from '../src/core/data/tensors';
import { registerMissingKernels } from '../src/core/backend';
import { DEMO_DATA, DEMO_JSON, PUBLIC_DIR, SUBSET_SEED, loadDemoSplit, loadSourceSplit } from './demoAssets';

/** Seed of the initialisers (TRAIN_SEED + layer number), dropout, and the shuffle generator. */
export const TRAIN_SEED = 42;
const BATCH_SIZE = 64;
const LEARNING_RATE = 1e-3;
/** The last epoch runs at a quarter of the rate: settles the weights (and BatchNorm statistics), ~+1 point. */
const FINAL_EPOCH_LR_FACTOR = 0.25;
const NUM_CLASSES = FASHION_MNIST_CLASSES.length;
const INPUT_SHAPE: [number, number, number] = [28, 28, 1];

type ModelKey = 'cnn' | 'mlp';

interface ModelRecipe {
  id: string;
  name: string;
  /** Lowest accepted accuracy on the 2,000 public test images. */
  bar: number;
  epochs: number;
  build: () => tf.Sequential;
}

const glorot = (layer: number) => tf.initializers.glorotUniform({ seed: TRAIN_SEED + layer });

function buildCnn(): tf.Sequential {
  const model = tf.sequential({ name: 'fashion-cnn' });
  model.add(tf.layers.conv2d({ name: 'conv1', inputShape: INPUT_SHAPE, filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: glorot(1) }));
  model.add(tf.layers.batchNormalization({ name: 'bn1' }));
  model.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tf.layers.conv2d({ name: 'conv2', filters: 32, kernelSize: 3, padding: 'same', kernelInitializer: glorot(2) }));
  model.add(tf.layers.batchNormalization({ name: 'bn2' }));
  model.add(tf.layers.activation({ name: 'relu2', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'fc1', units: 64, activation: 'relu', kernelInitializer: glorot(3) }));
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.25, seed: TRAIN_SEED }));
  model.add(tf.layers.dense({ name: 'fc2', units: NUM_CLASSES, activation: 'softmax', kernelInitializer: glorot(4) }));
  return model;
}

function buildMlp(): tf.Sequential {
  const model = tf.sequential({ name: 'fashion-mlp' });
  model.add(tf.layers.flatten({ name: 'flatten', inputShape: INPUT_SHAPE }));
  model.add(tf.layers.dense({ name: 'fc1', units: 256, activation: 'relu', kernelInitializer: glorot(1) }));
  model.add(tf.layers.dense({ name: 'fc2', units: 128, activation: 'relu', kernelInitializer: glorot(2) }));
  model.add(tf.layers.dense({ name: 'fc3', units: NUM_CLASSES, activation: 'softmax', kernelInitializer: glorot(3) }));
  return model;
}

const RECIPES: Record<ModelKey, ModelRecipe> = {
  cnn: { id: 'fashion-cnn', name: 'Fashion-MNIST CNN', bar: 0.89, epochs: 4, build: buildCnn },
  mlp: { id: 'fashion-mlp', name: 'Fashion-MNIST MLP', bar: 0.84, epochs: 8, build: buildMlp },
};

interface Options {
  epochs: Record<ModelKey, number>;
  only: ModelKey[];
}

function parseArgs(argv: string[]): Options {
  const epochs: Record<ModelKey, number> = { cnn: RECIPES.cnn.epochs, mlp: RECIPES.mlp.epochs };
  let only: ModelKey[] = ['mlp', 'cnn']; // the quick one first: a broken save path shows in minutes
  const positive = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number of epochs >= 1, got ${value ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--epochs') {
      epochs.cnn = epochs.mlp = positive(flag, value);
      i++;
    } else if (flag === '--cnn-epochs') {
      epochs.cnn = positive(flag, value);
      i++;
    } else if (flag === '--mlp-epochs') {
      epochs.mlp = positive(flag, value);
      i++;
    } else if (flag === '--only') {
      if (value !== 'cnn' && value !== 'mlp') throw new Error(`--only takes cnn or mlp, got ${value ?? 'nothing'}`);
      only = [value];
      i++;
    } else {
      throw new Error(`unknown argument ${flag}; usage: train-demo-models.ts [--epochs N] [--cnn-epochs N] [--mlp-epochs N] [--only cnn|mlp]`);
    }
  }
  return { epochs, only };
}

async function setUpBackend(): Promise<string> {
  registerMissingKernels('wasm');
  try {
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
    console.warn('WARNING: the wasm backend did not initialise; falling back to cpu (the CNN will be ~30x slower)');
  } catch (err) {
    console.warn(`WARNING: the wasm backend failed (${(err as Error).message}); falling back to cpu (the CNN will be ~30x slower)`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

interface Evaluation {
  correct: number;
  count: number;
  accuracy: number;
}

async function evaluate(model: tf.LayersModel, set: LabelledImages, batch = 500): Promise<Evaluation> {
  let correct = 0;
  for (let start = 0; start < set.count; start += batch) {
    const end = Math.min(set.count, start + batch);
    const { xs, ys } = batchToTensors(set, start, end, NUM_CLASSES);
    const hits = tf.tidy(() => {
      const predicted = (model.predict(xs) as tf.Tensor).argMax(-1);
      return predicted.equal(ys.argMax(-1)).sum();
    });
    correct += (await hits.data())[0];
    tf.dispose([xs, ys, hits]);
  }
  return { correct, count: set.count, accuracy: correct / set.count };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

async function train(recipe: ModelRecipe, epochs: number, trainSet: LabelledImages, testSet: LabelledImages): Promise<{ model: tf.Sequential; seconds: number }> {
  const model = recipe.build();
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  console.log(
    `\n== ${recipe.id}: ${model.countParams().toLocaleString('en-US')} parameters, ${epochs} epochs of ${trainSet.count} images, ` +
      `batch ${BATCH_SIZE}, Adam ${LEARNING_RATE} (last epoch ${LEARNING_RATE * FINAL_EPOCH_LR_FACTOR})`,
  );
  model.summary(undefined, undefined, (line) => console.log(`   ${line}`));

  const random = mulberry32(TRAIN_SEED);
  const order = Int32Array.from({ length: trainSet.count }, (_, i) => i);
  const batches = Math.ceil(trainSet.count / BATCH_SIZE);
  const logEvery = Math.max(1, Math.round(batches / 20));
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffleInPlace(order, random);
    const learningRate = epoch === epochs && epochs > 1 ? LEARNING_RATE * FINAL_EPOCH_LR_FACTOR : LEARNING_RATE;
    // tfjs's AdamOptimizer reads its (protected) learningRate on every step; this keeps Adam's moments.
    (model.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const epochStarted = performance.now();
    let lossSum = 0;
    let accSum = 0;
    for (let b = 0; b < batches; b++) {
      const { xs, ys } = gatherToTensors(trainSet, order.subarray(b * BATCH_SIZE, (b + 1) * BATCH_SIZE), NUM_CLASSES);
      const [loss, acc] = (await model.trainOnBatch(xs, ys)) as number[];
      tf.dispose([xs, ys]);
      lossSum += loss;
      accSum += acc;
      if ((b + 1) % logEvery === 0 || b + 1 === batches) {
        const elapsed = performance.now() - epochStarted;
        const eta = (elapsed / (b + 1)) * (batches - b - 1);
        console.log(
          `   epoch ${epoch}/${epochs}  batch ${String(b + 1).padStart(4)}/${batches}  loss ${(lossSum / (b + 1)).toFixed(4)}  acc ${pct(accSum / (b + 1))}` +
            `  ${seconds(elapsed)} (${(elapsed / (b + 1)).toFixed(0)} ms/batch, epoch ETA ${seconds(eta)})`,
        );
      }
    }
    const test = await evaluate(model, testSet);
    console.log(`   epoch ${epoch} (lr ${learningRate}) done in ${seconds(performance.now() - epochStarted)}: test ${pct(test.accuracy)} (${test.correct}/${test.count}), total ${seconds(performance.now() - started)}, ${tf.memory().numTensors} tensors`);
  }
  return { model, seconds: (performance.now() - started) / 1000 };
}

interface SavedModel {
  json: tf.io.ModelJSON;
  weights: Uint8Array;
}

async function serialise(model: tf.LayersModel): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.modelTopology == null || artifacts.weightSpecs == null || artifacts.weightData == null) {
        throw new Error('model.save produced no topology or weights');
      }
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      saved = {
        // No trainingConfig and no optimizer weights: the studio compiles the model itself.
        json: {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        },
        weights: new Uint8Array(weightData),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    }),
    { includeOptimizer: false },
  );
  if (saved == null) throw new Error('model.save did not call the save handler');
  return saved;
}

/** Loads model.json + weights.bin from disk the way a browser would get them over HTTP. */
async function loadFromDisk(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: async () => {
      const buffers = await Promise.all(
        json.weightsManifest.flatMap((group) => group.paths).map(async (path) => {
          const bytes = await readFile(join(dir, path));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        }),
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: tf.io.concatenateArrayBuffers(buffers),
      };
    },
  };
  return tf.loadLayersModel(handler);
}

interface DemoModelEntry {
  id: string;
  name: string;
  path: string;
  testAccuracy: number;
  parameters: number;
  trainedOn: string;
  epochs: number;
  seconds: number;
}

async function writeDemoJson(entries: DemoModelEntry[]): Promise<void> {
  const path = join(PUBLIC_DIR, DEMO_JSON);
  // Keep the entry of a model that was not retrained this run (--only).
  const previous: DemoModelEntry[] = existsSync(path)
    ? ((JSON.parse(await readFile(path, 'utf8')) as { models?: DemoModelEntry[] }).models ?? [])
    : [];
  const byId = new Map(previous.map((m) => [m.id, m]));
  for (const entry of entries) byId.set(entry.id, entry);
  const order = [RECIPES.cnn.id, RECIPES.mlp.id];
  const models = [...byId.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const demo = {
    dataset: {
      name: 'Fashion-MNIST (subset)',
      license: 'MIT',
      source: 'https://github.com/zalandoresearch/fashion-mnist (Xiao, Rasul & Vollgraf 2017, Zalando Research)',
      seed: SUBSET_SEED,
      classes: [...FASHION_MNIST_CLASSES],
      inputShape: INPUT_SHAPE,
      inputScale: INPUT_SCALE,
      train: { images: DEMO_DATA.trainImages, labels: DEMO_DATA.trainLabels, count: 6000 },
      test: { images: DEMO_DATA.testImages, labels: DEMO_DATA.testLabels, count: 2000 },
    },
    models,
  };
  await writeFile(path, JSON.stringify(demo, null, 2) + '\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const backend = await setUpBackend();
  console.log(`tfjs ${tf.version.tfjs}, backend ${backend}, seed ${TRAIN_SEED}`);

  const trainSet = await loadSourceSplit('train');
  const testSet = await loadDemoSplit('test');
  console.log(`train: ${trainSet.count} images (Debian dataset-fashion-mnist), test: ${testSet.count} images (public/${DEMO_DATA.testImages})`);

  const entries: DemoModelEntry[] = [];
  for (const key of options.only) {
    const recipe = RECIPES[key];
    const epochs = options.epochs[key];
    const { model, seconds: trainSeconds } = await train(recipe, epochs, trainSet, testSet);
    const result = await evaluate(model, testSet);
    console.log(`${recipe.id}: test accuracy ${pct(result.accuracy)} (${result.correct}/${result.count}) after ${epochs} epochs, ${trainSeconds.toFixed(0)} s`);
    if (result.accuracy < recipe.bar) {
      throw new Error(`${recipe.id}: test accuracy ${pct(result.accuracy)} is below the bar of ${pct(recipe.bar)}; not writing it (try more --epochs)`);
    }

    const dir = join(PUBLIC_DIR, 'models', recipe.id);
    await mkdir(dir, { recursive: true });
    const saved = await serialise(model);
    await writeFile(join(dir, 'model.json'), JSON.stringify(saved.json));
    await writeFile(join(dir, 'weights.bin'), saved.weights);

    const reloaded = await loadFromDisk(dir);
    const check = await evaluate(reloaded, testSet);
    if (check.correct !== result.correct) {
      throw new Error(`${recipe.id}: the written files score ${check.correct}/${check.count}, the trained model ${result.correct}/${result.count}`);
    }
    const sizes = await Promise.all(['model.json', 'weights.bin'].map(async (f) => (await stat(join(dir, f))).size));
    console.log(`${recipe.id}: wrote public/models/${recipe.id}/ (model.json ${sizes[0]} bytes, weights.bin ${sizes[1]} bytes); reloaded: ${check.correct}/${check.count}, same`);

    entries.push({
      id: recipe.id,
      name: recipe.name,
      path: `models/${recipe.id}/model.json`,
      testAccuracy: result.accuracy,
      parameters: model.countParams(),
      trainedOn: `${trainSet.count.toLocaleString('en-US')} Fashion-MNIST training images`,
      epochs,
      seconds: Math.round(trainSeconds),
    });
    model.optimizer.dispose();
    model.dispose();
    reloaded.dispose();
  }
  await writeDemoJson(entries);
  console.log(`wrote public/${DEMO_JSON}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
