// Measures what pruning + fine-tuning does to the demo CNN (public/models/fashion-cnn) and writes the
// README's results table (between <!-- results:start --> and <!-- results:end --> in README.md):
//   - baseline test accuracy on all 2,000 public test images;
//   - 90% global unstructured magnitude pruning, one-shot with no fine-tuning (for contrast);
//   - the same 90%, reached gradually (AGP, Zhu & Gupta) while fine-tuning with Adam on the 6,000 demo
//     training images for at most 3 epochs (core/train runPruningSchedule): goal drop <= 1.0 point;
//   - 50% of the channels of both conv groups removed (L1 norm, removeChannels), without and with
//     fine-tuning of the physically smaller model (<= 3 epochs): goal drop <= 1.5 points;
// with params, nonzero params, MACs (graph/macs.ts countModel), time per step and total time.
//
//   npx tsx scripts/results-table.ts            # the full run (~3 min with wasm on 2 shared cores), writes README.md
//   npx tsx scripts/results-table.ts --dry      # a handful of steps and 500 test images; prints, writes nothing
//   options: --epochs N (<= 3, default 3)  --lr X (default 0.001)  --batch N (default 64)
//            --agp-end F (fraction of the steps at which AGP reaches 90%, default 2/3)  --rounds N (AGP events, default 20)
//            --bn frozen|train (default frozen: BatchNorm statistics fixed, as the studio fine-tunes; training
//                               mode, with Dropout on, was worse here: AGP drop 1.30, channels 1.85 points)
//            --backend wasm|cpu (default wasm, falling back to cpu)  --no-write  --write (also with --dry)
//
// Backend: tfjs-backend-wasm in Node with our Conv2DBackpropFilter kernel (wasm 4.22 has none), else
// the cpu backend with the fast kernel (~1.8 s per step here, ~10x slower). Seeded: the per-epoch
// shuffles (mulberry32, as the studio's trainer) and the model files; tfjs float sums may differ across
// machines and backends, so a rerun elsewhere gives close, not identical, numbers.
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../src/core/data/fashionMnist';
import { removeChannels } from '../src/core/graph/channelSurgery';
import { buildDependencyGraph } from '../src/core/graph/dependencyGraph';
import { disposeModel } from '../src/core/graph/disposeModel';
import { countModel, type CountTotals } from '../src/core/graph/macs';
import { channelImportance } from '../src/core/prune/channelImportance';
import { selectChannels } from '../src/core/prune/channelSelection';
import { applyMasks } from '../src/core/prune/masks';
import { computePruning } from '../src/core/prune/pruneRequest';
import { crossEntropyLoss, trainSteps } from '../src/core/train/maskedTrainer';
import { runPruningSchedule } from '../src/core/train/scheduledPruning';
import { pruneSchedule } from '../src/core/train/schedules';
import { median } from '../src/core/metrics/quantile';
import { REPO_ROOT, loadDemoSplit } from './demoAssets';
import { demoAccuracy, loadDemoModel, seededBatches } from './demoTraining';
import { setUpNodeBackend } from './nodeBackend';
import { scriptOptions } from './scriptOptions';

// ---------------------------------------------------------------- settings
const { flag, option, numberOption } = scriptOptions('results-table.ts', ['--dry', '--write', '--no-write', '--epochs', '--lr', '--batch', '--agp-end', '--rounds', '--bn', '--backend']);

