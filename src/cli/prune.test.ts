// `secateur prune` as a process on a tiny CNN (the demo CNN's layers in miniature, measured by
// fidelity on probe inputs): each granularity, a plan and a short fine-tune, zeros counted in the
// weight files it writes.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExportedZip } from '../core/model/exportModel';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { readExportWeights, runCli, tempDir, writeModelFolder, zerosIn } from './cliTestKit';
import type { PruneOutcome } from './pruneCommand';

const KERNELS = ['conv1/kernel', 'conv2/kernel', 'fc1/kernel', 'fc2/kernel'];
// conv1 3·3·1·8, conv2 3·3·8·8, fc1 32·16, fc2 16·3.
const SIZES = { 'conv1/kernel': 72, 'conv2/kernel': 576, 'fc1/kernel': 512, 'fc2/kernel': 48 } as Record<string, number>;
const PRUNABLE = 1208;

let modelDir: string;
let original: Awaited<ReturnType<typeof readExportWeights>>;

beforeAll(async () => {
  const model = fashionCnn(8, [8, 8], 16, 3);
  randomizeWeights(model);
  modelDir = await writeModelFolder(model, 'tiny-cnn');
  model.dispose();
  original = await readExportWeights(modelDir);
});

async function prune(args: string[]): Promise<{ out: string; result: PruneOutcome }> {
  const out = await tempDir('out');
  const r = await runCli(['prune', modelDir, '--out', out, '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { out, result: JSON.parse(r.stdout) as PruneOutcome };
}

const kernelZeros = (w: Awaited<ReturnType<typeof readExportWeights>>) => Object.fromEntries(KERNELS.map((k) => [k, zerosIn(w.get(k)!.values)]));

/** Every written weight is the original's, bit for bit, or exactly 0. */
function expectOriginalOrZero(w: Awaited<ReturnType<typeof readExportWeights>>) {
  for (const [name, { values }] of w) {
    const before = original.get(name)!.values;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== before[i]) throw new Error(`${name}[${i}] changed`);
  }
}

describe('secateur prune', () => {
  it('unstructured: the global fraction of prunable weights is zero in the written files, nothing else changes', async () => {
    const { out, result } = await prune(['--sparsity', '0.5']);
    const w = await readExportWeights(out);
    const zeros = kernelZeros(w);
    expect(Object.values(zeros).reduce((a, b) => a + b, 0)).toBe(PRUNABLE / 2);
    expectOriginalOrZero(w);
    expect(zerosIn(w.get('conv2/bias')!.values)).toBe(0);
    expect(result.steps.map((s) => s.label)).toEqual(['Original model', 'unstructured 50% global, magnitude']);
    expect(result.metric.kind).toBe('fidelity');
    expect((await readdir(out)).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'report.html', 'report.json']);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.recipe[1].settings).toEqual({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    expect(report.totals.nonzero).toBe(result.steps[1].nonzero);
  }, 180_000);

  it.each(['2:4', '4:8'] as const)('%s: half of every applicable kernel is zero; conv1 (one input channel) is left alone', async (g) => {
    const { out, result } = await prune(['--granularity', g, '--criterion', 'random']);
    const w = await readExportWeights(out);
    expect(kernelZeros(w)).toEqual({ 'conv1/kernel': 0, 'conv2/kernel': 288, 'fc1/kernel': 256, 'fc2/kernel': 24 });
    expectOriginalOrZero(w);
    expect(result.steps[1].skipped.map((s) => s.key)).toEqual(['conv1/kernel']);
  }, 180_000);

  it('channels: the written model is smaller, and a uint8 .zip loads with tfjs\'s own loader', async () => {
    const { out, result } = await prune(['--granularity', 'channels', '--sparsity', '0.5', '--format', 'zip', '--precision', 'uint8']);
    const [zipName] = await readdir(out);
    expect(zipName).toBe('tiny-cnn-0pct-sparse-uint8.zip');
    const model = await loadExportedZip(new Uint8Array(await readFile(join(out, zipName))));
    const kept = ['conv1', 'conv2', 'fc1'].map((l) => model.getLayer(l).getWeights()[0].shape.at(-1)!);
    // Half of the 8 + 8 + 16 channels of the unlocked groups go, ranked over all of them; fc2 keeps its 3 outputs.
    expect(kept.reduce((a, b) => a + b, 0)).toBe(16);
    expect(model.getLayer('fc2').getWeights()[0].shape).toEqual([kept[2], 3]);
    const params = model.weights.reduce((n, v) => n + v.shape.reduce((a, b) => a! * b!, 1)!, 0);
    expect(params).toBe(result.steps[1].params);
    expect(params).toBeLessThan(result.steps[0].params);
    const out1 = tf.tidy(() => (model.predict(tf.ones([1, 8, 8, 1])) as tf.Tensor).dataSync());
    expect(out1.length).toBe(3);
    model.dispose();
  }, 180_000);

  it('--layer targets: exactly that fraction of each named layer', async () => {
    const { out } = await prune(['--layer', 'conv2=0.25', '--layer', 'fc1=75%']);
    expect(kernelZeros(await readExportWeights(out))).toEqual({ 'conv1/kernel': 0, 'conv2/kernel': 144, 'fc1/kernel': 384, 'fc2/kernel': 0 });
  }, 180_000);

  it('--layer naming a layer the model lacks is bad input, with the prunable layers listed', async () => {
    const r = await runCli(['prune', modelDir, '--out', await tempDir('out'), '--layer', 'conv9=0.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tiny-cnn has no prunable layer "conv9" (prunable: conv1, conv2, fc1, fc2)\n');
  }, 180_000);

  it('--plan: scans, allocates per-layer targets for the sparsity asked, and writes that many zeros', async () => {
    const { out, result } = await prune(['--plan', 'sparsity=0.6']);
    const zeros = Object.values(kernelZeros(await readExportWeights(out))).reduce((a, b) => a + b, 0);
    expect(result.plan!.reached).toBe(true);
    expect(zeros / PRUNABLE).toBeCloseTo(result.plan!.achieved.sparsity, 6);
    expect(Math.abs(zeros / PRUNABLE - 0.6)).toBeLessThan(0.02);
    // Not the same fraction everywhere: the plan spreads the cut by sensitivity.
    const per = KERNELS.map((k) => result.plan!.sparsity[k.split('/')[0]] ?? 0);
    expect(new Set(per).size).toBeGreaterThan(1);
    expect(result.steps[1].settings!.target.kind).toBe('perLayer');
  }, 300_000);

  it('--epochs: fine-tunes (by distillation: this model has no labelled data) and every pruned weight stays exactly 0', async () => {
    const { out, result } = await prune(['--sparsity', '0.5', '--epochs', '0.1', '--batch', '16']);
    const w = await readExportWeights(out);
    expect(Object.values(kernelZeros(w)).reduce((a, b) => a + b, 0)).toBe(PRUNABLE / 2);
    expect(result.steps.map((s) => s.kind)).toEqual(['original', 'prune', 'finetune']);
    expect(result.steps[2].label).toBe('distilled 0.1 epochs, Adam lr 0.001');
    const moved = [...w].some(([name, { values }]) => values.some((v, i) => v !== 0 && v !== original.get(name)!.values[i]));
    expect(moved).toBe(true);
    for (const k of KERNELS) expect(w.get(k)!.values.length).toBe(SIZES[k]);
  }, 300_000);
});
