import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/seededRandom';
import { captureModel, type ModelState } from '../model/modelState';
import { fashionCnn, randomizeWeights } from '../prune/testModels';
import type { MaskSet } from '../prune/masks';
import { ContainerError } from './binaryContainer';
import {
  deserializeModelState, deserializeSession, modelStateSize, serializeModelState, serializeSession, sessionMessages, sessionSize,
  type SessionSnapshot,
} from './sessionFormat';

/** Every typed array in `a` and `b`, compared as bytes (so NaN payloads and -0 count), and the rest with Object.is. */
function expectBitIdentical(a: unknown, b: unknown, path = '$'): void {
  if (ArrayBuffer.isView(a)) {
    expect(ArrayBuffer.isView(b), path).toBe(true);
    expect((b as object).constructor, path).toBe((a as object).constructor);
    const bytes = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    expect(Buffer.compare(bytes(a), bytes(b as ArrayBufferView)), path).toBe(0);
    return;
  }
  if (typeof a !== 'object' || a === null) {
    expect(Object.is(a, b), `${path}: ${String(a)} vs ${String(b)}`).toBe(true);
    return;
  }
  expect(typeof b, path).toBe('object');
  expect(Array.isArray(b), path).toBe(Array.isArray(a));
  const keys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  expect(Object.keys(b as object).sort(), path).toEqual(keys.sort());
  for (const k of keys) expectBitIdentical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}

function randomMasks(state: ModelState, seed: number): MaskSet {
  const rnd = mulberry32(seed);
  const masks: MaskSet = {};
  for (const [key, w] of Object.entries(state.weights)) {
    if (!w.weight.endsWith('kernel')) continue;
    masks[key] = { key, layerPath: w.layerPath, weight: w.weight, shape: [...w.shape], keep: Uint8Array.from(w.values, () => (rnd() < 0.6 ? 1 : 0)) };
  }
  return masks;
}

/** Float32 bit patterns JSON or a number conversion would lose. */
const SPECIAL_BITS = [0x7fc00001, 0xffc12345, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001];

async function demoSnapshot(): Promise<SessionSnapshot> {
  const model = fashionCnn();
  randomizeWeights(model, 3);
  const original = await captureModel(model);
  const bits = new Uint32Array(original.weights['conv1/kernel'].values.buffer);
  SPECIAL_BITS.forEach((b, i) => (bits[i] = b));
  randomizeWeights(model, 4);
  const finetuned = await captureModel(model);
  model.dispose();
  const view = (id: number, extra: object = {}) => ({
    id, label: `step ${id}`, metric: { metric: 'accuracy', value: 0.1 + id / 10, count: 100 }, params: 1000, ms: 12.345678901234567, ...extra,
  });
  return {
    meta: { name: 'fashion-cnn', model: 'fashion-cnn', savedAt: 1_760_000_000_000, source: { kind: 'demo' } },
    settings: { target: { kind: 'global', sparsity: 0.5 }, undo: [0, 1], redo: [], negZero: -0, notANumber: NaN, inf: [Infinity, -Infinity], nested: { __proto__: 'x', constructor: 1 } },
    currentId: 3,
    steps: [
      { id: 0, baseId: 0, view: view(0, { metric: { metric: 'accuracy', value: NaN, count: 0 } }), state: original },
      { id: 1, baseId: 0, view: view(1), masks: randomMasks(original, 1) },
      { id: 2, baseId: 0, view: view(2, { settings: { granularity: 'channels' } }), channelPlan: { 'conv1/kernel': Uint8Array.of(1, 0, 1, 1), fc1: Uint8Array.of(0, 1, 1, 1, 1, 0, 1, 1) } },
      { id: 3, baseId: 3, view: view(3, { skipped: [{ key: 'fc2', reason: 'output layer' }] }), state: finetuned },
      { id: 4, baseId: 3, view: view(4), masks: randomMasks(finetuned, 2) },
    ],
    dataset: { meta: { kind: 'csv', name: 'data.csv' }, bytes: new TextEncoder().encode('a,b\n1,2\n') },
  };
}

