// The demo CNN (public/models/fashion-cnn) before and after removing channels: params, MACs, file
// size and accuracy on the embedded Fashion-MNIST test subset, with no fine-tuning. Also the same
// for unstructured pruning, to show what each one saves. Run:  npx tsx bench/demoChannels.ts [--ratio 0.5]
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { decodeImageSet } from '../src/core/data/fashionMnist';
import { batchToTensors } from '../src/core/data/tensors';
import { removeChannels } from '../src/core/graph/channelSurgery';
import { buildDependencyGraph } from '../src/core/graph/dependencyGraph';
import { disposeModel } from '../src/core/graph/disposeModel';
import { countModel } from '../src/core/graph/macs';
import { listPrunableTensors } from '../src/core/graph/prunable';
import { channelImportance } from '../src/core/prune/channelImportance';
import { selectChannels } from '../src/core/prune/channelSelection';
import { importanceScores } from '../src/core/prune/importance';
import { applyMasks } from '../src/core/prune/masks';
import { unstructuredMasks } from '../src/core/prune/unstructured';
import { numberArg } from './harness';

tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
const ratio = numberArg('--ratio', 0.5);

const json = JSON.parse(readFileSync('public/models/fashion-cnn/model.json', 'utf8'));
const bin = readFileSync('public/models/fashion-cnn/weights.bin');
const load = () =>
  tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
const test = decodeImageSet(gunzipSync(readFileSync('public/demo/fashion-mnist/test-images.idx.gz')), gunzipSync(readFileSync('public/demo/fashion-mnist/test-labels.idx.gz')), 'test');

async function accuracy(model: tf.LayersModel): Promise<number> {
  let correct = 0;
  for (let s = 0; s < test.count; s += 250) {
    const { xs, ys } = batchToTensors(test, s, Math.min(test.count, s + 250));
    const hits = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1).equal(ys.argMax(-1)).sum().dataSync()[0]);
    correct += hits;
    tf.dispose([xs, ys]);
  }
  return correct / test.count;
}

async function sizes(model: tf.LayersModel): Promise<{ bin: number; gzip: number }> {
  let data: ArrayBuffer | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    data = tf.io.concatenateArrayBuffers(Array.isArray(a.weightData) ? a.weightData : a.weightData ? [a.weightData] : []);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const bytes = new Uint8Array(data as unknown as ArrayBuffer);
  return { bin: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

async function row(name: string, model: tf.LayersModel): Promise<string> {
  const c = await countModel(model);
  const s = await sizes(model);
  const acc = await accuracy(model);
  return `| ${name} | ${c.totals.params.toLocaleString('en')} | ${c.totals.nonzero.toLocaleString('en')} | ${c.totals.macs.toLocaleString('en')} | ${c.totals.nonzeroMacs.toLocaleString('en')} | ${s.bin.toLocaleString('en')} | ${s.gzip.toLocaleString('en')} | ${(acc * 100).toFixed(1)}% |`;
}

const rows: string[] = [];
const original = await load();
rows.push(await row('original', original));

const dep = buildDependencyGraph(original);
const convGroups = dep.groups.filter((g) => !g.locked && g.producers.some((p) => original.getLayer(p).getClassName() === 'Conv2D'));
const scores = await channelImportance(original, dep, { criterion: 'l1' });
const plan = selectChannels(dep, scores, { kind: 'perGroup', ratio: Object.fromEntries(convGroups.map((g) => [g.id, ratio])) });
const t0 = performance.now();
const { model: smaller, report } = await removeChannels(original, dep, plan);
const surgeryMs = performance.now() - t0;
rows.push(await row(`${ratio * 100}% of conv channels removed (L1)`, smaller));

const masked = await load();
const tensors = listPrunableTensors(masked);
const prunedWeights = (await countModel(original)).totals.prunableParams - (await countModel(smaller)).totals.prunableParams;
const s = prunedWeights / tensors.reduce((n, t) => n + t.size, 0);
applyMasks(masked, unstructuredMasks(tensors, await importanceScores(masked, tensors, { criterion: 'magnitude' }), { kind: 'global', sparsity: s }));
rows.push(await row(`same weight count pruned unstructured (global magnitude, ${(s * 100).toFixed(1)}%)`, masked));

console.log(`Demo CNN (public/models/fashion-cnn), ${test.count} test images, no fine-tuning. Groups: ${dep.groups.map((g) => `${g.id}(${g.channels})${g.locked ? ' locked' : ''}`).join(', ')}`);
console.log(`Removed: ${JSON.stringify(report.removed)}; rebuild took ${surgeryMs.toFixed(0)} ms`);
console.log('| model | params | nonzero | MACs | nonzero MACs | weights.bin bytes | gzip -9 bytes | accuracy |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
disposeModel(original);
disposeModel(smaller);
disposeModel(masked);