const DRY = flag('--dry');
const EPOCHS = numberOption('--epochs', 3);
if (!(EPOCHS > 0 && EPOCHS <= 3)) throw new Error(`--epochs ${EPOCHS}: the results table allows at most 3 epochs`);
const LR = numberOption('--lr', 1e-3);
const BATCH = numberOption('--batch', 64);
const AGP_END = numberOption('--agp-end', 2 / 3);
if (!(AGP_END > 0 && AGP_END <= 1)) throw new Error(`--agp-end ${AGP_END} is not in (0, 1]`);
const ROUNDS = numberOption('--rounds', 20);
const BN = option('--bn') ?? 'frozen';
if (BN !== 'frozen' && BN !== 'train') throw new Error(`--bn ${BN}: frozen or train`);
const WANT_BACKEND = option('--backend') ?? 'wasm';
if (WANT_BACKEND !== 'wasm' && WANT_BACKEND !== 'cpu') throw new Error(`--backend ${WANT_BACKEND}: wasm or cpu`);
const WRITE = flag('--write') || (!DRY && !flag('--no-write'));
const SPARSITY = 0.9;
const CHANNEL_RATIO = 0.5;
/** The studio's trainer seed (engine/tasks.ts): a fresh mulberry32 shuffle per epoch. */
const SHUFFLE_SEED = 20171101;
const DRY_STEPS = 6;
const DRY_TEST_IMAGES = 500;
const README = join(REPO_ROOT, 'README.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

// ---------------------------------------------------------------- backend

const setUpBackend = () => setUpNodeBackend(WANT_BACKEND);

// ---------------------------------------------------------------- model and data
const loadCnn = () => loadDemoModel('fashion-cnn');
const accuracy = (model: tf.LayersModel, test: LabelledImages, limit: number) => demoAccuracy(model, test, limit);
const shuffledBatches = (train: LabelledImages, batchSize: number) => seededBatches(train, batchSize, SHUFFLE_SEED);

// ---------------------------------------------------------------- formatting
const int = (n: number) => Math.round(n).toLocaleString('en');
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const points = (drop: number) => `${drop >= 0 ? '' : '+'}${Math.abs(drop * 100).toFixed(2)}`;
const mega = (n: number) => `${(n / 1e6).toFixed(3)} M`;

interface Row {
  name: string;
  acc: number;
  counts: CountTotals;
  macsNote?: string;
  finetune: string;
  msPerStep?: number;
  minutes?: number;
  goal?: { maxDrop: number };
}

// ---------------------------------------------------------------- run
const wallStart = performance.now();
const backend = await setUpBackend();
const [train, test] = await Promise.all([loadDemoSplit('train'), loadDemoSplit('test')]);
const testLimit = DRY ? DRY_TEST_IMAGES : test.count;
const { stepsPerEpoch } = shuffledBatches(train, BATCH);
const totalSteps = DRY ? DRY_STEPS : Math.round(EPOCHS * stepsPerEpoch);
const lossFn = crossEntropyLoss({ training: BN === 'train' });
const bnWords = BN === 'train' ? 'BatchNorm in training mode (batch statistics, moving averages updated)' : 'BatchNorm statistics frozen (inference mode; gamma and beta learn), as the studio';
console.log(`backend: ${backend.name} (${backend.note}); ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
console.log(`data: ${train.count} training images, ${testLimit} of ${test.count} test images${DRY ? ' (--dry)' : ''}; ${totalSteps} steps of batch ${BATCH} per fine-tuning (${DRY ? 'dry' : `${EPOCHS} epochs of ${stepsPerEpoch}`}), Adam lr ${LR}, ${bnWords}`);

const rows: Row[] = [];
const report = (row: Row, baseline: number) => {
  rows.push(row);
  const time = row.msPerStep !== undefined ? `, ${row.msPerStep.toFixed(0)} ms/step, ${row.minutes!.toFixed(2)} min` : '';
  const goal = row.goal ? ` (goal <= ${row.goal.maxDrop.toFixed(1)}: ${(baseline - row.acc) * 100 <= row.goal.maxDrop + 1e-9 ? 'met' : 'MISSED'})` : '';
  console.log(`${row.name}: accuracy ${pct(row.acc)}, drop ${points(baseline - row.acc)} points${goal}, params ${int(row.counts.params)}, nonzero ${int(row.counts.nonzero)}, MACs ${int(row.counts.macs)} (nonzero ${int(row.counts.nonzeroMacs)})${time}`);
};

// 1. Baseline.
const original = await loadCnn();
const baseCounts = (await countModel(original)).totals;
const baseline = await accuracy(original, test, testLimit);
report({ name: 'baseline', acc: baseline, counts: baseCounts, finetune: '—' }, baseline);

/** Global magnitude masks over every prunable kernel at `sparsity`, for the model as it is now. */
const magnitudeMasks = async (model: tf.LayersModel, sparsity: number) =>
  (await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } })).masks;

// 2. One-shot 90%, no fine-tuning.
{
  const model = await loadCnn();
  applyMasks(model, await magnitudeMasks(model, SPARSITY));
  const counts = (await countModel(model)).totals;
  report({ name: `${SPARSITY * 100}% unstructured (global magnitude), one-shot, no fine-tuning`, acc: await accuracy(model, test, testLimit), counts, finetune: 'none' }, baseline);
  disposeModel(model);
}

// 3. AGP to 90% while fine-tuning.
{
  const model = await loadCnn();
  const agpEnd = DRY ? DRY_STEPS - 2 : Math.round(totalSteps * AGP_END);
  const rounds = DRY ? 3 : ROUNDS;
  const events = pruneSchedule('agp', { final: SPARSITY, totalSteps, endStep: agpEnd, rounds });
  const { batch } = shuffledBatches(train, BATCH);
  let evalMs = 0;
  const t0 = performance.now();
  const r = await runPruningSchedule(model, {
    totalSteps, events, batches: batch, lossFn,
    optimizer: { kind: 'adam', learningRate: LR },
    prune: magnitudeMasks,
    onPrune: async (e) => {
      // A look at the way down (500 test images; not used for any decision), timed apart.
      const e0 = performance.now();
      const acc = await accuracy(model, test, 500);
      evalMs += performance.now() - e0;
      console.log(`  AGP event ${e.index + 1}/${e.totalEvents} before step ${e.atStep}: target ${(e.sparsity * 100).toFixed(2)}%, achieved ${(e.achieved * 100).toFixed(2)}%, accuracy on 500 test images ${pct(acc)}`);
    },
    onStep: (info) => {
      if (info.step % 47 === 0 || info.step === info.totalSteps) console.log(`  AGP step ${info.step}/${info.totalSteps}: loss ${info.loss.toFixed(4)}`);
    },
  });
  const minutes = (performance.now() - t0 - evalMs) / 60000;
  const last = r.events[r.events.length - 1];
  if (Math.abs(last.achieved - SPARSITY) > 1e-4) throw new Error(`AGP ended at ${last.achieved}, not ${SPARSITY}`);
  const counts = (await countModel(model)).totals;
  report({
    name: `${SPARSITY * 100}% unstructured (global magnitude), AGP while fine-tuning`,
    acc: await accuracy(model, test, testLimit), counts,
    finetune: `${DRY ? `${totalSteps} steps (dry)` : `${EPOCHS} epochs`}: AGP 0 → ${SPARSITY * 100}% in ${events.length} events over steps 0–${agpEnd}, then ${totalSteps - agpEnd} steps at ${SPARSITY * 100}%`,
    msPerStep: median(r.stepMs), minutes, goal: { maxDrop: 1.0 },
  }, baseline);
  disposeModel(model);
}

// 4, 5. 50% of the conv channels removed (L1), then the smaller model fine-tuned.
{
  const dep = buildDependencyGraph(original);
  const convGroups = dep.groups.filter((g) => !g.locked && g.producers.some((p) => original.getLayer(p).getClassName() === 'Conv2D'));
  const scores = await channelImportance(original, dep, { criterion: 'l1' });
  const plan = selectChannels(dep, scores, { kind: 'perGroup', ratio: Object.fromEntries(convGroups.map((g) => [g.id, CHANNEL_RATIO])) });
  const groupWords = convGroups.map((g) => `${g.id} ${g.channels} → ${plan[g.id].reduce((a, b) => a + b, 0)}`).join(', ');
  const { model: smaller } = await removeChannels(original, dep, plan);
  const counts = (await countModel(smaller)).totals;
  const macsNote = `${mega(baseCounts.macs)} → ${mega(counts.macs)} (−${((1 - counts.macs / baseCounts.macs) * 100).toFixed(1)}%)`;
  const name = `${CHANNEL_RATIO * 100}% of conv channels removed (L1; ${groupWords})`;
  report({ name: `${name}, no fine-tuning`, acc: await accuracy(smaller, test, testLimit), counts, macsNote, finetune: 'none' }, baseline);

  const { batch } = shuffledBatches(train, BATCH);
  const t0 = performance.now();
  const r = await trainSteps(smaller, { batches: batch, steps: totalSteps, optimizer: { kind: 'adam', learningRate: LR }, lossFn,
    onStep: (info) => {
      if (info.step % 47 === 0 || info.step === info.totalSteps) console.log(`  channels step ${info.step}/${info.totalSteps}: loss ${info.loss.toFixed(4)}`);
    },
  });
  const minutes = (performance.now() - t0) / 60000;
  const after = (await countModel(smaller)).totals;
  report({
    name: `${name}, fine-tuned`, acc: await accuracy(smaller, test, testLimit), counts: after, macsNote,
    finetune: `${DRY ? `${totalSteps} steps (dry)` : `${EPOCHS} epochs`} of the smaller model`,
    msPerStep: median(r.stepMs), minutes, goal: { maxDrop: 1.5 },
  }, baseline);
  disposeModel(smaller);
}
disposeModel(original);
const totalMinutes = (performance.now() - wallStart) / 60000;

// ---------------------------------------------------------------- the table
const lines: string[] = [];
lines.push(`Demo CNN (\`public/models/fashion-cnn\`), accuracy on ${testLimit === test.count ? `all ${int(test.count)}` : `${testLimit} of the ${int(test.count)}`} demo test images; fine-tuning on the ${int(train.count)} demo training images,`);
lines.push(`batch ${BATCH}, Adam lr ${LR}, a seeded shuffle per epoch, ${bnWords}. Backend: ${backend.name} (${backend.note}), ${cpus().length} CPUs.`);
lines.push(`Drop = baseline − variant, in percentage points. Written by \`npx tsx scripts/results-table.ts\` (${totalMinutes.toFixed(1)} min in all${DRY ? '; --dry: a handful of steps, not real results' : ''}).`);
lines.push('');
lines.push('| variant | test accuracy | drop (points) | goal | params | nonzero params | MACs / image (dense) | nonzero MACs | fine-tuning | time / step | fine-tuning time |');
lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const drop = baseline - row.acc;
  const goal = row.goal ? `≤ ${row.goal.maxDrop.toFixed(1)}: ${drop * 100 <= row.goal.maxDrop + 1e-9 ? 'met' : 'missed'}` : '';
  lines.push([
    row.name, pct(row.acc), row === rows[0] ? '—' : points(drop), goal, int(row.counts.params), int(row.counts.nonzero),
    row.macsNote ?? mega(row.counts.macs), mega(row.counts.nonzeroMacs), row.finetune,
    row.msPerStep !== undefined ? `${row.msPerStep.toFixed(0)} ms` : '—', row.minutes !== undefined ? `${row.minutes.toFixed(1)} min` : '—',
  ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'));
}
lines.push('');
lines.push(`Time / step: median; fine-tuning time: training and pruning events (the AGP row leaves out its per-event look at 500 test images).`);
lines.push('Unstructured pruning keeps the dense shapes (params and dense MACs unchanged; the zeros save only after gzip or');
lines.push('quantization, or on sparse hardware); removing channels makes the model itself smaller and cheaper.');
const block = lines.join('\n');
console.log(`\n${block}\n`);

if (WRITE) {
  // Read just before writing: other parts of the README may have changed while this ran.
  const readme = readFileSync(README, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a || readme.indexOf(START, a + 1) >= 0) throw new Error(`README.md needs exactly one ${START} ... ${END} block (inside "## Fine-tuning", under "### Results")`);
  writeFileSync(README, `${readme.slice(0, a + START.length)}\n${block}\n${readme.slice(b)}`);
  console.log(`wrote the table into README.md (between ${START} and ${END})`);
} else {
  console.log(`README.md not written (${DRY ? '--dry' : '--no-write'}; add --write to write anyway)`);
}
