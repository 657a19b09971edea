// The counts a plan promises (nonzero prunable weights, nonzero MACs) are exactly what countModel finds
// after computePruning applies the plan, on every structure channel groups couple (BatchNorm, Flatten
// into Dense, Add, Concatenate, depthwise multipliers) and for layers with several kernels.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/seededRandom';
import { applyMasks, computePruning } from '../prune';
import { countModel } from '../graph/macs';
import { disposeModel } from '../graph/disposeModel';
import { concatNet, convKindsNet, depthwiseNet, fashionCnn, randomizeWeights, recurrentNet, residualNet } from '../prune/testModels';
import { countAllocation, scanSensitivity, type ScanGranularity } from '.';
import type { Criterion } from '../prune/importance';

/** A metric that moves with the weights: 1 - mean |y - y0| on seeded inputs. */
function fidelityOf(model: tf.LayersModel) {
  const shape = [4, ...(model.inputs[0].shape.slice(1) as number[])];
  const rnd = mulberry32(2);
  const size = shape.reduce((a, b) => a * b, 1);
  const isInt = model.inputs[0].dtype === 'int32';
  const xs = isInt ? tf.tensor(Int32Array.from({ length: size }, () => Math.floor(rnd() * 20)), shape, 'int32') : tf.tensor(Float32Array.from({ length: size }, () => rnd() * 2 - 1), shape);
  const y0 = model.predict(xs) as tf.Tensor;
  return {
    evaluate: async (m: tf.LayersModel) => 1 - tf.tidy(() => tf.abs(tf.sub(m.predict(xs) as tf.Tensor, y0)).mean().dataSync()[0]),
    dispose: () => tf.dispose([xs, y0]),
  };
}

const cases: [string, () => tf.LayersModel, ScanGranularity, Criterion][] = [
  ['fashion-cnn', () => fashionCnn(), 'channels', 'magnitude'],
  ['residual', residualNet, 'channels', 'magnitude'],
  ['concat', concatNet, 'channels', 'random'],
  ['depthwise', depthwiseNet, 'channels', 'magnitude'],
  ['fashion-cnn', () => fashionCnn(), 'unstructured', 'magnitude'],
  ['conv kinds (separable: two kernels per layer)', convKindsNet, 'unstructured', 'magnitude'],
  ['recurrent (kernel + recurrent kernel)', recurrentNet, 'unstructured', 'random'],
];

describe('countAllocation', () => {
  for (const [name, build, granularity, criterion] of cases) {
    it(`${name}, ${granularity}: equals countModel after pruning with random per-unit sparsities`, async () => {
      const model = build();
      randomizeWeights(model, 21);
      const { evaluate, dispose } = fidelityOf(model);
      const scan = await scanSensitivity(model, { granularity, criterion, ladder: [0.5], evaluate, seed: 3 });
      expect(scan.units.length).toBeGreaterThan(0);
      const rnd = mulberry32(8);
      for (let trial = 0; trial < 3; trial++) {
        const perUnit: Record<string, number> = {};
        const perLayer: Record<string, number> = {};
        for (const u of scan.units) {
          perUnit[u.id] = Math.round(rnd() * 100) / 100;
          for (const l of u.layers) perLayer[l] = perUnit[u.id];
        }
        const predicted = countAllocation(scan, perUnit);
        const r = await computePruning(model, { granularity, criterion, seed: 3, target: { kind: 'perLayer', sparsity: perLayer } });
        const clone = await cloneOf(model);
        applyMasks(clone, r.masks);
        const counts = await countModel(clone);
        disposeModel(clone);
        expect(predicted.params, JSON.stringify(perUnit)).toBe(counts.totals.prunableNonzero);
        expect(predicted.macs, JSON.stringify(perUnit)).toBe(counts.totals.nonzeroMacs);
        expect(predicted.sparsity).toBeCloseTo(counts.totals.prunableSparsity, 12);
      }
      dispose();
      disposeModel(model);
    });
  }

  it('a starting point with zeros already (a pruned, fine-tuned model): magnitude prunes those first, and counts know it', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 4);
    applyMasks(model, (await computePruning(model, { granularity: 'unstructured', criterion: 'random', target: { kind: 'global', sparsity: 0.4 } })).masks);
    const { evaluate, dispose } = fidelityOf(model);
    const scan = await scanSensitivity(model, { granularity: 'unstructured', criterion: 'magnitude', ladder: [0.5], evaluate });
    for (const perUnit of [{ conv1: 0.2, conv2: 0.6, fc1: 0.41, fc2: 0.9 }, { conv1: 0.7, conv2: 0.3, fc1: 0.95, fc2: 0 }] as Record<string, number>[]) {
      const r = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: perUnit } });
      const clone = await cloneOf(model);
      applyMasks(clone, r.masks);
      const counts = await countModel(clone);
      disposeModel(clone);
      expect(countAllocation(scan, perUnit).params).toBe(counts.totals.prunableNonzero);
      expect(countAllocation(scan, perUnit).macs).toBe(counts.totals.nonzeroMacs);
    }
    dispose();
    disposeModel(model);
  });
});

/** A copy with the same topology and weights (so pruning it leaves the scanned model alone). */
async function cloneOf(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}
