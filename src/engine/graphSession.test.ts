// Graph models through the engine's doors, in Node on the cpu backend: the tiny graph fixtures of
// e2e/fixtures/graph (scripts/build-graph-fixtures.ts) imported as a user drops them, pruned with the
// page's requests, restored, compared and exported; what a graph cannot do is refused in plain words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { GRAPH_CANNOT_TRAIN, type PruneSettings } from './api';
import { startTestEngine } from './engineTestSupport';
import type { StudioEngine } from './studioEngine';
import { chooseGraphTask } from './graphTask';
import { fixture, fixtureFiles, loadedZeros } from '../core/graphModel/testGraphs';
import { GRAPH_CHANNEL_SCAN, TAYLOR_NEEDS_GRADIENTS, loadExportedGraphFiles, loadGraphModelData } from '../core/graphModel';
import { MERGE_NEEDS_LAYERS } from './graphSession';
import { UNCONTROLLED } from '../core/job';
import { GRAPH_DATA_LATER } from './taskSwitch';
import { FIXTURES_DIR } from '../../scripts/build-bad-fixtures';

const settings = (granularity: PruneSettings['granularity'], target: PruneSettings['target'], criterion: PruneSettings['criterion'] = 'magnitude'): PruneSettings => ({ granularity, criterion, target });
const global = (sparsity: number) => settings('unstructured', { kind: 'global', sparsity });

