// Deep Compression (Han et al. 2016: prune, share weights by k-means, entropy-code) on the two demo
// models, measured the way a user would see it: every accuracy is on all 2,000 demo test images of a
// model loaded back from the bytes of its file (tf.io.fromMemory; the packed one through decoder.mjs),
// never the in-memory model's. For each model:
//   float32 raw            public/models/<id>/weights.bin
//   float32 gzip           the same, gzip level 6 (as a web server sends it)
//   uint8 gzip             the studio's uint8 export, gzipped
//   pruned, uint8 gzip     per-layer magnitude pruning reached gradually (AGP) while fine-tuning, uint8 export gzipped
//   pruned + clustered     the pruned model's kernels clustered (sparsity-preserving k-means), packed
//   ... + fine-tuned       then fine-tuned with the sharing held (clusterGradients), packed
// with bytes, "x smaller than float32 raw" and the accuracy drop. Goals (issue: merge similar
// parameters): MLP >= 50x with <= 1.0 point drop, CNN >= 40x with <= 1.0 point drop.
//
//   npx tsx scripts/deep-compression-table.ts                 # both models (~25 min on 2 busy cores), prints the table
//   npx tsx scripts/deep-compression-table.ts --write         # also writes it into README.md (deep-compression markers)
//   npx tsx scripts/deep-compression-table.ts --dry           # a handful of steps, 500 test images: a smoke run
//   options: --models mlp,cnn  --train full|demo (fine-tuning images: the 60,000 Fashion-MNIST training
//            images of Debian's dataset-fashion-mnist, default, as the demo models were trained; or the
//            6,000 demo ones, too few: 3 to 6 epochs on them alone cost the unpruned MLP 1.2 points)  --backend wasm|cpu  --mlp '<json>' --cnn '<json>' (override a model's
//            settings below, e.g. --mlp '{"pruneEpochs":8,"sparsity":{"fc1":0.96,"fc2":0.9,"fc3":0.7}}')
// Seeded (shuffles, k-means++); tfjs float sums differ across backends, so a rerun elsewhere gives
// close, not identical, numbers.
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { clusterModel, distinctCounts } from '../src/core/compress/clusterModel';
import { clusterGradients } from '../src/core/compress/clusterTraining';
import { decode } from '../src/core/compress/decoder.mjs';
import type { ClusterInit } from '../src/core/compress/kmeans1d';
import { encodePacked, type PackedReport } from '../src/core/compress/packedEncoder';
import type { LabelledImages } from '../src/core/data/fashionMnist';
import { removeChannels } from '../src/core/graph/channelSurgery';
import { buildDependencyGraph } from '../src/core/graph/dependencyGraph';
import { disposeModel } from '../src/core/graph/disposeModel';
import { GZIP_LEVEL } from '../src/core/metrics/sizes';
import { exportModelFiles, exportZip, loadExportedZip, savedModel, weightFiles } from '../src/core/model/exportModel';
import { channelImportance } from '../src/core/prune/channelImportance';
import { selectChannels } from '../src/core/prune/channelSelection';
import { maskStats, type MaskSet } from '../src/core/prune/masks';
import { computePruning } from '../src/core/prune/pruneRequest';
import { distillationLoss } from '../src/core/train/distillation';
import { crossEntropyLoss, trainSteps } from '../src/core/train/maskedTrainer';
import { runPruningSchedule } from '../src/core/train/scheduledPruning';
import { pruneSchedule } from '../src/core/train/schedules';
import { REPO_ROOT, loadDemoSplit, loadSourceSplit } from './demoAssets';
import { demoAccuracy, demoModelArtifacts, loadDemoModel, seededBatches } from './demoTraining';
import { setUpNodeBackend } from './nodeBackend';
import { scriptOptions } from './scriptOptions';

// ---------------------------------------------------------------- settings
interface ModelConfig {
  id: string;
  name: string;
  /** Channel group (its first producer layer) -> fraction of its channels removed first (L1 norm), physically. */
  channels: Record<string, number>;
  /** Per-layer final sparsity of the kernels (AGP reaches it at pruneEnd of the pruning run). */
  sparsity: Record<string, number>;
  /** Shared values per kernel, the zero included. */
  k: Record<string, number>;
  init: ClusterInit;
  pruneEpochs: number;
  /** Fraction of the pruning run at which AGP reaches the final sparsity. */
  pruneEnd: number;
  pruneRounds: number;
  pruneLr: number;
  clusterEpochs: number;
  clusterLr: number;
  batch: number;
  /** Fine-tuning images: 'full' (Debian's 60,000 Fashion-MNIST training images) or 'demo' (the 6,000 embedded ones). */
  train: 'full' | 'demo';
  /** 'labels': cross-entropy on the labels; 'distill': distillation from the original model (labels unused). */
  loss: 'labels' | 'distill';
  temperature: number;
  goal: { ratio: number; maxDrop: number };
}

