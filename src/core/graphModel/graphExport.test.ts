// The export of a graph model, reloaded with plain tf.loadGraphModel: float32 gives the original's
// predictions exactly; float16 and uint8 keep every zero exactly zero and every nonzero weight nonzero,
// within their error bounds; int32 constants stay exact; the report and the README say what was done.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { exportZip } from '../model/exportModel';
import { exportGraphModel, graphExportReadme, graphWeightBytes, loadExportedGraphFiles } from './graphExport';
import { loadGraphModelData, runGraph, type GraphModelData } from './graphModelData';
import { applyGraphMasks, computeGraphPruning } from './graphPruning';
import { fixture, fixtureFiles, loadedZeros, maxDiff, randomInputs, readGraph } from './testGraphs';

function pruned(name: string, sparsity = 0.6): GraphModelData {
  const g = fixture(name);
  return applyGraphMasks(g.data, computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } }).masks);
}

const floatZeros = (d: GraphModelData) => d.weights.filter((w) => w.dtype === 'float32').reduce((n, w) => n + Array.from(w.values).filter((v) => v === 0).length, 0);

/** The reloaded model's weights by name, as tfjs holds them. */
function reloadedWeights(model: tf.GraphModel): Map<string, Float32Array | Int32Array> {
  return new Map(Object.entries(model.weights).map(([k, ts]) => [k, ts[0].dataSync() as Float32Array | Int32Array]));
}