describe('session (de)serialisation', () => {
  it('round-trips bit for bit: weights with NaN payloads and -0, bitset masks, channel plans, views, settings, dataset', async () => {
    const snap = await demoSnapshot();
    const bytes = serializeSession(snap);
    expect(bytes.length).toBe(sessionSize(snap));
    const again = deserializeSession(bytes);
    expectBitIdentical(snap, again);
    // The NaN payloads really survived (a Float32Array copy through numbers would canonicalise them).
    const bits = new Uint32Array(again.steps[0].state!.weights['conv1/kernel'].values.buffer);
    expect([...bits.subarray(0, SPECIAL_BITS.length)]).toEqual(SPECIAL_BITS);
    expect(Object.is((again.settings as { negZero: number }).negZero, -0)).toBe(true);
    // Written again, the same bytes.
    expect(Buffer.compare(serializeSession(again), bytes)).toBe(0);
  });

  it('restores a model that computes exactly what the saved one did', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 9);
    const state = await captureModel(model);
    const restored = deserializeModelState(serializeModelState(state));
    expect(restored.topology).toBe(state.topology);
    expectBitIdentical(state, restored);
    model.dispose();
  });

  it('stores masks as bitsets (8 weights to a byte) and says its size without writing', async () => {
    const snap = await demoSnapshot();
    const maskWeights = Object.values(snap.steps[1].masks!).reduce((n, m) => n + m.keep.length, 0);
    const without = { ...snap, steps: snap.steps.filter((s) => s.id !== 1) };
    const grew = sessionSize(snap) - sessionSize(without);
    expect(grew).toBeLessThan(maskWeights / 8 + 2000); // the bits plus a little JSON per mask
    expect(grew).toBeGreaterThanOrEqual(maskWeights / 8);
    // A "mask" that is not 0/1 is kept as bytes, still exactly.
    const odd = { ...snap, steps: [{ ...snap.steps[1], masks: { k: { key: 'k', layerPath: 'l', weight: 'kernel', shape: [3], keep: Uint8Array.of(0, 2, 1) } } }] };
    expectBitIdentical(odd, deserializeSession(serializeSession(odd)));
  });

  it('leaves the starting points out when asked, and marks them', async () => {
    const snap = await demoSnapshot();
    const index = serializeSession(snap, { omitStates: true });
    expect(index.length).toBe(sessionSize(snap, { omitStates: true }));
    const stateBytes = modelStateSize(snap.steps[0].state!) + modelStateSize(snap.steps[3].state!);
    expect(serializeSession(snap).length - index.length).toBeGreaterThan(stateBytes * 0.9);
    const back = deserializeSession(index);
    expect(back.steps.map((s) => [s.id, s.state === undefined, s.stateless ?? false])).toEqual([
      [0, true, true], [1, true, false], [2, true, false], [3, true, true], [4, true, false],
    ]);
    expectBitIdentical(snap.steps[1].masks, back.steps[1].masks);
  });

  it("keeps a step's extras (merges made before a removal, shared values) bit for bit", () => {
    const extras = {
      merges: { conv1: [{ removed: 3, into: 1 }] },
      clusters: { 'fc1/kernel': { key: 'fc1/kernel', layerPath: 'fc1', weight: 'kernel', shape: [2, 2], codebook: Float32Array.of(-0, 0.5), indices: Uint8Array.of(0, 1, 1, 0) } },
    };
    const snap: SessionSnapshot = { meta: {}, settings: null, currentId: 1, steps: [{ id: 0, baseId: 0, view: {} }, { id: 1, baseId: 1, view: {}, extras }] };
    const back = deserializeSession(serializeSession(snap));
    expect(back.steps[0].extras).toBeUndefined();
    expectBitIdentical(extras, back.steps[1].extras);
  });

  it('keeps names like __proto__ and constructor as data', () => {
    const snap: SessionSnapshot = {
      meta: JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}'),
      settings: null,
      currentId: 0,
      steps: [{
        id: 0, baseId: 0, view: {},
        masks: { ['__proto__']: { key: '__proto__', layerPath: '__proto__', weight: 'kernel', shape: [2], keep: Uint8Array.of(1, 0) } },
        channelPlan: { constructor: Uint8Array.of(1) },
      }],
    };
    const back = deserializeSession(serializeSession(snap));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(back.meta)).toEqual(['__proto__', 'constructor']);
    expect((back.meta as Record<string, unknown>)['__proto__']).toEqual({ polluted: true });
    expect(Object.keys(back.steps[0].masks!)).toEqual(['__proto__']);
    expect(back.steps[0].masks!['__proto__'].keep).toEqual(Uint8Array.of(1, 0));
    expect(back.steps[0].channelPlan!.constructor).toEqual(Uint8Array.of(1));
  });

  describe('a damaged container says so, and never crashes', () => {
    const message = (bytes: Uint8Array) => {
      try {
        deserializeSession(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ContainerError);
        return (e as Error).message;
      }
      return 'no error';
    };
    it('each case', async () => {
      const bytes = serializeSession(await demoSnapshot());
      expect(message(new TextEncoder().encode('{"not":"a session"}'))).toBe('The saved session is not a Secateur session (it does not begin with "SCTR-SES").');
      expect(message(bytes.subarray(0, 12))).toBe(sessionMessages.cutShort);
      expect(message(bytes.subarray(0, 500))).toBe('The saved session is cut short; it cannot be restored. Delete it from the Sessions list.');
      expect(message(bytes.subarray(0, bytes.length - 100))).toBe(sessionMessages.cutShort);
      const v2 = bytes.slice();
      v2[8] = 2;
      expect(message(v2)).toBe('The saved session is in format version 2, which this studio cannot read (it reads version 1). Open it with a newer Secateur, or delete it.');
      const json = bytes.slice();
      json[16] = 0x20; // the description's opening brace
      expect(message(json)).toBe('The saved session is damaged; it cannot be restored. Delete it from the Sessions list.');
      expect(message(deepContainer(100_000))).toBe(sessionMessages.damaged);
      expect(() => deserializeModelState(bytes)).toThrow('A saved model state is not a Secateur model state (it does not begin with "SCTR-MDL").');
    });
  });
});

/** A container whose description nests `depth` arrays. */
function deepContainer(depth: number): Uint8Array {
  const json = new TextEncoder().encode(`{"value":${'['.repeat(depth)}${']'.repeat(depth)},"parts":[]}`);
  const out = new Uint8Array(16 + json.length);
  out.set(new TextEncoder().encode('SCTR-SES'));
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  return out;
}
