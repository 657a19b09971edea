// Masked training step vs the same step without masks, on the demo CNN (public/models/fashion-cnn),
// batch 64, tfjs cpu backend with the fast Conv2DBackpropFilter. Median of 10 steps after 2 warm-up
// steps; goal: masked / unmasked <= 1.15. About 2 minutes on 2 cores (a step takes ~4.5 s on Node's
// cpu backend). Run:  npx tsx bench/maskedStep.ts [--steps 10] [--batch 64] [--no-verify]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { decodeImageSet } from '../src/core/data/fashionMnist';
import { gatherToTensors } from '../src/core/data/tensors';
import { disposeModel } from '../src/core/graph/disposeModel';
import { listPrunableTensors } from '../src/core/graph/prunable';
import { magnitudeScores } from '../src/core/prune/importance';
import { maskStats } from '../src/core/prune/masks';
import { unstructuredMasks } from '../src/core/prune/unstructured';
import { registerCpuConv2DBackpropFilter } from '../src/core/train/conv2DBackpropFilter';
import { compareMaskedStep } from '../src/core/train/stepBench';
import { median, numberArg } from './harness';

tf.env().set('IS_TEST', true);
registerCpuConv2DBackpropFilter();
await tf.setBackend('cpu');
const STEPS = numberArg('--steps', 10);
const BATCH = numberArg('--batch', 64);
const WARMUP = 2;

const json = JSON.parse(readFileSync('public/models/fashion-cnn/model.json', 'utf8'));
const bin = readFileSync('public/models/fashion-cnn/weights.bin');
const load = () =>
  tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
const data = decodeImageSet(gunzipSync(readFileSync('public/demo/fashion-mnist/test-images.idx.gz')), gunzipSync(readFileSync('public/demo/fashion-mnist/test-labels.idx.gz')), 'test');
const batch = (step: number) => gatherToTensors(data, Array.from({ length: BATCH }, (_, j) => (step * BATCH + j) % data.count));

const probe = await load();
const tensors = listPrunableTensors(probe);
const masks = unstructuredMasks(tensors, await magnitudeScores(probe, tensors), { kind: 'global', sparsity: 0.9 });
disposeModel(probe);
const stats = maskStats(masks);

const VERIFY = !process.argv.includes('--no-verify');
const plain = await load();
const masked = await load();
const { plainMs, maskedMs } = await compareMaskedStep(plain, masked, masks, { steps: STEPS, warmup: WARMUP, batch, verifyZeros: VERIFY });
disposeModel(plain);
disposeModel(masked);
const base = median(plainMs);
console.log(`Demo CNN (public/models/fashion-cnn), batch ${BATCH}, cpu backend (fast Conv2DBackpropFilter), Adam; median of ${STEPS} steps after ${WARMUP} warm-up steps, the two variants alternating step by step.`);
console.log(`Masks: ${stats.pruned.toLocaleString('en')} of ${stats.total.toLocaleString('en')} prunable weights (${(stats.sparsity * 100).toFixed(1)}%, global magnitude); zeros ${VERIFY ? 'verified every step (default)' : 'not verified (--no-verify)'}.`);
console.log('| step | median ms | min ms | max ms | ratio to no masks |');
console.log('|---|---|---|---|---|');
for (const [name, ms] of [['no masks', plainMs], ['90% masks', maskedMs]] as const) {
  console.log(`| ${name} | ${median(ms).toFixed(1)} | ${Math.min(...ms).toFixed(1)} | ${Math.max(...ms).toFixed(1)} | ${(median(ms) / base).toFixed(3)}x |`);
}
console.log(`Masked step / unmasked step (medians): ${(median(maskedMs) / base).toFixed(3)}x (goal <= 1.15x)`);