describe('graph models in the engine', () => {
  let engine: StudioEngine;
  let job = 0;
  let tensorsBefore = 0;

  beforeEach(async () => {
    ({ engine } = await startTestEngine());
    await engine.loadDemoModel(++job, 'tiny');
    tensorsBefore = tf.memory().numTensors;
  });

  afterEach(async () => {
    // Loading another model frees the graph session, its live model and its probes: nothing is left.
    await engine.loadDemoModel(++job, 'tiny');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('imports a small residual graph convnet: a graph-model summary with its layers, fidelity 1 as the baseline, one history point', async () => {
    const r = await engine.importModel(++job, fixtureFiles('residual'));
    const { analysis, data } = fixture('residual');
    expect(r.summary.modelKind).toBe('graph');
    expect(r.summary.source).toMatchObject({ kind: 'file', metric: 'fidelity', labelled: false });
    expect(r.baseline).toMatchObject({ metric: 'fidelity', value: 1 });
    expect(r.point).toMatchObject({ id: 0, kind: 'original', label: 'Original model', parentId: null });
    const params = data.weights.reduce((n, w) => n + w.values.length, 0);
    expect(r.summary.totals.params).toBe(params);
    expect(r.point.params).toBe(params);
    expect(r.summary.prunable.map((l) => l.path)).toEqual(analysis.layers.filter((l) => l.prunable).map((l) => l.name));
    expect(r.summary.layers.filter((l) => l.prunable).map((l) => l.name)).toEqual(r.summary.prunable.map((l) => l.path));
    // Every row has its output shape and MACs; the totals add up.
    const dense = r.summary.layers.filter((l) => l.prunable);
    expect(dense.every((l) => l.outputShape.length > 0 && (l.macs ?? 0) > 0)).toBe(true);
    expect(r.summary.totals.macs).toBe(dense.reduce((n, l) => n + (l.macs ?? 0), 0));
    expect(r.summary.totals.prunableSparsity).toBe(0);
  });

  it('prunes 50% globally, per layer and 2:4; restores any point exactly; each step is a history point', async () => {
    await engine.importModel(++job, fixtureFiles('residual'));
    const half = await engine.prune(++job, global(0.5));
    expect(half.point).toMatchObject({ id: 1, parentId: 0, baseId: 0, kind: 'prune', label: 'unstructured 50% global, magnitude' });
    expect(half.point.prunableSparsity).toBeCloseTo(0.5, 2);
    expect(half.summary.totals.prunableSparsity).toBe(half.point.prunableSparsity);
    expect(half.point.metric.metric).toBe('fidelity');
    expect(half.point.metric.value).toBeLessThan(1);
    expect(half.point.gzipBytes).toBeLessThan((await engine.restore(++job, 0)).point.gzipBytes);

    const first = half.summary.prunable[0].path;
    const one = await engine.prune(++job, settings('unstructured', { kind: 'perLayer', sparsity: { [first]: 0.8 } }));
    const row = one.summary.prunable.find((l) => l.path === first)!;
    expect(row.sparsity).toBeCloseTo(0.8, 2);
    expect(one.summary.prunable.filter((l) => l.path !== first).every((l) => l.sparsity === 0)).toBe(true);
    expect(one.point.parentId).toBe(0);

    const nm = await engine.prune(++job, settings('2:4', { kind: 'global', sparsity: 0 }));
    expect(nm.point.label).toBe('2:4 semi-structured, magnitude');
    // 2 of every 4 along the input axis (a short last group of 2 keeps 2): at most half, never less than a third.
    const applied = nm.summary.prunable.filter((x) => !x.nmSkip);
    expect(applied.length).toBeGreaterThan(0);
    for (const l of applied) expect(l.sparsity > 0.3 && l.sparsity <= 0.5, `${l.path} ${l.sparsity}`).toBe(true);
    for (const l of nm.summary.prunable.filter((x) => x.nmSkip)) expect(l.sparsity).toBe(0);

    const back = await engine.restore(++job, half.point.id);
    expect(back.point).toEqual(half.point);
    expect(back.summary.totals.nonzero).toBe(half.point.nonzero);
    // The live model is the restored point's: pruning the same again measures the same.
    const again = await engine.prune(++job, global(0.5));
    expect(again.point.metric.value).toBe(half.point.metric.value);
  });

  it('removes channels where the groups allow it (a residual sum couples its producers); locked layers say why', async () => {
    await engine.importModel(++job, fixtureFiles('residual'));
    const before = (await engine.restore(++job, 0)).summary;
    const open = before.prunable.filter((l) => l.group);
    expect(open.length).toBeGreaterThan(0);
    expect(before.prunable.filter((l) => !l.group).every((l) => typeof l.channelLock === 'string' && l.channelLock.length > 0)).toBe(true);
    const r = await engine.prune(++job, settings('channels', { kind: 'global', sparsity: 0.5 }));
    expect(r.point.params).toBeLessThan(before.totals.params);
    expect(r.point.macs).toBeLessThan(before.totals.macs);
    for (const l of r.summary.prunable.filter((x) => x.group)) expect(l.group!.kept).toBeLessThan(l.group!.channels);
    expect(r.point.skipped.length).toBe(before.prunable.filter((l) => !l.group).length > 0 ? r.point.skipped.length : 0);
    await expect(engine.prune(++job, settings('channels', { kind: 'global', sparsity: 0.5 }, 'merge'))).rejects.toThrow(MERGE_NEEDS_LAYERS);
  });

  it('exports uint8 / float16 / float32 that plain tf.loadGraphModel reads, zeros exact, with the steps in the report', async () => {
    await engine.importModel(++job, fixtureFiles('residual'));
    const pruned = await engine.prune(++job, global(0.5));
    for (const precision of ['uint8', 'float16', 'float32'] as const) {
      const bundle = await engine.exportModel(++job, { precision, format: 'zip' });
      expect(bundle.fileName).toMatch(new RegExp(`-50pct-sparse-${precision}\\.zip$`));
      const entries = unzipSync(bundle.files[0].bytes);
      expect(Object.keys(entries).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'model.json', 'report.json']);
      const report = JSON.parse(new TextDecoder().decode(entries['report.json']));
      expect(report).toMatchObject({ format: 'graph-model', precision, totals: { nonzero: pruned.point.nonzero } });
      expect(report.steps[0]).toBe('Original model');
      expect(report.steps[1]).toBe('unstructured 50% global, magnitude');
      expect(new TextDecoder().decode(entries['README.md'])).toContain('tf.loadGraphModel');
      const model = await loadExportedGraphFiles(Object.entries(entries).map(([name, bytes]) => ({ name, bytes })));
      expect(loadedZeros(model), precision).toBe(pruned.point.params - pruned.point.nonzero);
      model.dispose();
    }
    const sizes = await engine.exportSizes(++job);
    expect(sizes.uint8!).toBeLessThan(sizes.float16);
    expect(sizes.float16).toBeLessThan(sizes.raw);
    await expect(engine.exportModel(++job, { precision: 'uint8', format: 'packed' })).rejects.toThrow('The packed format holds Layers models only');
  });

  it('a broken graph model is refused with its exact message and the loaded model stays', async () => {
    const bad = JSON.parse(readFileSync(join(FIXTURES_DIR, 'bad/cases.json'), 'utf8')) as { case: string; files: string[]; studio?: string }[];
    const c = bad.find((x) => x.case === 'graph-unknown-op')!;
    const files = c.files.map((f) => ({ path: f, bytes: new Uint8Array(readFileSync(join(FIXTURES_DIR, 'bad', c.case, f))) }));
    await engine.importModel(++job, fixtureFiles('residual'));
    const pruned = await engine.prune(++job, global(0.4));
    await expect(engine.importModel(++job, files)).rejects.toThrow(c.studio!);
    const still = await engine.restore(++job, pruned.point.id);
    expect(still.summary.modelKind).toBe('graph');
    expect(still.point).toEqual(pruned.point);
  });

  it('refuses what needs gradients or training, in plain words, and keeps the history', async () => {
    await engine.importModel(++job, fixtureFiles('residual'));
    await engine.prune(++job, global(0.3));
    await expect(engine.prune(++job, settings('unstructured', { kind: 'global', sparsity: 0.5 }, 'taylor'))).rejects.toThrow(TAYLOR_NEEDS_GRADIENTS);
    await expect(engine.finetune(++job, { epochs: 1, learningRate: 0.001, optimizer: 'adam', batchSize: 4 })).rejects.toThrow(GRAPH_CANNOT_TRAIN);
    await expect(engine.cluster(++job, { k: 8, init: 'linear' })).rejects.toThrow(GRAPH_CANNOT_TRAIN);
    await expect(engine.recalibrateBatchNorm(++job)).rejects.toThrow(GRAPH_CANNOT_TRAIN);
    await expect(engine.clearData(++job)).rejects.toThrow(GRAPH_DATA_LATER);
    expect(await engine.classDamage(++job)).toBeNull();
    const current = await engine.restore(++job, 1);
    expect(current.point.label).toBe('unstructured 30% global, magnitude');
  });

  it('scans each layer along the ladder and plans per-layer sparsities with the plan code, measured against uniform', async () => {
    // The fake demo has 3 classes: the graph MLP (10 classes, open batch) is measured by fidelity, in batches.
    await engine.demoCatalog();
    const r = await engine.importModel(++job, fixtureFiles('mlp'));
    expect(r.summary.source.metric).toBe('fidelity');
    await expect(engine.planAllocation(++job, { kind: 'sparsity', value: 0.5 })).rejects.toThrow('Scan the sensitivity of this starting point first');
    await expect(engine.scanSensitivity(++job, { granularity: 'channels', criterion: 'magnitude' })).rejects.toThrow(GRAPH_CHANNEL_SCAN);
    const scan = await engine.scanSensitivity(++job, { granularity: 'unstructured', criterion: 'magnitude' });
    expect(scan.baseline).toBe(1);
    expect(scan.metric).toBe('fidelity');
    expect(scan.units.map((u) => u.id)).toEqual(r.summary.prunable.map((l) => l.path));
    expect(scan.units.every((u) => u.curve.length === scan.ladder.length)).toBe(true);
    // Pruning more of one layer never helps fidelity much; the last rung hurts.
    expect(scan.units.some((u) => u.curve[u.curve.length - 1].metric < 1)).toBe(true);
    expect([...scan.ranking].sort()).toEqual(scan.units.map((u) => u.id).sort());
    const plan = await engine.planAllocation(++job, { kind: 'sparsity', value: 0.5 });
    expect(plan.achieved.sparsity).toBeCloseTo(0.5, 1);
    expect(Object.keys(plan.sparsity).sort()).toEqual(scan.units.map((u) => u.id).sort());
    expect(plan.measuredMetric).toBeGreaterThan(0);
    expect(plan.uniform.sparsity).toBe(plan.achieved.sparsity);
    // The plan goes to the layer sliders: pruning with it gives the planned sparsity.
    const step = await engine.prune(++job, settings('unstructured', { kind: 'perLayer', sparsity: plan.sparsity }));
    expect(step.point.prunableSparsity).toBeCloseTo(plan.achieved.sparsity, 3);
    expect(step.point.metric.value).toBeCloseTo(plan.measuredMetric, 6);
  });

  it('compares the original and the current graph; shows weight views of its kernels', async () => {
    await engine.importModel(++job, fixtureFiles('residual'));
    const pruned = await engine.prune(++job, global(0.5));
    const c = await engine.compare(++job);
    expect(c.original.metric.value).toBe(1);
    expect(c.current.nonzero).toBe(pruned.point.nonzero);
    expect(c.current.sizes.gzip).toBeLessThan(c.original.sizes.gzip);
    expect(c.current.latencyMs).toBeGreaterThan(0);
    const overview = await engine.weightsOverview(++job, null);
    expect(overview.layers.map((l) => l.path)).toEqual(pruned.summary.prunable.map((l) => l.path));
    expect(overview.layers.reduce((n, l) => n + l.zeros, 0)).toBe(pruned.summary.totals.prunableParams - pruned.summary.totals.prunableNonzero);
    const detail = await engine.layerDetail(++job, pruned.summary.prunable[0].path);
    expect(detail.kernels[0].stats.zeros).toBe(pruned.summary.prunable[0].params - pruned.summary.prunable[0].nonzero);
  });
});

describe('chooseGraphTask', () => {
  it('measures a graph that takes the demo images by accuracy on them', async () => {
    const { data } = fixture('conv');
    const model = await loadGraphModelData(data);
    const count = 20;
    const images = { images: new Uint8Array(count * 784).map((_, i) => (i * 37) % 256), labels: new Uint8Array(count).map((_, i) => i % 10), count, height: 28, width: 28, channels: 1 };
    const task = await chooseGraphTask(model, data, { classes: 10, testCount: async () => count, images: async () => images }, 1e6);
    const { baseline, live } = await task.baseline(model, UNCONTROLLED);
    expect(task.metric).toBe('accuracy');
    expect(task.note).toBe('accuracy on 20 Fashion-MNIST test images');
    expect(baseline).toMatchObject({ metric: 'accuracy', count: 20 });
    expect(live.value).toBe(baseline.value);
    task.dispose();
    model.dispose();
  });
});
