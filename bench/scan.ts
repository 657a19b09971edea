// Sensitivity scan time (src/core/plan): the demo CNN (public/models/fashion-cnn, unstructured
// magnitude, the default 10-point ladder, accuracy on the first --images test images), and synthetic
// MLPs of 2, 4 and 8 Dense layers of the same size, to show how a scan grows with the number of layers.
// A scan is units x ladder evaluations + 1, so its time should be that many evaluations and little
// more. Two ratios, both measured in the same run (~1 = scoring, masking and restoring cost nothing
// next to evaluating):
//   vs baseline    scan time / (evaluations x one evaluation of the unpruned model, timed before);
//   vs own evals   scan time / the time its evaluate calls took (immune to machine-load drift), and
//                  the overhead per evaluation in ms (masks, restore, scoring, counting).
// Median of --runs scans per row. Run:  npx tsx bench/scan.ts [--runs 3] [--images 100] [--backends cpu,wasm]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decodeImageSet, type LabelledImages } from '../src/core/data/fashionMnist';
import { mulberry32 } from '../src/core/data/seededRandom';
import { disposeModel } from '../src/core/graph/disposeModel';
import { evaluateAccuracy } from '../src/core/metrics/accuracy';
import { scanSensitivity, type Evaluate } from '../src/core/plan';
import { median, numberArg, stringArg } from './harness';

tf.env().set('IS_TEST', true);
const RUNS = numberArg('--runs', 3);
const IMAGES = numberArg('--images', 100);
const BACKENDS = stringArg('--backends', 'cpu,wasm').split(',');
const MLP_WIDTH = 128;
const MLP_INPUTS = 256;

const json = JSON.parse(readFileSync('public/models/fashion-cnn/model.json', 'utf8'));
const bin = readFileSync('public/models/fashion-cnn/weights.bin');
const loadDemo = () =>
  tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  }));
const test = decodeImageSet(gunzipSync(readFileSync('public/demo/fashion-mnist/test-images.idx.gz')), gunzipSync(readFileSync('public/demo/fashion-mnist/test-labels.idx.gz')), 'test');
const px = test.height * test.width;
const subset: LabelledImages = { ...test, images: test.images.subarray(0, IMAGES * px), labels: test.labels.subarray(0, IMAGES), count: IMAGES };

/** `layers` Dense layers of MLP_WIDTH units (relu, the last softmax over 10), seeded glorot weights. */
function mlp(layers: number): tf.LayersModel {
  const m = tf.sequential();
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    m.add(tf.layers.dense({
      units: last ? 10 : MLP_WIDTH, activation: last ? 'softmax' : 'relu', name: `dense${i + 1}`,
      kernelInitializer: tf.initializers.glorotUniform({ seed: i + 1 }), ...(i === 0 ? { inputShape: [MLP_WIDTH] } : {}),
    }));
  }
  return m;
}

/** Top-1 agreement with the unpruned model on seeded inputs (fidelity: no labels needed). */
function fidelity(model: tf.LayersModel): { evaluate: Evaluate; dispose: () => void } {
  const rnd = mulberry32(5);
  const xs = tf.tensor2d(Float32Array.from({ length: MLP_INPUTS * MLP_WIDTH }, () => rnd() * 2 - 1), [MLP_INPUTS, MLP_WIDTH]);
  const reference = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1));
  return {
    evaluate: async (m) => {
      const agree = tf.tidy(() => (m.predict(xs) as tf.Tensor).argMax(-1).equal(reference).mean());
      const v = (await agree.data())[0];
      agree.dispose();
      return v;
    },
    dispose: () => tf.dispose([xs, reference]),
  };
}

const control = { checkpoint: async () => {} };

interface Row { backend: string; model: string; units: number; evaluations: number; evalMs: number; scanMs: number; inEvalMs: number }

async function measureRow(backend: string, name: string, model: tf.LayersModel, evaluate: Evaluate): Promise<Row> {
  await evaluate(model, control); // warm-up (kernels, wasm compilation)
  const evalTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await evaluate(model, control);
    evalTimes.push(performance.now() - t0);
  }
  const runs: { scanMs: number; inEvalMs: number }[] = [];
  let units = 0;
  let evaluations = 0;
  for (let r = 0; r < RUNS; r++) {
    let inEvalMs = 0;
    const timed: Evaluate = async (m, c) => {
      const t = performance.now();
      try {
        return await evaluate(m, c);
      } finally {
        inEvalMs += performance.now() - t;
      }
    };
    const t0 = performance.now();
    const scan = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', evaluate: timed });
    runs.push({ scanMs: performance.now() - t0, inEvalMs });
    units = scan.units.length;
    evaluations = scan.evaluations;
  }
  const mid = [...runs].sort((a, b) => a.scanMs - b.scanMs)[Math.floor(runs.length / 2)];
  const row = { backend, model: name, units, evaluations, evalMs: median(evalTimes), ...mid };
  console.error(`  ${backend} ${name}: ${(row.scanMs / 1000).toFixed(2)} s`);
  return row;
}

const rows: Row[] = [];
for (const backend of BACKENDS) {
  if (!(await tf.setBackend(backend))) {
    console.error(`backend ${backend} is not available here; skipped`);
    continue;
  }
  await tf.ready();
  const demo = await loadDemo();
  rows.push(await measureRow(backend, `demo CNN, ${IMAGES} images`, demo, async (m, c) => (await evaluateAccuracy(m, subset, c)).accuracy));
  disposeModel(demo);
  for (const layers of [2, 4, 8]) {
    const model = mlp(layers);
    const { evaluate, dispose } = fidelity(model);
    rows.push(await measureRow(backend, `MLP ${layers} x Dense(${MLP_WIDTH}), ${MLP_INPUTS} inputs`, model, evaluate));
    dispose();
    disposeModel(model);
  }
}

console.log(`Sensitivity scan, unstructured magnitude, ladder of 10; median of ${RUNS} scans; Node ${process.version}, tfjs ${tf.version.tfjs}`);
console.log('| backend | model | units | evaluations | one evaluation (ms) | scan (s) | scan per unit (s) | scan / (evaluations x evaluation) | scan / its evaluate calls | overhead per evaluation (ms) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.backend} | ${r.model} | ${r.units} | ${r.evaluations} | ${r.evalMs.toFixed(1)} | ${(r.scanMs / 1000).toFixed(2)} | ${(r.scanMs / 1000 / r.units).toFixed(2)} | `
    + `${(r.scanMs / (r.evaluations * r.evalMs)).toFixed(2)} | ${(r.scanMs / r.inEvalMs).toFixed(2)} | ${((r.scanMs - r.inEvalMs) / r.evaluations).toFixed(1)} |`);
}
