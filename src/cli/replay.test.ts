// `secateur replay` against the studio's own export: a report.json made by the engine in this process
// (the code the studio's worker runs, here on the cpu backend), replayed by the command line as a
// process (on wasm): the same model files, zeros and float32 weights bit for bit.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRequest, ExportBundle, FinetuneOptions, ModelFile, PruneSettings } from '../engine/api';
import { StudioEngine } from '../engine/studioEngine';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';
import { readExportWeights, REPO, runCli, tempDir, writeModelFolder, zerosIn } from './cliTestKit';
import { DISK_ASSETS, PUBLIC_URL, packedDecoderSource } from './diskAssets';
import type { ReplayOutcome } from './replayCommand';

let modelDir: string;
let dropped: ModelFile[];
let engine: StudioEngine;
let jobId = 1;

beforeAll(async () => {
  const model = fashionCnn(8, [8, 8], 16, 3);
  randomizeWeights(model, 11);
  modelDir = await writeModelFolder(model, 'tiny-cnn');
  model.dispose();
  // The folder as the studio gets it when it is dropped.
  dropped = await Promise.all((await readdir(modelDir)).map(async (f) => ({ path: `tiny-cnn/${f}`, bytes: new Uint8Array(await readFile(join(modelDir, f))) })));
  engine = new StudioEngine([{ name: 'cpu', gpu: false, activate: async () => ({ device: 'test' }) }], { assets: DISK_ASSETS, packedDecoderSource });
  await engine.init({ baseUrl: PUBLIC_URL, backend: 'cpu' });
});

/** The studio's steps on the dropped model, then its .zip export, written to a folder. */
async function studioExport(
  steps: (PruneSettings | { finetune: FinetuneOptions } | { cluster: ClusterRequest })[], precision: 'float32' | 'uint8' = 'float32', format: 'zip' | 'packed' = 'zip',
): Promise<{ zipPath: string; bundle: ExportBundle }> {
  await engine.importModel(jobId++, dropped);
  for (const s of steps) {
    if ('finetune' in s) await engine.finetune(jobId++, s.finetune);
    else if ('cluster' in s) await engine.cluster(jobId++, s.cluster);
    else await engine.prune(jobId++, s);
  }
  const bundle = await engine.exportModel(jobId++, { precision, format });
  const zipPath = join(await tempDir('studio'), bundle.files[0].name);
  await writeFile(zipPath, bundle.files[0].bytes);
  return { zipPath, bundle };
}

async function replay(report: string, extra: string[] = []) {
  const out = await tempDir('replay');
  return { out, run: await runCli(['replay', report, modelDir, '--out', out, '--json', ...extra]) };
}

