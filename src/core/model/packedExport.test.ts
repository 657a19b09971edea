import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clusterModel } from '../compress/clusterModel';
import { disposeModel } from '../graph/disposeModel';
import { applyMasks } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionMlp, randomizeWeights } from '../prune/testModels';
import { loadImportedModel, readModelFiles } from './importFiles';
import { DECODER_FILE, exportPacked, isPackedFile, loadPackedModel, PACKED_FILE, packedFileName, packedReadme, packedZip } from './packedExport';

const DECODER_SOURCE = readFileSync(fileURLToPath(new URL('../compress/decoder.mjs', import.meta.url)), 'utf8');

async function packedMlp(): Promise<tf.LayersModel> {
  const model = fashionMlp(8, [32, 16]);
  randomizeWeights(model, 8);
  applyMasks(model, (await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.8 } })).masks);
  await clusterModel(model, { k: 8 });
  return model;
}

async function sameOutputs(a: tf.LayersModel, b: tf.LayersModel): Promise<void> {
  const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);
  const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  expect(Array.from(await yb.data())).toEqual(Array.from(await ya.data()));
  tf.dispose([x, ya, yb]);
}

describe('packed export', () => {
  it('the zip carries model.secpak and decoder.mjs; the decoder taken from the zip loads the model exactly', async () => {
    const model = await packedMlp();
    const { bytes, report } = await exportPacked(model);
    expect(isPackedFile(bytes)).toBe(true);
    const readme = packedReadme({
      name: 'tiny mlp', params: model.countParams(), nonzero: 100, sparsity: 0.8, bytes: bytes.length, float32Bytes: 4 * model.countParams(),
      clustered: { kernels: 3, maxValues: 8 }, metric: { metric: 'accuracy', value: 0.9, count: 10 }, recipe: [{ label: 'Pruned 80%' }, { label: 'Clustered, k = 8' }],
    });
    const zip = packedZip(bytes, { decoderSource: DECODER_SOURCE, readme, report });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['README.md', DECODER_FILE, PACKED_FILE, 'report.json'].sort());
    expect(Array.from(files[PACKED_FILE])).toEqual(Array.from(bytes));
    expect(strFromU8(files['README.md'])).toContain(`import { decode } from './${DECODER_FILE}';`);
    expect(strFromU8(files['README.md'])).toContain('tf.loadLayersModel(tf.io.fromMemory(decode(bytes)))');
    expect(JSON.parse(strFromU8(files['report.json'])).bytes).toBe(bytes.length);

    // What a user does: unzip, import decoder.mjs, decode, load.
    const dir = mkdtempSync(join(tmpdir(), 'secpak-'));
    writeFileSync(join(dir, DECODER_FILE), files[DECODER_FILE]);
    const { decode } = (await import(/* @vite-ignore */ pathToFileURL(join(dir, DECODER_FILE)).href)) as typeof import('../compress/decoder.mjs');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(decode(files[PACKED_FILE])));
    await sameOutputs(model, loaded);
    disposeModel(loaded);
    disposeModel(model);
  });

  it('the studio re-opens a packed file', async () => {
    const model = await packedMlp();
    const { bytes } = await exportPacked(model);
    const reopened = await loadPackedModel(bytes);
    await sameOutputs(model, reopened);
    expect(reopened.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    disposeModel(reopened);
    disposeModel(model);
    expect(isPackedFile(new TextEncoder().encode('{"format":"layers-model"}'))).toBe(false);
    await expect(loadPackedModel(new Uint8Array([1, 2, 3]))).rejects.toThrow('packed: not a packed Secateur model (no SECPAK magic)');
  });

  it('the import path reads a dropped .secpak and its .zip like any model, bit for bit', async () => {
    const model = await packedMlp();
    const { bytes, report } = await exportPacked(model);
    const zip = packedZip(bytes, { decoderSource: DECODER_SOURCE, readme: '# x', report });
    const original = await Promise.all(model.getWeights().map((w) => w.data()));
    for (const [files, name, json] of [
      [[{ path: 'tiny-mlp.secpak', bytes }], 'tiny-mlp', 'tiny-mlp.json'],
      [[{ path: 'tiny-mlp-80pct-sparse-packed.zip', bytes: zip }], 'tiny-mlp-80pct-sparse-packed', 'tiny-mlp-80pct-sparse-packed.zip/model.json'],
    ] as const) {
      const imported = readModelFiles([...files]);
      expect(imported).toMatchObject({ name, jsonPath: json });
      const loaded = await loadImportedModel(imported);
      const weights = await Promise.all(loaded.getWeights().map((w) => w.data()));
      weights.forEach((w, i) => expect(new Uint32Array(w.buffer)).toEqual(new Uint32Array(original[i].buffer)));
      disposeModel(loaded);
    }
    const damaged = bytes.slice(0, bytes.length - 9);
    expect(() => readModelFiles([{ path: 'cut.secpak', bytes: damaged }])).toThrow(/^cut\.secpak: not a readable packed model \(packed: .+\)\. Export the model again\.$/);
    disposeModel(model);
  });

  it('names the zip after the model and its sparsity', () => {
    expect(packedFileName('fashion-cnn', 0.9)).toBe('fashion-cnn-90pct-sparse-packed.zip');
    expect(packedFileName('my model.json', 0.5)).toBe('my-model-50pct-sparse-packed.zip');
  });
});
