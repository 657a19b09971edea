import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/seededRandom';
import { disposeModel } from '../graph/disposeModel';
import { savedModel, type SavedModel } from '../model/exportModel';
import type { WeightSpec } from '../model/quantize';
import { applyMasks } from '../prune/masks';
import { computePruning } from '../prune/pruneRequest';
import { fashionMlp, randomizeWeights } from '../prune/testModels';
import { clusterModel } from './clusterModel';
import { decode } from './decoder.mjs';
import { canonicalCodes, huffmanLengths } from './huffman';
import { gaussianWeights } from './testWeights';
import { encodePacked } from './packedEncoder';
import type { Coding } from './packedStreams';

const DECODER = fileURLToPath(new URL('./decoder.mjs', import.meta.url));
const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const CODINGS: Coding[] = ['stored', 'deflate', 'huffman'];

function bitsOf(data: Uint8Array | ArrayBuffer): Uint32Array {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return new Uint32Array(bytes.slice().buffer);
}

/** encode -> decode; every weight bit for bit, the specs and the topology equal. */
function expectExact(saved: SavedModel, options: Parameters<typeof encodePacked>[1] = {}): ReturnType<typeof encodePacked> {
  const packed = encodePacked(saved, options);
  const out = decode(packed.bytes);
  expect(out.modelTopology).toEqual(saved.modelTopology);
  expect(out.weightSpecs).toEqual(saved.weightSpecs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })));
  const a = bitsOf(saved.weightData);
  const b = bitsOf(out.weightData);
  expect(b.length).toBe(a.length);
  let diff = -1;
  for (let i = 0; i < a.length && diff < 0; i++) if (a[i] !== b[i]) diff = i;
  expect(diff, 'first value that differs').toBe(-1);
  return packed;
}

/** A hand-made model: specs and raw values (bit patterns) for each. */
function artifacts(tensors: { name: string; shape: number[]; dtype?: 'float32' | 'int32'; bits: Uint32Array }[]): SavedModel {
  const specs: WeightSpec[] = tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype ?? 'float32' }));
  const data = new Uint32Array(tensors.reduce((n, t) => n + t.bits.length, 0));
  let at = 0;
  for (const t of tensors) {
    data.set(t.bits, at);
    at += t.bits.length;
  }
  return { modelTopology: { class_name: 'Sequential', config: { name: 'hand' } }, weightSpecs: specs, weightData: new Uint8Array(data.buffer) };
}

const f32bits = (a: Float32Array) => new Uint32Array(a.buffer.slice(0));

function loadDemo(id: string): SavedModel {
  const dir = join(PUBLIC, 'models', id);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = readFileSync(join(dir, 'weights.bin'));
  return { modelTopology: json.modelTopology as object, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as WeightSpec[], weightData: new Uint8Array(bin) };
}

