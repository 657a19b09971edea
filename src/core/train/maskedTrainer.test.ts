import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { CancelledError, type JobControl } from '../job';
import { findVariable, maskStats, type MaskSet } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionCnn, fashionMlp, randomizeWeights } from '../prune/testModels';
import { createOptimizer, trainSteps, type StepInfo } from './maskedTrainer';
import { l1Kernels } from './regularizers';
import { syntheticBatch } from './testData';


async function prunedEntriesAreZero(model: tf.LayersModel, masks: MaskSet): Promise<{ zeros: number; pruned: number }> {
  let zeros = 0;
  let pruned = 0;
  for (const m of Object.values(masks)) {
    const values = await findVariable(model, m.layerPath, m.weight)!.read().data();
    for (let i = 0; i < m.keep.length; i++) {
      if (m.keep[i] === 0) {
        pruned++;
        if (values[i] === 0) zeros++;
      }
    }
  }
  return { zeros, pruned };
}

async function sparseMlp(sparsity: number): Promise<{ model: tf.Sequential; masks: MaskSet }> {
  const model = fashionMlp();
  randomizeWeights(model, 3);
  const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } });
  return { model, masks };
}

describe('trainSteps keeps masks', () => {
  it('after 200 Adam steps on a 90%-sparse MLP, pruned weights and their Adam moments are exactly 0', async () => {
    const { model, masks } = await sparseMlp(0.9);
    expect(maskStats(masks).sparsity).toBeCloseTo(0.9, 2);
    const optimizer = tf.train.adam(0.02);
    const infos: StepInfo[] = [];
    const result = await trainSteps(model, {
      batches: (step) => syntheticBatch(100 + step, 16, 4),
      steps: 200,
      optimizer,
      keepOptimizer: true,
      masks,
      onStep: (info) => infos.push(info),
    });
    expect(result.steps).toBe(200);
    // The task was learned at all (so the optimizer really moved the kept weights).
    expect(result.losses.slice(-20).reduce((a, b) => a + b) / 20).toBeLessThan(result.losses.slice(0, 20).reduce((a, b) => a + b) / 20);
    const { zeros, pruned } = await prunedEntriesAreZero(model, masks);
    expect(pruned).toBe(maskStats(masks).pruned);
    expect(zeros).toBe(pruned);
    // onStep's verified counts say the same at every step.
    expect(infos).toHaveLength(200);
    for (const info of infos) for (const z of Object.values(info.zerosKept)) expect(z.kept).toBe(z.pruned);
    expect(Object.values(infos[199].zerosKept).reduce((n, z) => n + z.pruned, 0)).toBe(pruned);

    // Adam's slots: "<variable name>/m" and "/v" for every trainable variable.
    const slots = new Map((await optimizer.getWeights()).map((w) => [w.name, w.tensor]));
    let checkedPruned = 0;
    let nonzeroKept = 0;
    for (const m of Object.values(masks)) {
      const name = (findVariable(model, m.layerPath, m.weight)!.read() as tf.Variable).name;
      for (const suffix of ['m', 'v']) {
        const slot = slots.get(`${name}/${suffix}`);
        expect(slot, `${name}/${suffix}`).toBeDefined();
        const values = await slot!.data();
        for (let i = 0; i < m.keep.length; i++) {
          if (m.keep[i] === 0) {
            expect(values[i]).toBe(0);
            checkedPruned++;
          } else if (values[i] !== 0) nonzeroKept++;
        }
      }
    }
    expect(checkedPruned).toBe(2 * pruned);
    expect(nonzeroKept).toBeGreaterThan(0);
    optimizer.dispose();
    disposeModel(model);
  });

  it('without masks the same run moves the weights the masks would hold (the check above can fail)', async () => {
    const { model, masks } = await sparseMlp(0.9);
    for (const m of Object.values(masks)) {
      tf.tidy(() => {
        const v = findVariable(model, m.layerPath, m.weight)!;
        v.write(tf.where(tf.tensor(m.keep, m.shape, 'bool'), v.read(), tf.zerosLike(v.read())));
      });
    }
    await trainSteps(model, { batches: (step) => syntheticBatch(100 + step, 16, 4), steps: 5, optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 } });
    const { zeros, pruned } = await prunedEntriesAreZero(model, masks);
    expect(zeros).toBeLessThan(pruned / 2);
    disposeModel(model);
  });

  it('leaks no tensor over 50 steps of a BN + Dropout CNN with masks and a regularizer', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 5);
    const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.7 } });
    const before = tf.memory().numTensors;
    const r = await trainSteps(model, {
      batches: (step) => syntheticBatch(step, 8, 8),
      steps: 50,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      masks,
      regularizer: l1Kernels(1e-4),
    });
    expect(r.steps).toBe(50);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const { zeros, pruned } = await prunedEntriesAreZero(model, masks);
    expect(zeros).toBe(pruned);
    disposeModel(model);
  });

  it('cancel at step 3 stops after exactly 3 steps, frees everything, and masks hold', async () => {
    const { model, masks } = await sparseMlp(0.5);
    let checkpoints = 0;
    const control: JobControl = {
      checkpoint: async () => {
        checkpoints++;
        if (checkpoints === 3) throw new CancelledError();
      },
    };
    let batchesMade = 0;
    const steps: number[] = [];
    const before = tf.memory().numTensors;
    await expect(
      trainSteps(model, {
        batches: (step) => {
          batchesMade++;
          return syntheticBatch(step, 8, 4);
        },
        steps: 20,
        optimizer: { kind: 'adam', learningRate: 0.01 },
        masks,
        control,
        onStep: (i) => steps.push(i.step),
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toEqual([1, 2, 3]);
    expect(batchesMade).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    const { zeros, pruned } = await prunedEntriesAreZero(model, masks);
    expect(zeros).toBe(pruned);
    disposeModel(model);
  });

  it('cycles an array of batches per epoch and leaves them to the caller', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 2);
    const data = [syntheticBatch(1, 8, 4), syntheticBatch(2, 8, 4)];
    const r = await trainSteps(model, { batches: data, epochs: 3, optimizer: { kind: 'sgd', learningRate: 0.05 } });
    expect(r.steps).toBe(6);
    expect(data[0].xs instanceof tf.Tensor && !data[0].xs.isDisposed).toBe(true);
    tf.dispose(data.flatMap((b) => [b.xs as tf.Tensor, b.ys!]));
    disposeModel(model);
  });

  it('takes a generator, stops when it runs dry, and disposes what it yielded', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 2);
    async function* three() {
      for (let i = 0; i < 3; i++) yield syntheticBatch(i, 8, 4);
    }
    const before = tf.memory().numTensors;
    const r = await trainSteps(model, { batches: three(), steps: 10, optimizer: { kind: 'adam', learningRate: 0.01 } });
    expect(r.steps).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it('rejects a mask that does not fit the model, naming it, before training', async () => {
    const { model, masks } = await sparseMlp(0.5);
    const key = Object.keys(masks)[0];
    const bad: MaskSet = { [key]: { ...masks[key], shape: [1, 2], keep: new Uint8Array(2) } };
    const before = tf.memory().numTensors;
    await expect(trainSteps(model, { batches: (s) => syntheticBatch(s, 4, 4), steps: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, masks: bad })).rejects.toThrow(key);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it('createOptimizer builds sgd, momentum and adam and refuses bad settings', () => {
    for (const o of [createOptimizer({ kind: 'sgd', learningRate: 0.1 }), createOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 }), createOptimizer({ kind: 'adam', learningRate: 1e-3 })]) {
      expect(o).toBeInstanceOf(tf.Optimizer);
      o.dispose();
    }
    expect(() => createOptimizer({ kind: 'adam', learningRate: 0 })).toThrow(/learning rate/);
    expect(() => createOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 1 })).toThrow(/momentum/);
  });
});
