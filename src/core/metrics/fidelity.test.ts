import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fidelityKind, fidelityOf, probeInputs, probeSpec, referenceOutputs } from './fidelity';

function classifier() {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}

describe('fidelity', () => {
  it('is 1 for the original model and drops when its function changes (top-1 agreement)', async () => {
    const model = classifier();
    const spec = probeSpec(model);
    expect(spec.kinds).toEqual([{ kind: 'normal' }]);
    expect(fidelityKind(model)).toBe('agreement');
    const probes = probeInputs(spec, 200, 3);
    const ref = await referenceOutputs(model, probes, 64);
    expect(fidelityOf('agreement', await referenceOutputs(model, probes, 50), ref)).toBe(1);
    const k = model.layers[1].getWeights()[0];
    model.layers[1].setWeights([tf.neg(k), model.layers[1].getWeights()[1]]);
    const after = fidelityOf('agreement', await referenceOutputs(model, probes, 64), ref);
    expect(after).toBeLessThan(0.6);
    tf.dispose(probes);
  });

  it('measures 1 − relative output error for regression and image-to-image models', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [null, null, 3], filters: 3, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'ones' }));
    expect(fidelityKind(m)).toBe('relativeError');
    const spec = probeSpec(m);
    expect(spec.shapes).toEqual([[32, 32, 3]]); // dynamic height and width filled in
    expect(spec.kinds).toEqual([{ kind: 'uniform' }]);
    const probes = probeInputs(spec, 4, 9);
    const ref = await referenceOutputs(m, probes, 4);
    // Halving every weight halves every output: relative error exactly 0.5.
    m.layers[0].setWeights([tf.mul(m.layers[0].getWeights()[0], 0.5)]);
    expect(fidelityOf('relativeError', await referenceOutputs(m, probes, 4), ref)).toBeCloseTo(0.5, 5);
    tf.dispose(probes);
  });

  it('draws token ids for an input that feeds an Embedding, seeded', () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 7 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 1 }));
    const spec = probeSpec(m);
    expect(spec.kinds).toEqual([{ kind: 'ids', vocabulary: 50 }]);
    const [a] = probeInputs(spec, 10, 5);
    const [b] = probeInputs(spec, 10, 5);
    const values = a.dataSync();
    expect([...values].every((v) => Number.isInteger(v) && v >= 0 && v < 50)).toBe(true);
    expect([...b.dataSync()]).toEqual([...values]);
    tf.dispose([a, b]);
  });
});

describe('probe inputs for a functional model with an explicit InputLayer', () => {
  it('still finds the Embedding behind it', () => {
    const input = tf.input({ shape: [5] });
    const emb = tf.layers.embedding({ inputDim: 30, outputDim: 2 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(emb)) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    expect(probeSpec(m).kinds).toEqual([{ kind: 'ids', vocabulary: 30 }]);
  });
});