const CONFIGS: Record<string, ModelConfig> = {
  mlp: {
    id: 'fashion-mlp', name: 'Demo MLP (784-256-128-10)', channels: { fc1: 0.5, fc2: 0.5 },
    sparsity: { fc1: 0.85, fc2: 0.7, fc3: 0.5 }, k: { fc1: 16, fc2: 16, fc3: 16 }, init: 'linear',
    pruneEpochs: 3, pruneEnd: 2 / 3, pruneRounds: 20, pruneLr: 1e-3, clusterEpochs: 0.5, clusterLr: 3e-4, batch: 64,
    train: 'full', loss: 'labels', temperature: 4, goal: { ratio: 50, maxDrop: 1.0 },
  },
  cnn: {
    id: 'fashion-cnn', name: 'Demo CNN (conv16-BN-conv32-BN-fc64-fc10)', channels: {},
    sparsity: { conv1: 0.4, conv2: 0.8, fc1: 0.95, fc2: 0.8 }, k: { conv1: 16, conv2: 16, fc1: 16, fc2: 16 }, init: 'linear',
    pruneEpochs: 4, pruneEnd: 2 / 3, pruneRounds: 20, pruneLr: 1e-3, clusterEpochs: 2, clusterLr: 3e-4, batch: 64,
    train: 'demo', loss: 'labels', temperature: 4, goal: { ratio: 40, maxDrop: 1.0 },
  },
};

const { flag, option } = scriptOptions('deep-compression-table.ts', ['--dry', '--write', '--models', '--train', '--backend', '--mlp', '--cnn']);
const DRY = flag('--dry');
const WRITE = flag('--write');
const MODELS = (option('--models') ?? 'mlp,cnn').split(',');
for (const m of MODELS) if (!CONFIGS[m]) throw new Error(`--models: unknown model ${m} (mlp, cnn)`);
const TRAIN = option('--train');
if (TRAIN !== undefined && TRAIN !== 'demo' && TRAIN !== 'full') throw new Error(`--train ${TRAIN}: demo or full`);
const BACKEND = option('--backend') ?? 'wasm';
if (BACKEND !== 'wasm' && BACKEND !== 'cpu') throw new Error(`--backend ${BACKEND}: wasm or cpu`);
for (const m of MODELS) {
  const o = option(`--${m}`);
  if (o) Object.assign(CONFIGS[m], JSON.parse(o));
  if (TRAIN) CONFIGS[m].train = TRAIN;
}
const SHUFFLE_SEED = 20160215; // Deep Compression's ICLR 2016 arXiv version date
const DRY_STEPS = 6;
const README = join(REPO_ROOT, 'README.md');
const START = '<!-- deep-compression:start -->';
const END = '<!-- deep-compression:end -->';

// ---------------------------------------------------------------- measuring files
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const gzipSize = (bytes: Uint8Array) => gzipSync(bytes, { level: GZIP_LEVEL }).length;

interface Row {
  what: string;
  bytes: number;
  accuracy: number;
  note: string;
}

/** The uint8 export (shards gzipped, as served) and the accuracy of the model loaded back from it. */
async function uint8Row(model: tf.LayersModel, test: LabelledImages, limit: number): Promise<{ bytes: number; accuracy: number }> {
  const files = await exportModelFiles(model, { precision: 'uint8' });
  const bytes = weightFiles(files).reduce((n, f) => n + gzipSize(f.bytes), 0);
  const loaded = await loadExportedZip(exportZip(files, { readme: '', report: {} }));
  const accuracy = await demoAccuracy(loaded, test, limit);
  disposeModel(loaded);
  return { bytes, accuracy };
}

/** The packed file, and the accuracy of the model decoded from it by decoder.mjs. */
async function packedRow(model: tf.LayersModel, test: LabelledImages, limit: number): Promise<{ bytes: number; accuracy: number; report: PackedReport }> {
  const { bytes, report } = encodePacked(await savedModel(model));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(decode(bytes)));
  const accuracy = await demoAccuracy(loaded, test, limit);
  disposeModel(loaded);
  return { bytes: bytes.length, accuracy, report };
}

function describePacked(report: PackedReport): string {
  return report.tensors
    .filter((t) => t.values === 'codebook' && t.size > 1000)
    .map((t) => `${t.name.replace('/kernel', '')} ${((1 - t.nonzero / t.size) * 100).toFixed(0)}% zeros, ${t.codebook!.size + (t.nonzero < t.size ? 1 : 0)} values`)
    .join('; ');
}

