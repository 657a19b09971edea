// The user's data through the engine, on the committed fixtures (e2e/fixtures/data): a table model
// imported, then its CSV dropped. The figures on screen must be Node's own (expected.json, measured
// by scripts/build-data-fixtures.ts); a bad table is refused with its exact message and leaves the
// model, the history and the data it had; per-class damage compares the same examples.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioEngine } from './studioEngine';
import type { ModelFile } from './api';
import { DATA_FIXTURES, BAD_DATA_FIXTURES, REPO } from '../../scripts/dataFixtureFiles';
import { nodeImageDecoder } from '../core/data/nodeImageDecoder';

const expected = JSON.parse(readFileSync(join(DATA_FIXTURES, 'expected.json'), 'utf8'));
const file = (path: string): ModelFile => ({ path: basename(path), bytes: new Uint8Array(readFileSync(join(REPO, path))) });
const csv = (path: string): ModelFile => ({ path: basename(path), bytes: new Uint8Array(readFileSync(path)) });

async function engineWith(model: string[]) {
  const engine = new StudioEngine([{ name: 'cpu', gpu: false, activate: async () => ({ device: 'test' }) }], { decoder: nodeImageDecoder });
  await engine.init({ baseUrl: 'http://studio.test/' });
  const imported = await engine.importModel(1, model.map(file));
  return { engine, imported };
}