describe('secateur replay', () => {
  it.each<[string, (PruneSettings | { cluster: ClusterRequest })[]]>([
    ['unstructured after a channel step', [
      { granularity: 'channels', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.25 } },
      { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv2: 0.5, fc1: 0.8 } } },
    ]],
    ['channels (removed for real) after an unstructured step', [
      { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.3 } },
      { granularity: 'channels', criterion: 'magnitude', channelNorm: 'l2', target: { kind: 'perLayer', sparsity: { conv1: 0.5, fc1: 0.25 } } },
    ]],
    ['2:4, random criterion', [{ granularity: '2:4', criterion: 'random', target: { kind: 'global', sparsity: 0.5 } }]],
    ['random criterion with its own seed', [{ granularity: 'unstructured', criterion: 'random', seed: 42, target: { kind: 'global', sparsity: 0.6 } }]],
    ['clustered after pruning (the clustering read from its label)', [
      { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } },
      { cluster: { k: 6, init: 'density', perLayer: { fc1: 8 } } },
    ]],
  ])('gives the studio\'s export bit for bit: %s', async (_, steps: (PruneSettings | { cluster: ClusterRequest })[]) => {
    const { zipPath } = await studioExport(steps);
    const studio = unzipSync(new Uint8Array(await readFile(zipPath)));
    const { out, run } = await replay(zipPath);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as ReplayOutcome;
    expect(r.matches).toBe(true);
    expect(r.steps.map((s) => s.label)).toEqual(['Original model', ...JSON.parse(strFromU8(studio['report.json'])).recipe.slice(1).map((s: { label: string }) => s.label)]);
    // The model files are the same bytes: topology, manifest and float32 weights.
    for (const name of Object.keys(studio).filter((n) => n === 'model.json' || n.endsWith('.bin'))) {
      expect(Buffer.compare(Buffer.from(await readFile(join(out, name))), Buffer.from(studio[name])), name).toBe(0);
    }
    const weights = await readExportWeights(out);
    const zeros = [...weights.values()].reduce((n, w) => n + zerosIn(w.values), 0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(zeros).toBeGreaterThanOrEqual(report.totals.params - report.totals.nonzero);
    expect(report.totals.nonzero).toBe(JSON.parse(strFromU8(studio['report.json'])).totals.nonzero);
  }, 300_000);

  it('replays from a loose report.json too, at the report\'s precision', async () => {
    const { zipPath } = await studioExport([{ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.6 } }], 'uint8');
    const studio = unzipSync(new Uint8Array(await readFile(zipPath)));
    const reportPath = join(await tempDir('report'), 'report.json');
    await writeFile(reportPath, studio['report.json']);
    const { out, run } = await replay(reportPath, ['--format', 'zip']);
    expect(run.code).toBe(0);
    const [zipName] = await readdir(out);
    expect(zipName).toBe('tiny-cnn-60pct-sparse-uint8.zip');
    const replayed = unzipSync(new Uint8Array(await readFile(join(out, zipName))));
    expect(Buffer.compare(Buffer.from(replayed['group1-shard1of1.bin']), Buffer.from(studio['group1-shard1of1.bin']))).toBe(0);
  }, 300_000);

  it('refuses a recipe with a fine-tune (the report does not record its options), exit code 1', async () => {
    const { zipPath } = await studioExport([
      { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } },
      { finetune: { epochs: 0.02, learningRate: 0.001, optimizer: 'adam', batchSize: 16 } },
    ]);
    const { run } = await replay(zipPath);
    expect(run.code).toBe(1);
    const name = zipPath.split('/').pop();
    expect(run.stderr).toBe(`${name}: step 2 ("distilled 0.02 epochs, Adam lr 0.001") is a fine-tune; the report does not record its options (batch size, data order), so it cannot be replayed bit for bit. Re-run it with \`secateur prune … --epochs\`\n`);
  }, 300_000);

  it('replays a command-line fine-tune from the options its report records: the same weights bit for bit on the same backend', async () => {
    const first = await tempDir('first');
    const pruned = await runCli(['prune', modelDir, '--sparsity', '0.5', '--epochs', '0.05', '--batch', '16', '--seed', '7', '--out', first, '-q']);
    expect(pruned.code).toBe(0);
    const report = JSON.parse(await readFile(join(first, 'report.json'), 'utf8'));
    expect(report.commandLine).toEqual({
      generator: 'secateur command line', backend: 'wasm', seed: 7,
      finetune: { 2: { epochs: 0.05, learningRate: 0.001, optimizer: 'adam', batchSize: 16, targets: 'labels' } },
      reproducible: 'secateur replay gives the same weights bit for bit on the wasm backend with seed 7; fine-tuning on another backend rounds differently',
    });
    const { out, run } = await replay(join(first, 'report.json'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as ReplayOutcome).steps.map((s) => s.kind)).toEqual(['original', 'prune', 'finetune']);
    const a = await readExportWeights(first);
    const b = await readExportWeights(out);
    for (const [name, w] of a) expect(Buffer.compare(Buffer.from(w.values.buffer), Buffer.from(b.get(name)!.values.buffer)), name).toBe(0);
    // Training moved the weights: this is not the unpruned or merely masked model.
    expect(report.recipe[2].label).toBe('distilled 0.05 epochs, Adam lr 0.001');
  }, 300_000);

  it('refuses a file that is not a Secateur report, and a replay on a model of another size, exit code 1', async () => {
    const notReport = join(await tempDir('bad'), 'report.json');
    await writeFile(notReport, JSON.stringify({ hello: 1 }));
    const bad = await replay(notReport);
    expect(bad.run.code).toBe(1);
    expect(bad.run.stderr).toBe('report.json: not a Secateur export report (no "generator": "Secateur" and "recipe" list)\n');

    const { zipPath } = await studioExport([{ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } }]);
    // A model of another size: the replayed counts do not match the report's.
    const small = fashionCnn(8, [4, 6], 8, 3);
    randomizeWeights(small);
    const smallDir = await writeModelFolder(small, 'small-cnn');
    small.dispose();
    const out = await tempDir('replay');
    const mismatch = await runCli(['replay', zipPath, smallDir, '--out', out, '-q']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^The replayed model does not match the report: params: \d+ replayed, \d+ in the report; nonzero: /);
  }, 300_000);

  it('replays a studio\'s packed export as a packed export: the same model.secpak, byte for byte', async () => {
    const { zipPath } = await studioExport([
      { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.7 } },
      { cluster: { k: 16, init: 'kmeans++' } },
    ], 'float32', 'packed');
    const studio = unzipSync(new Uint8Array(await readFile(zipPath)));
    const { out, run } = await replay(zipPath);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as ReplayOutcome;
    expect(r.export.format).toBe('packed');
    const [zipName] = await readdir(out);
    expect(zipName).toBe(zipPath.split('/').pop());
    const replayed = unzipSync(new Uint8Array(await readFile(join(out, zipName))));
    expect(Buffer.compare(Buffer.from(replayed['model.secpak']), Buffer.from(studio['model.secpak']))).toBe(0);
    expect(Buffer.compare(Buffer.from(replayed['decoder.mjs']), Buffer.from(studio['decoder.mjs']))).toBe(0);
  }, 300_000);

  it('refuses a clustering whose label counts layers left alone without naming them', async () => {
    const { zipPath } = await studioExport([{ cluster: { k: 4, init: 'linear', perLayer: { fc2: 0 } } }]);
    const { run } = await replay(zipPath);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${zipPath.split('/').pop()}: step 1 ("clustered: 4 shared values per kernel (1 layer left as they are), linear init") leaves 1 of the layers as they are without naming them, so it cannot be replayed. Re-run it with \`secateur prune … --cluster-k 4 --cluster <layer>=0\`\n`);
  }, 300_000);

  it('replays a command-line run on the user\'s data (a CSV) with a clustering it records: refused without --data, bit for bit with it', async () => {
    const flowers = join(REPO, 'e2e/fixtures/data/flowers');
    const csv = join(flowers, 'flowers.csv');
    const first = await tempDir('first');
    const ran = await runCli(['prune', flowers, '--data', csv, '--sparsity', '0.4', '--cluster-k', '4', '--cluster', 'species=0', '--epochs', '0.5', '--out', first, '-q']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    const without = await runCli(['replay', join(first, 'report.json'), flowers, '--out', await tempDir('replay'), '-q']);
    expect(without.stderr).toBe('report.json: the run was measured and fine-tuned on flowers.csv; replay it on the same data with --data <path>\n');
    expect(without.code).toBe(1);
    const out = await tempDir('replay');
    const again = await runCli(['replay', join(first, 'report.json'), flowers, '--data', csv, '--out', out, '--json', '-q']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ReplayOutcome).steps.map((s) => s.kind)).toEqual(['original', 'prune', 'cluster', 'finetune']);
    expect(Buffer.compare(await readFile(join(out, 'group1-shard1of1.bin')), await readFile(join(first, 'group1-shard1of1.bin')))).toBe(0);
  }, 300_000);
});