describe('graph export', () => {
  for (const name of ['conv', 'mlp', 'mlp-uint8', 'residual', 'loop']) {
    it(`${name}: float32 export, reloaded with plain tf.loadGraphModel, predicts exactly what the original does`, async () => {
      const { data } = fixture(name);
      const original = await loadGraphModelData(data);
      const reloaded = await loadExportedGraphFiles(exportGraphModel(data, { precision: 'float32' }).files);
      const xs = randomInputs(original, 11);
      const [a, b] = [await runGraph(original, data.info, xs), await runGraph(reloaded, data.info, xs)];
      expect(maxDiff(a, b)).toBe(0);
      expect(reloaded.inputs.map((i) => i.name)).toEqual(original.inputs.map((i) => i.name));
      tf.dispose([...xs, ...a, ...b]);
      original.dispose();
      reloaded.dispose();
    });
  }

  it('uint8 and float16: zeros exact, nonzeros nonzero, values within the encodings\' bounds, int32 exact', async () => {
    const data = pruned('conv');
    const zeros = floatZeros(data);
    expect(zeros).toBeGreaterThan(1000);
    for (const precision of ['uint8', 'float16'] as const) {
      const out = exportGraphModel(data, { precision });
      const json = JSON.parse(strFromU8(out.files[0].bytes)) as { weightsManifest: { weights: { name: string; dtype: string; quantization?: { dtype: string; scale?: number } }[] }[] };
      const specs = json.weightsManifest[0].weights;
      expect(specs.find((s) => s.name === 'gap/axes')).toEqual({ name: 'gap/axes', shape: [2], dtype: 'int32' });
      expect(specs.filter((s) => s.quantization?.dtype === precision)).toHaveLength(data.weights.length - 1);
      const model = await loadExportedGraphFiles(out.files);
      expect(loadedZeros(model), precision).toBe(zeros);
      const loaded = reloadedWeights(model);
      for (const w of data.weights) {
        const got = loaded.get(w.name)!;
        const scale = specs.find((s) => s.name === w.name)!.quantization?.scale ?? 0;
        for (let i = 0; i < w.values.length; i++) {
          const v = w.values[i];
          if (w.dtype === 'int32') expect(got[i]).toBe(v);
          else if (v === 0) expect(got[i]).toBe(0);
          else {
            expect(got[i], `${precision} ${w.name}[${i}]`).not.toBe(0);
            expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(precision === 'uint8' ? scale * (1 + 1e-6) : Math.abs(v) * 2 ** -11 + 2 ** -25);
          }
        }
      }
      model.dispose();
    }
  });

  it('keeps the signature, userDefinedMetadata and a model initializer (hash tables) in model.json', () => {
    const files = fixtureFiles('conv').map((f) => {
      if (f.path !== 'model.json') return f;
      const json = JSON.parse(strFromU8(f.bytes)) as Record<string, unknown>;
      Object.assign(json, { userDefinedMetadata: { note: 'kept' }, modelInitializer: { node: [], versions: {} }, initializerSignature: { outputs: {} } });
      return { path: f.path, bytes: new TextEncoder().encode(JSON.stringify(json)) };
    });
    const { data } = readGraph(files);
    const json = JSON.parse(strFromU8(exportGraphModel(data, { precision: 'float32' }).files[0].bytes)) as Record<string, unknown>;
    expect(json.userDefinedMetadata).toEqual({ note: 'kept' });
    expect(json.modelInitializer).toEqual({ node: [], versions: {} });
    expect(json.initializerSignature).toEqual({ outputs: {} });
    expect(Object.keys(json.signature as object)).toEqual(['inputs', 'outputs']);
  });

  it('sizes: a pruned model compresses; uint8 is a quarter of float32 for float weights', () => {
    const g = fixture('mlp');
    const dense = graphWeightBytes(exportGraphModel(g.data, { precision: 'float32' }));
    const sparse = graphWeightBytes(exportGraphModel(pruned('mlp', 0.9), { precision: 'float32' }));
    const u8 = graphWeightBytes(exportGraphModel(pruned('mlp', 0.9), { precision: 'uint8' }));
    expect(sparse.raw).toBe(dense.raw);
    expect(sparse.gzip).toBeLessThan(dense.gzip * 0.4);
    expect(u8.raw).toBe((dense.raw - 8) / 4 + 8); // the two int32 shape values stay 4 bytes each
    expect(u8.gzip).toBeLessThan(sparse.gzip);
  });

  it('shards at the given size, reports its steps, and zips with a README that says how to load it', async () => {
    const data = pruned('mlp');
    const out = exportGraphModel(data, { precision: 'uint8', shardBytes: 4096, steps: ['Pruned 60% of the prunable weights (magnitude, one global threshold).'] });
    expect(out.files.map((f) => f.name)).toEqual(['model.json', 'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    expect(out.report.steps).toEqual([
      'Pruned 60% of the prunable weights (magnitude, one global threshold).',
      'Wrote 6 float constants as uint8 weights, one affine scale per tensor (a quarter of the bytes; zeros stay exactly zero, nonzero weights stay nonzero); 1 int32 / bool constant (shapes, axes) as they are.',
      'Wrote model.json (format graph-model, for tf.loadGraphModel) and 3 weight files of at most 4,096 bytes.',
    ]);
    expect(out.report).toMatchObject({ format: 'graph-model', precision: 'uint8', params: 9708, nonzero: 9708 - floatZeros(data) });
    const readme = graphExportReadme({ name: 'mlp', precision: 'uint8', params: out.report.params, nonzero: out.report.nonzero, steps: out.report.steps });
    expect(readme).toContain("const model = await tf.loadGraphModel('model.json');");
    expect(readme).toContain('1. Pruned 60% of the prunable weights (magnitude, one global threshold).');
    const zip = unzipSync(exportZip(out, { readme, report: out.report }));
    expect(Object.keys(zip).sort()).toEqual(['README.md', 'group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json', 'report.json']);
    const model = await loadExportedGraphFiles(Object.entries(zip).map(([name, bytes]) => ({ name, bytes })));
    expect(loadedZeros(model)).toBe(floatZeros(data));
    const json = JSON.parse(strFromU8(zip['model.json'])) as { format: string; convertedBy: string; generatedBy: string };
    expect(json).toMatchObject({ format: 'graph-model', convertedBy: 'Secateur (in-browser pruning studio)', generatedBy: '2.15.0' });
    model.dispose();
  });
});