describe('packed format: encode + decode are exact', () => {
  it('a tiny model, in every coding, loads with tf.io.fromMemory and predicts the same', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 2);
    const saved = await savedModel(model);
    for (const coding of [undefined, ...CODINGS]) expectExact(saved, { coding });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(decode(encodePacked(saved).bytes)));
    const x = tf.randomUniform([3, 4, 4, 1], 0, 1, 'float32', 5);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('pruned + clustered kernels take the codebook path with ceil(log2 k)-bit indices; biases stay exact literals', async () => {
    const model = fashionMlp(8, [64, 32]);
    randomizeWeights(model, 3);
    const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.8 } });
    applyMasks(model, masks);
    await clusterModel(model, { k: 16 });
    const saved = await savedModel(model);
    for (const coding of [undefined, ...CODINGS]) {
      const { report } = expectExact(saved, { coding });
      const fc1 = report.tensors.find((t) => t.name === 'fc1/kernel')!;
      expect(fc1.values).toBe('codebook');
      expect(fc1.codebook!.size).toBeLessThanOrEqual(15);
      expect(fc1.codebook!.indexBits).toBe(Math.ceil(Math.log2(fc1.codebook!.size)));
      if (coding === 'stored') expect(fc1.codebook!.storedBits).toBe(fc1.codebook!.indexBits);
      else expect([fc1.codebook!.indexBits, 8]).toContain(fc1.codebook!.storedBits);
      expect(fc1.nonzero).toBeLessThan(fc1.size * 0.3);
      expect(report.tensors.find((t) => t.name === 'fc1/bias')!.values).toMatch(/float(32|16)/);
    }
    // A raw float32 file is 4 bytes a weight; 80% zeros + 4-bit indices should be far below a fifth of it.
    expect(encodePacked(saved).bytes.length).toBeLessThan(saved.weightData.length / 5);
    disposeModel(model);
  });

  it('float16 codebooks are stored in 2 bytes an entry and decode exactly', async () => {
    const model = fashionMlp(8, [64, 32]);
    randomizeWeights(model, 4);
    const clusters = await clusterModel(model, { k: 32, codebook: 'float16' });
    const saved = await savedModel(model);
    const { report } = expectExact(saved, { clusters: Object.fromEntries(Object.values(clusters).map((c) => [c.key, c])) });
    for (const key of Object.keys(clusters)) expect(report.tensors.find((t) => t.name === key)!.codebook!.entryBits).toBe(16);
    disposeModel(model);
  });

  it('empty, all-zero, -0, NaN, subnormal and int32 tensors; k = 2, k = 256 and 257 distinct values', () => {
    const rnd = mulberry32(9);
    const two = Float32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -0.25 : 0.75));
    const k256 = Float32Array.from({ length: 5000 }, () => (rnd() < 0.3 ? 0 : Math.fround((Math.floor(rnd() * 255) - 127) / 64 + 1 / 1024)));
    const k257 = Float32Array.from({ length: 3000 }, (_, i) => (i < 257 ? i + 1 : 0.5));
    const odd = Uint32Array.from([0, 0x80000000, 0x7fc00001, 0x00000001, 0x7f800000, 0xff800000, 0x3f800000, 0]);
    const saved = artifacts([
      { name: 'empty', shape: [0, 4], bits: new Uint32Array(0) },
      { name: 'zeros', shape: [3, 5], bits: new Uint32Array(15) },
      { name: 'odd', shape: [8], bits: odd },
      { name: 'ints', shape: [6], dtype: 'int32', bits: Uint32Array.from([0, 1, -1 >>> 0, 7, 7, 0]) },
      { name: 'k2', shape: [1000], bits: f32bits(two) },
      { name: 'k256', shape: [50, 100], bits: f32bits(k256) },
      { name: 'k257', shape: [3000], bits: f32bits(k257) },
      { name: 'one', shape: [7], bits: f32bits(new Float32Array(7).fill(0.3)) },
    ]);
    for (const coding of [undefined, ...CODINGS]) {
      const { report } = expectExact(saved, { coding });
      const t = Object.fromEntries(report.tensors.map((r) => [r.name, r]));
      expect(t.empty.nonzero).toBe(0);
      expect(t.zeros).toMatchObject({ nonzero: 0, positions: 'none', values: 'none', bytes: 0 });
      expect(t.odd.nonzero).toBe(6);
      if (t.k2.values === 'codebook') expect(t.k2.codebook).toMatchObject({ size: 2, indexBits: 1 });
      expect(t.k257.values).not.toBe('codebook');
      expect(t.one).toMatchObject({ positions: 'none', values: 'codebook', codebook: { size: 1, indexBits: 0 } });
    }
    expect(encodePacked(saved).report.tensors.find((r) => r.name === 'k256')!.codebook).toMatchObject({ size: 255, indexBits: 8 });
  });

  it('positions: a bitmask for half-dense tensors, gaps for very sparse ones', () => {
    const half = gaussianWeights(20_000, 1, 0.5);
    const sparse = gaussianWeights(20_000, 2, 0.99);
    const { report } = expectExact(artifacts([{ name: 'half', shape: [20_000], bits: f32bits(half) }, { name: 'sparse', shape: [20_000], bits: f32bits(sparse) }]));
    expect(report.tensors[0].positions).toBe('bitmask');
    expect(report.tensors[1].positions).toBe('gaps');
  });

  it('the real demo models, raw and pruned + clustered', async () => {
    for (const id of ['fashion-mlp', 'fashion-cnn']) {
      const saved = loadDemo(id);
      expectExact(saved);
      const model = await tf.loadLayersModel(tf.io.fromMemory({ ...saved, weightData: saved.weightData.slice().buffer }));
      const { masks } = await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.9 } });
      applyMasks(model, masks);
      await clusterModel(model, { k: 16 });
      const clustered = await savedModel(model);
      const { bytes } = expectExact(clustered);
      expect(bytes.length).toBeLessThan(saved.weightData.length / 15);
      disposeModel(model);
    }
  });

  it('a given clustering is used, and refused when the weights do not hold its values', async () => {
    const model = fashionMlp();
    randomizeWeights(model, 6);
    const clusters = await clusterModel(model, { k: 8 });
    const saved = await savedModel(model);
    const given = { 'fc1/kernel': clusters['fc1/kernel'] };
    expect(expectExact(saved, { clusters: given }).report.tensors[0].values).toBe('codebook');
    const wrong = { 'fc1/kernel': { ...clusters['fc1/kernel'], indices: clusters['fc1/kernel'].indices.map((j) => (j + 1) % clusters['fc1/kernel'].codebook.length) } };
    expect(() => encodePacked(saved, { clusters: wrong })).toThrow('packed: fc1/kernel does not hold the values of its clustering (value 0)');
    expect(() => encodePacked(saved, { clusters: { 'fc9/kernel': clusters['fc1/kernel'] } })).toThrow('packed: a clustering names fc9/kernel, which is not a weight of this model');
    disposeModel(model);
  });
});

