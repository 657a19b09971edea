// The engine's orchestration in Node with fake dependencies: the demo files come from memory (an
// AssetReader), and every model is measured by a fake task whose metric moves with the weights. No
// browser, no fetch: what is tested is the order of things (check, run, keep the current point) and
// what comes back, not the pruning maths (core has its own tests).
import { beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { StudioEngine } from './studioEngine';
import type { TaskFactory } from './tasks';
import type { EvalResult, JobProgress, ModelFile, PruneSettings } from './api';
import { BASE, FakeTask, memoryAssets, tinyModelFiles } from './engineTestSupport';

const global = (sparsity: number, more: Partial<PruneSettings> = {}): PruneSettings => ({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity }, ...more });
const FINETUNE = { epochs: 1, learningRate: 0.01, optimizer: 'adam', batchSize: 4 } as const;

describe('StudioEngine', () => {
  let engine: StudioEngine;
  let task: FakeTask;
  let origins: string[];
  let files: ModelFile[];
  let job = 0;

  /** The current model's weight bytes, as an export of loose float32 files gives them. */
  const weightBytes = async () => (await engine.exportModel(++job, { precision: 'float32', format: 'files' })).files.filter((f) => f.name.endsWith('.bin')).map((f) => Array.from(f.bytes));

  beforeEach(async () => {
    files = await tinyModelFiles();
    task = new FakeTask();
    origins = [];
    const tasks: TaskFactory = async (_model, demo, origin) => {
      origins.push(`${origin}:${demo.classes}`);
      return task;
    };
    engine = new StudioEngine([{ name: 'cpu', gpu: false, activate: async () => ({ device: 'test' }) }], { assets: memoryAssets(files), tasks });
    await engine.init({ baseUrl: BASE });
  });

  it('loads a demo model, then measures its baseline: the original is the first point', async () => {
    expect((await engine.demoCatalog()).models.map((m) => m.id)).toEqual(['tiny']);
    const summary = await engine.loadDemoModel(++job, 'tiny');
    expect(origins).toEqual(['demo:3']);
    expect(summary).toMatchObject({ id: 'tiny', name: 'Tiny CNN', prunable: [], source: { kind: 'demo', labels: ['a', 'b', 'c'], metric: 'accuracy' } });
    const r = await engine.evaluateBaseline(++job);
    expect(r.point).toMatchObject({ id: 0, kind: 'original', parentId: null, label: 'Original model' });
    expect(r.point.metric.value).toBe(r.baseline.value);
    expect(r.summary.prunable.map((l) => l.path)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    await expect(engine.evaluateBaseline(++job)).rejects.toThrow('The baseline of this model is already measured');
    await expect(engine.loadDemoModel(++job, 'nope')).rejects.toThrow('There is no demo model called "nope"');
  });

  it('prunes and restores; a bad request is refused before any work, with the history untouched', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    const original = await engine.evaluateBaseline(++job);
    const dense = await weightBytes();
    const pruned = await engine.prune(++job, global(0.5));
    expect(pruned.point).toMatchObject({ id: 1, parentId: 0, baseId: 0, kind: 'prune', label: 'unstructured 50% global, magnitude' });
    expect(pruned.point.prunableSparsity).toBeCloseTo(0.5, 2);
    expect(pruned.summary.totals.prunableSparsity).toBe(pruned.point.prunableSparsity);

    const evaluations = task.evaluations;
    await expect(engine.prune(++job, global(1.5))).rejects.toThrow('The global sparsity must be a fraction between 0 and 1, got 1.5');
    await expect(engine.prune(++job, { ...global(0.5), granularity: '3:9' as never })).rejects.toThrow('Unknown pruning granularity "3:9" (use unstructured, 2:4, 4:8, channels)');
    await expect(engine.restore(++job, 7)).rejects.toThrow('There is no history step 7');
    await expect(engine.restore(++job, -1)).rejects.toThrow('There is no history step -1');
    expect(task.evaluations).toBe(evaluations);

    const back = await engine.restore(++job, 0);
    expect(back.point).toEqual(original.point);
    expect(back.summary.totals.nonzero).toBe(original.summary.totals.nonzero);
    expect(await weightBytes()).toEqual(dense);
    // The next step still counts from the current point.
    expect((await engine.prune(++job, global(0.3))).point).toMatchObject({ id: 2, parentId: 0 });
  });

  it('measures the current step on the whole held-out set on request; the step keeps it, its live figure unchanged', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const pruned = await engine.prune(++job, global(0.6));
    const evaluations = task.evaluations;
    const measured = await engine.measureWhole(++job);
    expect(task.evaluations).toBe(evaluations + 1);
    expect(measured).toEqual({ ...pruned.point, whole: { ...measured.whole!, subset: false } });
    expect(measured.whole!.subset).toBe(false);
    // Kept on the point: a later restore shows it.
    await engine.restore(++job, 0);
    expect((await engine.restore(++job, pruned.point.id)).point).toEqual(measured);
  });

  it('fine-tunes with the pruned weights held at 0, reporting loss and the live metric', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const pruned = await engine.prune(++job, global(0.6));
    const events: JobProgress[] = [];
    const r = await engine.finetune(++job, FINETUNE, (p) => events.push(p));
    expect(r.point).toMatchObject({ kind: 'finetune', parentId: pruned.point.id, baseId: r.point.id, label: 'fine-tuned 1 epoch, Adam lr 0.01' });
    expect(r.point.prunableSparsity).toBeCloseTo(pruned.point.prunableSparsity, 10);
    const train = events.flatMap((e) => (e.train ? [e.train] : []));
    expect(train.at(-1)).toMatchObject({ totalSteps: 12 });
    // The live metric: every 10 steps and after the last one.
    expect([...new Set(train.flatMap((t) => (t.metricStep ? [t.metricStep] : [])))]).toEqual([10, 12]);
    expect(train.every((t) => t.zerosKept === t.zerosPruned)).toBe(true);
  });

  it('a cancel mid-job rejects with CancelledError and leaves the current point', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const pruned = await engine.prune(++job, global(0.5));
    const before = await weightBytes();
    const id = ++job;
    task.onBatch = (step) => { if (step === 3) void engine.cancel(id); };
    await expect(engine.finetune(id, FINETUNE)).rejects.toMatchObject({ name: 'CancelledError', message: 'Cancelled' });
    task.onBatch = () => {};
    expect(await weightBytes()).toEqual(before);
    // The history did not move: the next prune's parent is the point that was current.
    expect((await engine.prune(++job, global(0.4))).point.parentId).toBe(pruned.point.id);
  });

  it('a failing step rebuilds the current point: channels stay, weights stay', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const pruned = await engine.prune(++job, global(0.5));
    const before = await weightBytes();
    task.failNext = true;
    await expect(engine.prune(++job, global(0.5, { granularity: 'channels' }))).rejects.toThrow('evaluation failed');
    expect(await weightBytes()).toEqual(before);
    const next = await engine.prune(++job, global(0.2));
    expect(next.point.parentId).toBe(pruned.point.id);
    expect(next.summary.totals.params).toBe(pruned.point.params);
  });

  it('draws the current model as a graph that follows a channel-removal step', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const channels = async () => {
      const conv1 = (await engine.modelGraph(++job)).nodes.find((n) => n.path === 'conv1')!;
      return conv1.outputShape![conv1.outputShape!.length - 1];
    };
    const graph = await engine.modelGraph(++job);
    expect(graph.nodes.find((n) => n.path === 'conv1')).toMatchObject({ kind: 'layer', className: 'Conv2D', group: 'conv1', locked: null });
    expect(graph.nodes.find((n) => n.path === 'fc2')!.locked).toMatch(/output/);
    const before = await channels();
    await engine.prune(++job, global(0.5, { granularity: 'channels' }));
    // One global ranking of channels: conv1 loses some of its filters, and the graph shows it.
    expect(await channels()).toBeLessThan(before!);
  });

  it('Taylor with an AGP schedule: calibration data at every event, points as they happen, no tensor left', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const n0 = tf.memory().numTensors;
    const announced: string[] = [];
    // Each event comes with its histograms (the timeline's rows, on the original's range).
    const events: { id: number; zeros: number; range: number[] }[] = [];
    const r = await engine.finetune(++job, {
      ...FINETUNE, schedule: { kind: 'agp', final: 0.8, rounds: 3, granularity: 'unstructured', criterion: 'taylor' },
    }, (p) => {
      if (!p.point) return;
      announced.push(p.point.label);
      events.push({ id: p.point.id, zeros: p.weights!.layers.reduce((n, l) => n + l.zeros, 0), range: [p.weights!.edges[0], p.weights!.edges.at(-1)!] });
    });
    expect(announced).toEqual([
      'AGP 1/3: unstructured 56% global, taylor at step 3',
      'AGP 2/3: unstructured 77% global, taylor at step 6',
      'AGP 3/3: unstructured 80% global, taylor at step 9',
    ]);
    expect(r.point).toMatchObject({ kind: 'finetune', label: 'fine-tuned 1 epoch, Adam lr 0.01, pruning gradually (AGP) to 80%' });
    // At least the final sparsity: masks only grow, and Taylor may pick weights an earlier event kept.
    expect(r.point.prunableSparsity).toBeGreaterThanOrEqual(0.795);
    expect(events[0].zeros).toBeLessThan(events[1].zeros);
    expect(events[1].zeros).toBeLessThan(events[2].zeros);
    const timeline = await engine.weightsTimeline(++job, [0, ...events.map((e) => e.id)]);
    for (const e of events) expect(e.range).toEqual(timeline.range);
    expect(timeline.steps.slice(1).map((s) => s.overview.layers.reduce((n, l) => n + l.zeros, 0))).toEqual(events.map((e) => e.zeros));
    expect(task.calibrations).toHaveLength(3);
    for (const c of task.calibrations) for (const b of c.batches) expect([b.xs, b.ys].flat().every((t) => t.isDisposed)).toBe(true);
    expect(tf.memory().numTensors - n0).toBe(0);
  });

  it('imports a user\'s files, and a model that gives no finite numbers leaves the current one in place', async () => {
    const r = await engine.importModel(++job, files);
    // The demo manifest is not read for an import: the task is told Fashion-MNIST's 10 classes.
    expect(origins).toEqual(['import:10']);
    expect(r.point.kind).toBe('original');
    expect(r.summary).toMatchObject({ id: 'file:model', source: { kind: 'file', files: files.map((f) => f.path) } });
    task.baseline = async () => {
      const nan: EvalResult = { metric: 'accuracy', subset: false, value: NaN, count: 4, ms: 1 };
      return { baseline: nan, live: nan };
    };
    await expect(engine.importModel(++job, files)).rejects.toThrow('model.json: the model\'s outputs are not finite numbers');
    expect((await engine.restore(++job, 0)).summary.id).toBe('file:model');
  });

  it('plans only from a scan of the current starting point, and leaves the model as it was', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    await expect(engine.planAllocation(++job, { kind: 'sparsity', value: 0.5 })).rejects.toThrow('Scan the sensitivity of this starting point first');
    const dense = await weightBytes();
    const view = await engine.scanSensitivity(++job, { granularity: 'unstructured', criterion: 'magnitude' });
    expect(view).toMatchObject({ baseId: 0, granularity: 'unstructured', metric: 'accuracy' });
    expect(view.units.map((u) => u.id).sort()).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    await expect(engine.planAllocation(++job, { kind: 'sparsity', value: 1 })).rejects.toThrow('The target sparsity must be between 0% and 100%, got 100%');
    const plan = await engine.planAllocation(++job, { kind: 'sparsity', value: 0.5 });
    expect(plan.target).toEqual({ kind: 'sparsity', value: 0.5 });
    expect(plan.achieved.sparsity).toBeGreaterThanOrEqual(0.5);
    expect(plan.uniform.sparsity).toBe(plan.achieved.sparsity);
    expect(Number.isFinite(plan.measuredMetric) && Number.isFinite(plan.uniform.metric)).toBe(true);
    expect(await weightBytes()).toEqual(dense);
  });

  it('clusters, measures the packed size, exports packed and imports the packed zip again with the same weights', async () => {
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    await engine.prune(++job, global(0.5));
    const step = await engine.cluster(++job, { k: 8, init: 'linear' });
    expect(step.point.kind).toBe('cluster');
    for (const l of step.summary.prunable) expect(l.distinct).toBeLessThanOrEqual(8);
    await expect(engine.cluster(++job, { k: 300, init: 'linear' })).rejects.toThrow('The number of shared values (k) must be a whole number from 2 to 256, got 300');
    const sizes = await engine.exportSizes(++job);
    expect(sizes.packed).toBeGreaterThan(0);
    const bundle = await engine.exportModel(++job, { precision: 'float32', format: 'packed' });
    expect(bundle.files).toHaveLength(1);
    expect(bundle.fileName).toMatch(/-packed\.zip$/);
    expect(bundle.weightBytes).toBe(sizes.packed);
    const dense = await weightBytes();
    const reopened = await engine.importModel(++job, [{ path: bundle.fileName, bytes: bundle.files[0].bytes }]);
    expect(reopened.summary.name).toBe(bundle.fileName.replace(/\.zip$/, ''));
    expect(reopened.summary.prunable.map((l) => l.distinct)).toEqual(step.summary.prunable.map((l) => l.distinct));
    expect(await weightBytes()).toEqual(dense);
  });
});
