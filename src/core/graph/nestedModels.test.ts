// A Teachable Machine image export nests a functional feature extractor (MobileNet) inside a
// Sequential inside another Sequential. Every inner layer is a layer of its own: a row of the
// summary, a prunable tensor, a MAC count, and a per-layer pruning target by its path.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { modelStats } from './summary';
import { countModel } from './macs';
import { listPrunableTensors } from './prunable';
import { computePruning } from '../prune/pruneRequest';
import { applyMasks, findVariable } from '../prune/masks';
import { teachableMachineStyle } from '../prune/testModels';

describe('nested models are layers too', () => {
  it('lists every inner layer as its own row after its nested model, named by path', async () => {
    const model = teachableMachineStyle();
    const stats = await modelStats(model);
    const names = stats.layers.map((l) => l.name);
    expect(names).toEqual([
      'sequential_1', 'sequential_1/model1',
      'sequential_1/model1/Conv1', 'sequential_1/model1/Conv1_bn', 'sequential_1/model1/block_depthwise',
      'sequential_1/model1/block_project', 'sequential_1/model1/block_add', 'sequential_1/model1/gap',
      'sequential_3', 'sequential_3/dense_Dense1',
    ]);
    const row = Object.fromEntries(stats.layers.map((l) => [l.name, l]));
    expect(row.sequential_1.nested).toBe(true);
    expect(row['sequential_1/model1'].parents).toEqual(['sequential_1']);
    expect(row['sequential_1/model1/Conv1'].parents).toEqual(['sequential_1', 'sequential_1/model1']);
    expect(row['sequential_1/model1/Conv1'].prunable).toBe(true);
    expect(row['sequential_1/model1/Conv1'].params).toBe(3 * 3 * 3 * 8 + 8);
    expect(row['sequential_1/model1/Conv1'].outputShape).toEqual([null, 8, 8, 8]);
    // A nested model's counts are its inner layers' sums; the totals count each weight once.
    expect(row.sequential_1.params).toBe(stats.layers.filter((l) => l.parents?.[0] === 'sequential_1' && !l.nested).reduce((n, l) => n + l.params, 0));
    expect(stats.totals.params).toBe(model.countParams());
    model.dispose();
  });

  it('counts MACs per inner layer', async () => {
    const model = teachableMachineStyle();
    const counts = await countModel(model);
    const conv = counts.layers.find((l) => l.path === 'sequential_1/model1/Conv1')!;
    expect(conv.macs).toBe(8 * 8 * 3 * 3 * 3 * 8);
    expect(counts.layers.find((l) => l.path === 'sequential_3/dense_Dense1')!.macs).toBe(8 * 3);
    model.dispose();
  });

  it('prunes one inner conv to 50% by its path, leaves the others whole, and the model still predicts', async () => {
    const model = teachableMachineStyle();
    const path = 'sequential_1/model1/block_project';
    expect(listPrunableTensors(model).map((t) => t.layerPath)).toContain(path);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7);
    const before = model.predict(x) as tf.Tensor;
    const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { [path]: 0.5 } } });
    applyMasks(model, masks);
    const kernel = (await findVariable(model, path, 'kernel')!.read().data()) as Float32Array;
    expect(kernel.length).toBe(8 * 8);
    expect(kernel.filter((v) => v === 0).length).toBe(32);
    const other = (await findVariable(model, 'sequential_1/model1/Conv1', 'kernel')!.read().data()) as Float32Array;
    expect(other.filter((v) => v === 0).length).toBe(0);
    const after = model.predict(x) as tf.Tensor;
    expect(after.shape).toEqual([2, 3]);
    const values = await after.data();
    expect(values.every(Number.isFinite)).toBe(true);
    // Still a probability per example, and the cut changed what it says.
    expect(values[0] + values[1] + values[2]).toBeCloseTo(1, 5);
    expect(Math.max(...Array.from(await tf.sub(after, before).abs().data()))).toBeGreaterThan(0);
    tf.dispose([x, before, after]);
    model.dispose();
  });
});