describe('packed format: bad input', () => {
  const good = encodePacked(artifacts([{ name: 'w', shape: [100], bits: f32bits(gaussianWeights(100, 3, 0.5)) }])).bytes;

  it('the decoder names what is wrong', () => {
    expect(() => decode(new TextEncoder().encode('{"modelTopology":{}}'))).toThrow('packed: not a packed Secateur model (no SECPAK magic)');
    const v2 = good.slice();
    v2[6] = 2;
    expect(() => decode(v2)).toThrow('packed: format version 2; this decoder reads version 1');
    expect(() => decode(good.subarray(0, good.length - 3))).toThrow('packed: the data ends early');
    expect(() => decode(new Uint8Array([...good, 0, 0]))).toThrow('packed: 2 bytes after the last tensor');
  });

  it('the encoder refuses quantized, non-float and misdescribed weight data', () => {
    const base = artifacts([{ name: 'w', shape: [4], bits: new Uint32Array(4) }]);
    expect(() => encodePacked({ ...base, weightSpecs: [{ name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }] })).toThrow('packed: weight w is quantized (uint8); pack the float32 weights');
    expect(() => encodePacked({ ...base, weightSpecs: [{ name: 'w', shape: [4], dtype: 'bool' as 'int32' }] })).toThrow('packed: weight w has dtype bool; only float32 and int32 weights can be packed');
    expect(() => encodePacked({ ...base, weightSpecs: [{ name: 'w', shape: [5], dtype: 'float32' }] })).toThrow('packed: the weight data ends inside w');
    expect(() => encodePacked({ ...base, weightSpecs: [{ name: 'w', shape: [3], dtype: 'float32' }] })).toThrow('packed: 4 bytes of weight data that no weight spec describes');
  });
});

describe('the decoder module', () => {
  it('is under 5 KB gzipped and imports nothing', () => {
    const source = readFileSync(DECODER);
    expect(gzipSync(source, { level: 9 }).length).toBeLessThan(5 * 1024);
    expect(source.toString()).not.toMatch(/^\s*import\s/m);
  });
});

describe('canonical Huffman', () => {
  it('limits code lengths to 15 and keeps the code complete (Kraft sum 1)', () => {
    // Fibonacci frequencies make the deepest possible tree (25 symbols -> depth 24 unlimited).
    const fib = [1, 1];
    while (fib.length < 25) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    const lengths = huffmanLengths(fib);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(15);
    expect(Array.from(lengths).reduce((s, l) => s + 2 ** -l, 0)).toBeCloseTo(1, 12);
    // Canonical: shorter codes first, consecutive within a length, prefix-free.
    const codes = canonicalCodes(lengths);
    const words = Array.from(codes, (c, i) => c.toString(2).padStart(lengths[i], '0'));
    for (const a of words) for (const b of words) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });
});