describe('StudioEngine with the user\'s data', () => {
  it('measures a classifier on its CSV as Node does, keeps everything on a bad table, and fine-tunes on the training rows', async () => {
    const { engine, imported } = await engineWith(expected.flowers.model);
    expect(imported.baseline.metric).toBe('fidelity'); // generated inputs until data comes
    const r = await engine.loadData(2, [csv(join(DATA_FIXTURES, expected.flowers.csv))]);
    expect(r.data).toMatchObject({ kind: 'csv', count: 600, train: 480, test: 120, classes: 3, classNames: ['alpha', 'beta', 'gamma'], table: { labelColumn: 'species' } });
    expect(r.baseline).toMatchObject({ metric: 'accuracy', count: expected.flowers.heldOut.count, subset: false });
    expect(r.baseline.value).toBeCloseTo(expected.flowers.heldOut.accuracy, 10);
    expect(r.point.metric.value).toBeCloseTo(expected.flowers.live.accuracy, 10);
    expect(r.point.kind).toBe('original');
    expect(r.summary.source).toMatchObject({ metric: 'accuracy', labelled: true });
    expect(r.data.preview.length).toBe(12);
    expect(r.data.preview[0].row).toHaveLength(4);

    await engine.prune(3, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.8 } });
    const ragged = JSON.parse(readFileSync(join(BAD_DATA_FIXTURES, 'cases.json'), 'utf8')).cases.find((c: { case: string }) => c.case === 'csv-ragged-row');
    await expect(engine.loadData(4, [csv(join(BAD_DATA_FIXTURES, 'csv-ragged-row/flowers.csv'))])).rejects.toThrow(ragged.message);
    // Nothing lost: the pruned step is still current, still measured on the same rows.
    const damage = await engine.classDamage(5);
    expect(damage!.pointId).toBe(1);
    expect(damage!.classes.map((c) => c.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect(damage!.classes[0].change).toBeLessThanOrEqual(damage!.classes[2].change);
    expect(damage!.confusion.change.reduce((a, b) => a + b, 0)).toBe(0);
    const flips = damage!.flips.brokenCount - damage!.flips.fixedCount;
    const liveDrop = Math.round((r.point.metric.value - (await engine.restore(6, 1)).point.metric.value) * expected.flowers.live.count);
    expect(flips).toBe(liveDrop);

    const before = (await engine.restore(7, 1)).point.metric.value;
    const tuned = await engine.finetune(8, { epochs: 3, learningRate: 0.01, optimizer: 'adam', batchSize: 32 });
    expect(tuned.point.kind).toBe('finetune');
    expect(tuned.point.metric.value).toBeGreaterThanOrEqual(before);

    // Read again with another split: a fresh history on the same rows.
    const again = await engine.updateData(9, { testFraction: 0.5 });
    expect(again.data.test).toBe(300);
    expect(again.point.id).toBe(0);
    const cleared = await engine.clearData(10);
    expect(cleared.baseline.metric).toBe('fidelity');
  }, 120_000);

  it('measures a regression model by mean absolute error and R², as Node does', async () => {
    const { engine } = await engineWith(expected.growth.model);
    const r = await engine.loadData(2, [csv(join(DATA_FIXTURES, expected.growth.csv))]);
    expect(r.data).toMatchObject({ kind: 'csv', metric: 'mae', classes: 0, count: 400 });
    expect(r.baseline.metric).toBe('mae');
    expect(r.baseline.value).toBeCloseTo(expected.growth.heldOut.mae, 5);
    expect(r.baseline.r2).toBeCloseTo(expected.growth.heldOut.r2, 5);
    expect(await engine.classDamage(3)).toBeNull();
    const tuned = await engine.finetune(4, { epochs: 1, learningRate: 0.001, optimizer: 'adam', batchSize: 32 });
    expect(Number.isFinite(tuned.point.metric.value)).toBe(true);
  }, 120_000);

  it('scans and plans a regression model with its error the right way up: it rises as layers are pruned', async () => {
    const { engine } = await engineWith(expected.growth.model);
    const r = await engine.loadData(2, [csv(join(DATA_FIXTURES, expected.growth.csv))]);
    const scan = await engine.scanSensitivity(3, { granularity: 'unstructured', criterion: 'magnitude' });
    expect(scan.metric).toBe('mae');
    // The baseline is an error in the target's units (positive, near the whole-set figure), not a score.
    expect(scan.baseline).toBeGreaterThan(0);
    expect(scan.baseline).toBeCloseTo(r.baseline.value, 0);
    for (const u of scan.units) {
      const last = u.curve[u.curve.length - 1].metric;
      expect(last, `${u.id} at ${scan.ladder[scan.ladder.length - 1]}`).toBeGreaterThan(scan.baseline);
    }
    // A plan within a 5% rise of the error: measured error above the baseline, and within reach of the bound.
    const plan = await engine.planAllocation(4, { kind: 'maxDrop', value: 0.05 });
    expect(plan.measuredMetric).toBeGreaterThan(0);
    expect(plan.predictedMetric).toBeLessThanOrEqual(scan.baseline * 1.05 + 1e-9);
    expect(plan.predictedMetric).toBeGreaterThanOrEqual(scan.baseline - 1e-9);
    expect(plan.sparsity && Object.keys(plan.sparsity).length).toBeGreaterThan(0);
  }, 120_000);

  it('another label column: each wrong choice is refused with its message, and the data stays as it was', async () => {
    const { engine } = await engineWith(expected.flowers.model);
    const r = await engine.loadData(2, [csv(join(DATA_FIXTURES, expected.flowers.csv))]);
    expect(r.data.table).toEqual({ labelColumn: 'species', featureColumns: ['f1', 'f2', 'f3', 'f4'] });
    await expect(engine.updateData(3, { ...r.data.choices, labelColumn: 'f1' }))
      .rejects.toThrow('flowers.csv: row 2, column species: "alpha" is not a number. Features must be numbers.');
    await expect(engine.updateData(4, { ...r.data.choices, labelColumn: null }))
      .rejects.toThrow('flowers.csv: 5 feature columns (f1, f2, f3, f4, species), but the model takes 4 features. Give the table one column per model input, in the model\'s order.');
    const again = await engine.updateData(5, { ...r.data.choices, testFraction: 0.25 });
    expect(again.data.table).toEqual(r.data.table);
    expect(again.data.metric).toBe('accuracy');
  }, 120_000);
});
