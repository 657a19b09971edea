import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { removeChannels } from '../graph/channelSurgery';
import { buildDependencyGraph } from '../graph/dependencyGraph';
import { disposeModel } from '../graph/disposeModel';
import { decodeImageSet } from '../data/fashionMnist';
import { evaluateAccuracy } from '../metrics/accuracy';
import { computePruning } from './pruneRequest';
import { findVariable } from './masks';
import { applyUnitMerges, planUnitMerges } from './unitMerging';
import { fashionCnn, randomizeWeights } from './testModels';

/** Makes unit `copy` of a layer an exact duplicate of unit `of` (its kernel slice along `axis`, its bias). */
async function duplicateUnit(model: tf.LayersModel, layer: string, of: number, copy: number) {
  for (const weight of ['kernel', 'bias']) {
    const v = findVariable(model, layer, weight)!;
    const shape = v.shape.map((d) => d ?? 0);
    const values = Float32Array.from((await v.read().data()) as Float32Array);
    const units = shape[shape.length - 1];
    for (let i = 0; i < values.length; i += units) values[i + copy] = values[i + of];
    v.write(tf.tensor(values, shape));
  }
}

async function maxDiff(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

async function mergeAndRemove(model: tf.LayersModel, ratio: Record<string, number>) {
  const dep = buildDependencyGraph(model);
  const r = await planUnitMerges(model, dep, ratio);
  await applyUnitMerges(model, dep, r.merges);
  return { ...r, smaller: (await removeChannels(model, dep, r.plan)).model };
}

describe('merging similar units', () => {
  it('merging one of two exactly duplicated Dense units changes the outputs by at most 1e-5', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 6, activation: 'relu', name: 'fc1' }),
        tf.layers.dense({ units: 3, name: 'fc2' }),
      ],
    });
    randomizeWeights(model, 3);
    await duplicateUnit(model, 'fc1', 1, 4);
    const x = tf.randomNormal([32, 5], 0, 1, 'float32', 5);
    const before = tf.keep(model.predict(x) as tf.Tensor);
    const { merges, plan, smaller } = await mergeAndRemove(model, { fc1: 1 / 6 });
    // The duplicate pair is the one merged (which of the two survives does not matter).
    expect(merges.fc1).toHaveLength(1);
    expect([merges.fc1[0].removed, merges.fc1[0].into].sort()).toEqual([1, 4]);
    expect(Array.from(plan.fc1).filter((k) => !k)).toHaveLength(1);
    expect(smaller.countParams()).toBe(model.countParams() - (5 + 1) - 3);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(before, smaller.predict(x) as tf.Tensor))).dataSync()[0]);
    expect(d).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, before]);
    [model, smaller].forEach(disposeModel);
  });

  it('a duplicated conv filter behind BatchNorm merges exactly too (the incoming weights are read after BatchNorm)', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 9);
    await duplicateUnit(model, 'conv2', 0, 3);
    // bn2 treats both channels alike: the same statistics and affine for the copy.
    for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
      const v = findVariable(model, 'bn2', w)!;
      const vals = Float32Array.from((await v.read().data()) as Float32Array);
      vals[3] = vals[0];
      v.write(tf.tensor(vals));
    }
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 2);
    const original = await tf.loadLayersModel(tf.io.fromMemory(await saved(model)));
    const { merges, smaller } = await mergeAndRemove(model, { conv2: 1 / 6 });
    expect([merges.conv2[0].removed, merges.conv2[0].into].sort()).toEqual([0, 3]);
    expect(await maxDiff(original, smaller, x)).toBeLessThanOrEqual(1e-5);
    x.dispose();
    [model, original, smaller].forEach(disposeModel);
  });

  it('refuses groups whose consumer is not linear in its inputs, and any granularity but channels', async () => {
    const model = fashionCnn();
    const dep = buildDependencyGraph(model);
    const r = await planUnitMerges(model, dep, { conv1: 0.5, conv2: 0.5, fc1: 0.5 });
    // fc2 is the output layer: locked, as in channel removal.
    expect(r.skipped.map((s) => s.key)).toContain('fc2');
    expect(Object.keys(r.merges).sort()).toEqual(['conv1', 'conv2', 'fc1']);
    await expect(computePruning(model, { granularity: 'unstructured', criterion: 'merge', target: { kind: 'global', sparsity: 0.5 } }))
      .rejects.toThrow('The merge criterion merges whole units: choose the channels granularity');
    disposeModel(model);
  });

  it('on the demo CNN at 25% of the conv channels, merging keeps more accuracy than magnitude removal (before fine-tuning)', async () => {
    const root = resolve(__dirname, '../../../public');
    const load = async () => {
      const json = JSON.parse(readFileSync(`${root}/models/fashion-cnn/model.json`, 'utf8'));
      const bin = readFileSync(`${root}/models/fashion-cnn/weights.bin`);
      return tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
      }));
    };
    const set = decodeImageSet(gunzipSync(readFileSync(`${root}/demo/fashion-mnist/test-images.idx.gz`)), gunzipSync(readFileSync(`${root}/demo/fashion-mnist/test-labels.idx.gz`)), 'test');
    const model = await load();
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name);
    const target = { kind: 'perLayer' as const, sparsity: Object.fromEntries(convs.map((c) => [c, 0.25])) };
    // The first 500 test images (class-balanced, as the studio's live subset): the pure-JS backend is slow at convolutions.
    const examples = 500;
    const accuracy = async (m: tf.LayersModel) => (await evaluateAccuracy(m, set, undefined, 250, [], examples)).accuracy;
    const base = await accuracy(model);

    const dep = buildDependencyGraph(model);
    const magnitude = await computePruning(model, { granularity: 'channels', criterion: 'magnitude', target }, dep);
    const removed = (await removeChannels(model, dep, magnitude.channelPlan!)).model;
    const merged = await computePruning(model, { granularity: 'channels', criterion: 'merge', target }, dep);
    await applyUnitMerges(model, dep, merged.merges!);
    const smaller = (await removeChannels(model, dep, merged.channelPlan!)).model;
    expect(smaller.countParams()).toBe(removed.countParams());
    const [byMagnitude, byMerging] = [await accuracy(removed), await accuracy(smaller)];
    console.log(`demo CNN, 25% of conv channels, ${examples} test images: original ${(base * 100).toFixed(2)}%, magnitude (L1) removal ${(byMagnitude * 100).toFixed(2)}%, merging ${(byMerging * 100).toFixed(2)}%`);
    expect(byMerging).toBeGreaterThan(byMagnitude);
    [model, removed, smaller].forEach(disposeModel);
  }, 240_000);
});

async function saved(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts!;
}
