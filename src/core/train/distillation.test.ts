import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { disposeModel } from '../graph/disposeModel';
import { applyMasks, findVariable, type MaskSet } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionMlp, randomizeWeights } from '../prune/testModels';
import { distillationLoss } from './distillation';
import { trainSteps } from './maskedTrainer';

function randomInputs(seed: number, n: number, size = 4): tf.Tensor4D {
  const rnd = mulberry32(seed);
  const x = new Float32Array(n * size * size);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  return tf.tensor4d(x, [n, size, size, 1]);
}

function copyOf(teacher: tf.LayersModel, build: () => tf.LayersModel): tf.LayersModel {
  const m = build();
  m.setWeights(teacher.getWeights());
  return m;
}

async function fidelity(student: tf.LayersModel, teacher: tf.LayersModel, xs: tf.Tensor): Promise<number> {
  const agree = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(student.predict(xs) as tf.Tensor, -1), tf.argMax(teacher.predict(xs) as tf.Tensor, -1)), 'float32')));
  const v = (await agree.data())[0];
  agree.dispose();
  return v;
}

const build = () => fashionMlp(4, [24, 16], 4);

describe('distillation loss', () => {
  it('is 0 for a student equal to its teacher, positive otherwise, and equals T²·KL at the softened outputs', () => {
    const teacher = build();
    randomizeWeights(teacher, 11);
    const same = copyOf(teacher, build);
    const other = build();
    randomizeWeights(other, 12);
    const xs = randomInputs(1, 32);
    const loss = distillationLoss(teacher, { temperature: 2 });
    const value = (m: tf.LayersModel) => tf.tidy(() => loss(m, { xs }).dataSync()[0]);
    expect(value(same)).toBeCloseTo(0, 6);
    const got = value(other);
    expect(got).toBeGreaterThan(0.01);
    // By hand: softmax(log p / T) for both, KL, mean, times T².
    const expected = tf.tidy(() => {
      const soft = (m: tf.LayersModel) => tf.softmax(tf.div(tf.log(m.predict(xs) as tf.Tensor), 2));
      const p = soft(teacher);
      const q = soft(other);
      return tf.mul(tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.log(q))), -1)), 4).dataSync()[0];
    });
    expect(got).toBeCloseTo(expected, 4);
    xs.dispose();
    [teacher, same, other].forEach(disposeModel);
  });

  it('is the mean squared error for a model without softmax', () => {
    const mk = () => {
      const m = tf.sequential();
      m.add(tf.layers.flatten({ inputShape: [4, 4, 1] }));
      m.add(tf.layers.dense({ units: 2 }));
      return m;
    };
    const teacher = mk();
    randomizeWeights(teacher, 1);
    const student = mk();
    randomizeWeights(student, 2);
    const xs = randomInputs(3, 8);
    const got = tf.tidy(() => distillationLoss(teacher)(student, { xs }).dataSync()[0]);
    const expected = tf.tidy(() => tf.losses.meanSquaredError(teacher.predict(xs) as tf.Tensor, student.predict(xs) as tf.Tensor).dataSync()[0]);
    expect(got).toBeCloseTo(expected, 6);
    xs.dispose();
    [teacher, student].forEach(disposeModel);
  });

  it('raises the fidelity of a pruned model to its teacher without labels, keeping the masks', async () => {
    const teacher = build();
    randomizeWeights(teacher, 21);
    const student = copyOf(teacher, build);
    const { masks } = await computePruning(student, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.8 } });
    applyMasks(student, masks);
    const probe = randomInputs(999, 512);
    const before = await fidelity(student, teacher, probe);
    const tensorsBefore = tf.memory().numTensors;
    await trainSteps(student, {
      batches: (step) => ({ xs: randomInputs(step + 1, 32) }),
      steps: 150,
      lossFn: distillationLoss(teacher, { temperature: 2 }),
      optimizer: { kind: 'adam', learningRate: 0.01 },
      masks,
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const after = await fidelity(student, teacher, probe);
    // Seeded: 80% pruning leaves 1.4% agreement; distillation brings it to about 84%.
    expect(after).toBeGreaterThan(before + 0.3);
    expect(after).toBeGreaterThan(0.75);
    await expectMasked(student, masks);
    probe.dispose();
    [teacher, student].forEach(disposeModel);
  });
});

async function expectMasked(model: tf.LayersModel, masks: MaskSet): Promise<void> {
  for (const m of Object.values(masks)) {
    const v = await findVariable(model, m.layerPath, m.weight)!.read().data();
    for (let i = 0; i < m.keep.length; i++) if (m.keep[i] === 0) expect(v[i]).toBe(0);
  }
}
