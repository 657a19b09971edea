// `secateur prune` as a process on a tiny CNN (the demo CNN's layers in miniature, measured by
// fidelity on probe inputs): each granularity, a plan, a short fine-tune, the random criterion's
// seed, clustering, the packed export and a pruning schedule, zeros counted in the files it writes.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExportedZip } from '../core/model/exportModel';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { strFromU8, unzipSync } from 'fflate';
import { decode } from '../core/compress/decoder.mjs';
import { readExportWeights, REPO, runCli, tempDir, writeModelFolder, zerosIn } from './cliTestKit';
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

  it('--criterion merge: similar channels merged into their twins, the model smaller, as channel removal is', async () => {
    const { out, result } = await prune(['--granularity', 'channels', '--criterion', 'merge', '--sparsity', '0.25']);
    expect(result.steps[1].label).toBe('channels 25% global, similar units merged');
    expect(result.steps[1].params).toBeLessThan(result.steps[0].params);
    const w = await readExportWeights(out);
    const params = [...w.values()].reduce((n, v) => n + v.values.length, 0);
    expect(params).toBe(result.steps[1].params);
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

  it('--seed: the random criterion draws other weights with another seed, and the label names it', async () => {
    const seeded = await prune(['--criterion', 'random', '--sparsity', '0.5', '--seed', '5']);
    const plain = await prune(['--criterion', 'random', '--sparsity', '0.5']);
    expect(seeded.result.steps[1].label).toBe('unstructured 50% global, random, seed 5');
    expect(seeded.result.steps[1].settings!.seed).toBe(5);
    expect(plain.result.steps[1].label).toBe('unstructured 50% global, random');
    const a = await readExportWeights(seeded.out);
    const b = await readExportWeights(plain.out);
    expect(Object.values(kernelZeros(a)).reduce((x, y) => x + y, 0)).toBe(PRUNABLE / 2);
    const sameZeros = (k: string) => a.get(k)!.values.every((v, i) => (v === 0) === (b.get(k)!.values[i] === 0));
    expect(KERNELS.every(sameZeros)).toBe(false);
  }, 300_000);

  it('--cluster-k with per-layer --cluster: each kernel holds at most its k values (the zero among them), pruned weights stay 0; --format packed decodes to the same weights bit for bit', async () => {
    const args = ['--sparsity', '0.5', '--cluster-k', '4', '--cluster-init', 'linear', '--cluster', 'conv1=3', '--cluster', 'fc2=0'];
    const { out, result } = await prune(args);
    expect(result.steps.map((s) => s.label)).toEqual(['Original model', 'unstructured 50% global, magnitude', 'clustered: 4 shared values per kernel (conv1 3, 1 layer left as they are), linear init']);
    const w = await readExportWeights(out);
    expect(Object.values(kernelZeros(w)).reduce((a, b) => a + b, 0)).toBe(PRUNABLE / 2);
    const distinct = (k: string) => new Set(w.get(k)!.values).size;
    expect(distinct('conv1/kernel')).toBeLessThanOrEqual(3);
    expect(distinct('conv2/kernel')).toBeLessThanOrEqual(4);
    expect(distinct('fc1/kernel')).toBeLessThanOrEqual(4);
    // fc2 is left as it is: the pruned original.
    const fc2 = w.get('fc2/kernel')!.values;
    expect(fc2.every((v, i) => v === 0 || v === original.get('fc2/kernel')!.values[i])).toBe(true);
    expect(distinct('fc2/kernel')).toBeGreaterThan(4);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.commandLine.cluster).toEqual({ 2: { k: 4, init: 'linear', perLayer: { conv1: 3, fc2: 0 } } });

    const packed = await prune([...args, '--format', 'packed']);
    const [zipName] = await readdir(packed.out);
    expect(zipName).toBe('tiny-cnn-50pct-sparse-packed.zip');
    const entries = unzipSync(new Uint8Array(await readFile(join(packed.out, zipName))));
    expect(Object.keys(entries).sort()).toEqual(['README.md', 'decoder.mjs', 'model.secpak', 'report.json']);
    expect(strFromU8(entries['decoder.mjs'])).toBe(await readFile(join(REPO, 'src/core/compress/decoder.mjs'), 'utf8'));
    expect(packed.result.export.format).toBe('packed');
    expect(packed.result.export.weightBytes).toBe(entries['model.secpak'].length);
    const decoded = decode(entries['model.secpak']);
    let offset = 0;
    for (const spec of decoded.weightSpecs) {
      const n = spec.shape.reduce((a: number, b: number) => a * b, 1);
      const values = new Float32Array(decoded.weightData.slice(offset, offset + n * 4));
      offset += n * 4;
      expect(Buffer.compare(Buffer.from(values.buffer), Buffer.from(w.get(spec.name)!.values.buffer)), spec.name).toBe(0);
    }
    expect(offset).toBe(decoded.weightData.byteLength);
  }, 300_000);

  it('--schedule iterative: prunes while fine-tuning, each pruning event a step, every pruned weight 0 at the end', async () => {
    const { out, result } = await prune(['--schedule', 'iterative', '--rounds', '2', '--sparsity', '0.6', '--epochs', '0.2', '--batch', '16']);
    expect(result.steps.map((s) => s.kind)).toEqual(['original', 'prune', 'prune', 'finetune']);
    expect(result.steps[2].label).toMatch(/^Iterative 2\/2: unstructured 60% global, magnitude at step \d+$/);
    expect(result.steps[3].label).toBe('distilled 0.2 epochs, Adam lr 0.001, pruning in 2 rounds to 60%');
    const zeros = Object.values(kernelZeros(await readExportWeights(out))).reduce((a, b) => a + b, 0);
    expect(zeros).toBe(PRUNABLE - (result.steps[3].nonzero - (result.steps[0].params - PRUNABLE)));
    expect(Math.abs(zeros / PRUNABLE - 0.6)).toBeLessThan(0.01);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.commandLine.finetune[3].schedule).toEqual({ kind: 'iterative', final: 0.6, rounds: 2, granularity: 'unstructured', criterion: 'magnitude' });
  }, 300_000);
});