// ---------------------------------------------------------------- run
const wallStart = performance.now();
const backend = await setUpNodeBackend(BACKEND);
const test = await loadDemoSplit('test');
const trainSets: Partial<Record<'full' | 'demo', LabelledImages>> = {};
const trainingImages = async (which: 'full' | 'demo') => (trainSets[which] ??= which === 'full' ? await loadSourceSplit('train') : await loadDemoSplit('train'));
const trainWords = (which: 'full' | 'demo', n: number) => `the ${n.toLocaleString('en')} ${which === 'full' ? 'Fashion-MNIST training images (Debian\'s dataset-fashion-mnist, which the demo models were trained on)' : 'demo training images'}`;
const testLimit = DRY ? 500 : test.count;
const labelLoss = crossEntropyLoss({ training: false });
console.log(`backend: ${backend.name} (${backend.note}); ${cpus().length} CPUs`);
console.log(`accuracy on ${testLimit} of the ${test.count} demo test images${DRY ? ' (--dry)' : ''}`);

const tables: string[] = [];
const verdicts: string[] = [];
for (const key of MODELS) {
  const c = CONFIGS[key];
  const rows: Row[] = [];
  const raw = new Uint8Array(demoModelArtifacts(c.id).weightData);
  let model = await loadDemoModel(c.id);
  const teacher = c.loss === 'distill' ? await loadDemoModel(c.id) : null;
  const lossFn = teacher ? distillationLoss(teacher, { temperature: c.temperature }) : labelLoss;
  const baseline = await demoAccuracy(model, test, testLimit);
  rows.push({ what: 'float32, raw', bytes: raw.length, accuracy: baseline, note: '`weights.bin` as committed' });
  rows.push({ what: 'float32, gzip', bytes: gzipSize(raw), accuracy: baseline, note: `gzip level ${GZIP_LEVEL}` });
  const u8 = await uint8Row(model, test, testLimit);
  rows.push({ what: 'uint8, gzip', bytes: u8.bytes, accuracy: u8.accuracy, note: 'the studio\'s uint8 export' });
  console.log(`${c.id}: baseline ${pct(baseline)}; uint8 gzip ${kb(u8.bytes)} at ${pct(u8.accuracy)}`);

  // Channels first (optional): a physically smaller model, whose kernels are denser, so their nonzero
  // positions cost fewer bits each. The pruning run's fine-tuning then recovers both.
  let channelWords = '';
  if (Object.keys(c.channels).length) {
    const dep = buildDependencyGraph(model);
    const plan = selectChannels(dep, await channelImportance(model, dep, { criterion: 'l1' }), { kind: 'perGroup', ratio: c.channels });
    const { model: smaller } = await removeChannels(model, dep, plan);
    disposeModel(model);
    channelWords = `${dep.groups.filter((g) => c.channels[g.id]).map((g) => `${g.id} ${g.channels} → ${plan[g.id].reduce((a, b) => a + b, 0)}`).join(', ')} units (L1), then `;
    model = smaller;
  }

  // Pruning: per-layer magnitude masks at AGP's fraction of each layer's final sparsity, while fine-tuning.
  const train = await trainingImages(c.train);
  const { stepsPerEpoch, batch } = seededBatches(train, c.batch, SHUFFLE_SEED);
  const pruneSteps = DRY ? DRY_STEPS : Math.round(c.pruneEpochs * stepsPerEpoch);
  const events = pruneSchedule('agp', { final: 1, totalSteps: pruneSteps, endStep: DRY ? DRY_STEPS - 2 : Math.round(pruneSteps * c.pruneEnd), rounds: DRY ? 3 : c.pruneRounds });
  const layers = Object.keys(c.sparsity);
  const t0 = performance.now();
  const pruned = await runPruningSchedule(model, {
    totalSteps: pruneSteps, events, batches: batch, lossFn,
    optimizer: { kind: 'adam', learningRate: c.pruneLr },
    prune: async (m, fraction) => (await computePruning(m, { granularity: 'unstructured', criterion: 'magnitude', layers, target: { kind: 'perLayer', sparsity: Object.fromEntries(layers.map((l) => [l, c.sparsity[l] * fraction])) } })).masks,
    onStep: (info) => {
      if (info.step % 200 === 0 || info.step === info.totalSteps) console.log(`  prune step ${info.step}/${info.totalSteps}: loss ${info.loss.toFixed(4)}`);
    },
  });
  const masks: MaskSet = pruned.masks;
  const sparsity = maskStats(masks).sparsity;
  const pu8 = await uint8Row(model, test, testLimit);
  const sparsityWords = layers.map((l) => `${l} ${(c.sparsity[l] * 100).toFixed(0)}%`).join(', ');
  rows.push({ what: 'pruned, uint8, gzip', bytes: pu8.bytes, accuracy: pu8.accuracy, note: `${channelWords}${sparsityWords} (${pct(sparsity)} of kernel weights), AGP over ${DRY ? `${pruneSteps} steps` : `${c.pruneEpochs} epochs`} of fine-tuning${teacher ? ` (distilled from the original, T = ${c.temperature})` : ''}` });
  console.log(`  pruned to ${pct(sparsity)} in ${((performance.now() - t0) / 60000).toFixed(1)} min: uint8 gzip ${kb(pu8.bytes)} at ${pct(pu8.accuracy)}`);

  // Weight sharing: sparsity-preserving k-means per kernel, then fine-tuning that trains the shared values.
  const clusters = await clusterModel(model, { k: 16, init: c.init, perKey: Object.fromEntries(Object.entries(c.k).map(([l, k]) => [`${l}/kernel`, { k }])), keys: Object.keys(c.k).map((l) => `${l}/kernel`) });
  const pc = await packedRow(model, test, testLimit);
  const kWords = Object.entries(c.k).map(([l, k]) => `${l} ${k}`).join(', ');
  rows.push({ what: 'pruned + clustered, packed', bytes: pc.bytes, accuracy: pc.accuracy, note: `k = ${kWords} (zero included), ${c.init} init` });
  const clusterSteps = DRY ? DRY_STEPS : Math.round(c.clusterEpochs * stepsPerEpoch);
  const t1 = performance.now();
  const { batch: clusterBatch } = seededBatches(train, c.batch, SHUFFLE_SEED + 1);
  await trainSteps(model, {
    batches: clusterBatch, steps: clusterSteps, lossFn, masks,
    optimizer: { kind: 'adam', learningRate: c.clusterLr },
    gradientTransform: clusterGradients(clusters),
  });
  // The sharing held through training on this backend (wasm runs our UnsortedSegmentSum kernel).
  const distinct = await distinctCounts(model, Object.keys(clusters));
  for (const [key, n] of Object.entries(distinct)) if (n > c.k[key.replace(/\/kernel$/, '')]) throw new Error(`${key} holds ${n} distinct values after cluster-preserving fine-tuning, more than k`);
  const pf = await packedRow(model, test, testLimit);
  rows.push({ what: 'pruned + clustered + fine-tuned, packed', bytes: pf.bytes, accuracy: pf.accuracy, note: `${DRY ? `${clusterSteps} steps` : `${c.clusterEpochs} epochs`} training the shared values (Adam lr ${c.clusterLr}); ${describePacked(pf.report)}` });
  console.log(`  clustered: packed ${kb(pc.bytes)} at ${pct(pc.accuracy)}; fine-tuned (${((performance.now() - t1) / 60000).toFixed(1)} min): packed ${kb(pf.bytes)} at ${pct(pf.accuracy)}`);
  disposeModel(model);
  if (teacher) disposeModel(teacher);

  const ratio = raw.length / pf.bytes;
  const drop = (baseline - pf.accuracy) * 100;
  const met = ratio >= c.goal.ratio && drop <= c.goal.maxDrop + 1e-9;
  verdicts.push(`${c.name}: ${ratio.toFixed(1)}x smaller, ${drop.toFixed(2)} points drop (goal >= ${c.goal.ratio}x, <= ${c.goal.maxDrop.toFixed(1)}): ${met ? 'met' : 'MISSED'}`);
  const lines = [`**${c.name}** (\`public/models/${c.id}\`), fine-tuned on ${trainWords(c.train, train.count)}`, '', '| file | bytes | x smaller than float32 | test accuracy | drop (points) | how |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.what} | ${r.bytes.toLocaleString('en')} | ${(raw.length / r.bytes).toFixed(1)}x | ${pct(r.accuracy)} | ${r === rows[0] ? '—' : ((baseline - r.accuracy) * 100).toFixed(2)} | ${r.note} |`);
  }
  tables.push(lines.join('\n'));
}
const minutes = (performance.now() - wallStart) / 60000;
const block = [
  `Accuracy on ${testLimit === test.count ? `all ${test.count.toLocaleString('en')}` : `${testLimit} of the ${test.count.toLocaleString('en')}`} demo test images, each of a model loaded back from its file's bytes (the packed ones decoded by \`decoder.mjs\`). Fine-tuning: batch 64, Adam, BatchNorm statistics frozen.`,
  `Backend: ${backend.name}. Written by \`npx tsx scripts/deep-compression-table.ts${TRAIN ? ` --train ${TRAIN}` : ''}\` (${minutes.toFixed(1)} min${DRY ? '; --dry: a handful of steps, not real results' : ''}).`,
  '',
  ...tables.flatMap((t) => [t, '']),
  ...verdicts.map((v) => `- ${v}`),
].join('\n');
console.log(`\n${block}\n`);
if (WRITE) {
  const readme = readFileSync(README, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs a ${START} ... ${END} block`);
  writeFileSync(README, `${readme.slice(0, a + START.length)}\n${block}\n${readme.slice(b)}`);
  console.log('wrote the table into README.md');
}
