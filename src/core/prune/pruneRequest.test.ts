import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { removeChannels } from '../graph/channelSurgery';
import { disposeModel } from '../graph/disposeModel';
import { countModel } from '../graph/macs';
import { applyMasks } from './masks';
import { checkNM } from './nm';
import { computePruning } from './pruneRequest';
import { fashionCnn, randomizeWeights } from './testModels';

const MODELS = resolve(__dirname, '../../../public/models');

async function loadDemo(id: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(`${MODELS}/${id}/model.json`, 'utf8'));
  const bin = readFileSync(`${MODELS}/${id}/weights.bin`);
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
}

describe('computePruning: the studio controls in one call', () => {
  it('unstructured, global and per layer, every criterion', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 1);
    const xs = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3);
    for (const criterion of ['magnitude', 'random', 'taylor'] as const) {
      const g = await computePruning(model, { granularity: 'unstructured', criterion, target: { kind: 'global', sparsity: 0.6 }, taylor: { batches: [{ xs, ys }] } });
      expect(g.stats.pruned).toBe(Math.round(0.6 * g.stats.total));
      const p = await computePruning(model, { granularity: 'unstructured', criterion, seed: 2, target: { kind: 'perLayer', sparsity: { conv2: 0.5 } }, layers: ['conv2'], taylor: { batches: [{ xs, ys }] } });
      expect(Object.keys(p.masks)).toEqual(['conv2/kernel']);
      expect(p.stats.pruned).toBe(Math.round(0.5 * 3 * 3 * 4 * 6));
    }
    tf.dispose([xs, ys]);
    disposeModel(model);
  });

  it('2:4 and 4:8', async () => {
    const model = fashionCnn(8, [8, 8], 8, 3);
    for (const [granularity, n, m] of [['2:4', 2, 4], ['4:8', 4, 8]] as const) {
      const r = await computePruning(model, { granularity, criterion: 'magnitude', target: { kind: 'global', sparsity: 0 } });
      expect(checkNM(r.masks['conv2/kernel'].keep, n, m, [3, 3, 8, 8])).toBe(0);
      expect(checkNM(r.masks['fc1/kernel'].keep, n, m, r.masks['fc1/kernel'].shape)).toBe(0);
      // conv1 has one input channel (nothing to group); conv2, fc1 and fc2 lose exactly half.
      expect(r.stats.pruned).toBe((3 * 3 * 8 * 8 + 32 * 8 + 8 * 3) / 2);
    }
    disposeModel(model);
  });

  it('channels: per layer by producer path, or global; locked groups are listed', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 3);
    const per = await computePruning(model, { granularity: 'channels', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv1: 0.5, fc1: 0.25 } } });
    expect(per.channelPlan?.conv1.filter((k) => k === 0).length).toBe(2);
    expect(per.channelPlan?.conv2.filter((k) => k === 0).length).toBe(0);
    expect(per.channelPlan?.fc1.filter((k) => k === 0).length).toBe(2);
    expect(per.skipped).toEqual([{ key: 'fc2', reason: expect.stringMatching(/output/) }]);
    const glob = await computePruning(model, { granularity: 'channels', criterion: 'random', seed: 1, target: { kind: 'global', sparsity: 0.5 }, layers: ['conv1', 'conv2'] });
    expect(glob.channelPlan?.fc1).toBeUndefined();
    const removed = Object.values(glob.channelPlan ?? {}).reduce((n, k) => n + k.filter((v) => v === 0).length, 0);
    expect(removed).toBe(5); // round(0.5 * (4 + 6))
    disposeModel(model);
  });
});

describe.skipIf(!existsSync(`${MODELS}/fashion-cnn/model.json`))('the demo models', () => {
  it('fashion-cnn: conv1, conv2, fc1 prunable, fc2 locked; halving the conv channels matches the masked model', async () => {
    const model = await loadDemo('fashion-cnn');
    const r = await computePruning(model, { granularity: 'channels', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: { conv1: 0.5, conv2: 0.5 } } });
    const dep = r.dependencies!;
    expect(dep.groups.map((g) => [g.id, g.channels, !g.locked])).toEqual([['conv1', 16, true], ['conv2', 32, true], ['fc1', 64, true], ['fc2', 10, false]]);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    applyMasks(model, r.masks);
    const y = model.predict(x) as tf.Tensor;
    const { model: smaller } = await removeChannels(model, dep, r.channelPlan!);
    const ys = smaller.predict(x) as tf.Tensor;
    expect(tf.tidy(() => y.sub(ys).abs().max().dataSync()[0])).toBeLessThanOrEqual(1e-5);
    const before = await countModel(model);
    const after = await countModel(smaller);
    expect(before.totals.params).toBe(106058);
    expect(before.totals.macs).toBe(1135872);
    // conv1 8 filters, bn1 8, conv2 3x3x8x16, bn2 16, fc1 7*7*16 -> 64, fc2 unchanged.
    expect(after.totals.params).toBe(9 * 8 + 8 + 4 * 8 + 9 * 8 * 16 + 16 + 4 * 16 + 784 * 64 + 64 + 650);
    expect(after.totals.macs).toBe(784 * 72 + 784 * 8 + 196 * 1152 + 196 * 16 + 784 * 64 + 640);
    tf.dispose([x, y, ys]);
    disposeModel(smaller);
    disposeModel(model);
  });

  it('fashion-mlp: fc1 and fc2 prunable, fc3 locked', async () => {
    const model = await loadDemo('fashion-mlp');
    const r = await computePruning(model, { granularity: 'channels', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    expect(r.dependencies!.groups.map((g) => [g.id, !g.locked])).toEqual([['fc1', true], ['fc2', true], ['fc3', false]]);
    disposeModel(model);
  });
});
