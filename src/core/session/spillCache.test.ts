import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/seededRandom';
import type { ModelState } from '../model/modelState';
import type { MaskSet } from '../prune/masks';
import { DEFAULT_HISTORY_BUDGET, planSpills } from './historyBudget';
import { MemoryBlobStore, SpillCache, maskSetCodec, modelStateCodec, type BlobStore } from './spillCache';
import { serializeModelState } from './sessionFormat';

/** A model state of `n` float32 weights with seeded values, a NaN payload and a -0 among them. */
function state(seed: number, n = 2500): ModelState {
  const rnd = mulberry32(seed);
  const values = Float32Array.from({ length: n }, () => rnd() - 0.5);
  new Uint32Array(values.buffer)[0] = 0x7fc0beef;
  values[1] = -0;
  return { topology: JSON.stringify({ class_name: 'Sequential', seed }), weights: { 'fc/kernel': { layerPath: 'fc', weight: 'kernel', shape: [n / 50, 50], values } } };
}

const bytesOf = (s: ModelState) => serializeModelState(s);

describe('which starting points to spill', () => {
  it('spills the oldest first, only as many as needed, never the pinned ones', () => {
    const e = (id: number, bytes = 100, resident = true) => ({ id, bytes, resident });
    expect(planSpills([e(0), e(1), e(2), e(3)], 400, [0, 3])).toEqual({ spill: [], used: 400, fits: true });
    expect(planSpills([e(0), e(1), e(2), e(3)], 250, [0, 3])).toEqual({ spill: [1, 2], used: 200, fits: true });
    expect(planSpills([e(0), e(1), e(2), e(3)], 300, [0, 3])).toEqual({ spill: [1], used: 300, fits: true });
    // Pinned ones alone over the budget: everything else goes, and it says it does not fit.
    expect(planSpills([e(0), e(1), e(2), e(3)], 150, [0, 3])).toEqual({ spill: [1, 2], used: 200, fits: false });
    expect(planSpills([e(0), e(1, 100, false), e(2), e(3)], 200, [0, 3])).toEqual({ spill: [2], used: 200, fits: true });
  });

  it('holds the budget for a 25M-parameter model with 20 fine-tuned starting points', () => {
    const bytes = 25_000_000 * 4;
    const entries = Array.from({ length: 20 }, (_, id) => ({ id, bytes, resident: true }));
    const plan = planSpills(entries, DEFAULT_HISTORY_BUDGET, [0, 19]);
    expect(plan.fits).toBe(true);
    expect(plan.used).toBeLessThanOrEqual(DEFAULT_HISTORY_BUDGET);
    expect(plan.spill).toEqual(Array.from({ length: 18 }, (_, k) => k + 1));
  });
});

describe('SpillCache', () => {
  it('eviction then reload never changes what a restored step holds', async () => {
    const store = new MemoryBlobStore();
    let puts = 0;
    const counted: BlobStore = { put: (k, b) => (puts++, store.put(k, b)), get: (k) => store.get(k), delete: (k) => store.delete(k) };
    const one = modelStateCodec.bytes(state(0));
    const cache = new SpillCache(counted, modelStateCodec, one * 3);
    const originals = Array.from({ length: 8 }, (_, id) => state(id + 1));
    const expected = originals.map(bytesOf); // taken before anything is spilled
    for (let id = 0; id < originals.length; id++) {
      await cache.add(id, originals[id]);
      await cache.pin([id]);
      const u = cache.usage();
      expect(u.used).toBeLessThanOrEqual(one * 3);
      expect(u.resident).toContain(0); // the original
      expect(u.resident).toContain(id); // the current one
    }
    expect(cache.usage().spilled).toEqual([1, 2, 3, 4, 5]);
    expect([...store.map.keys()].sort()).toEqual(['1', '2', '3', '4', '5']);
    // Visit every step in a scrambled order, twice: each comes back exactly as it went in.
    const rnd = mulberry32(42);
    for (let round = 0; round < 2; round++) {
      const order = [...originals.keys()].sort(() => rnd() - 0.5);
      for (const id of order) {
        await cache.pin([id]);
        const got = await cache.get(id);
        expect(Buffer.compare(bytesOf(got), expected[id]), `step ${id}`).toBe(0);
        expect(cache.usage().used).toBeLessThanOrEqual(one * 3);
        expect(cache.usage().resident).toEqual(expect.arrayContaining([0, id]));
      }
    }
    // A value read back keeps its stored copy: spilling it again writes nothing new.
    expect(puts).toBe(store.map.size);
    expect(store.map.size).toBeGreaterThan(5);
  });

  it('masks spill as bitsets and come back exactly', async () => {
    const store = new MemoryBlobStore();
    const masks = (seed: number): MaskSet => {
      const rnd = mulberry32(seed);
      return { 'fc/kernel': { key: 'fc/kernel', layerPath: 'fc', weight: 'kernel', shape: [40, 50], keep: Uint8Array.from({ length: 2000 }, () => (rnd() < 0.3 ? 0 : 1)) } };
    };
    const cache = new SpillCache(store, maskSetCodec, maskSetCodec.bytes(masks(0)) * 2, 'masks/');
    for (let id = 0; id < 5; id++) await cache.add(id, masks(id));
    expect(cache.usage().spilled).toEqual([1, 2, 3]);
    expect(store.map.get('masks/1')!.length).toBeLessThan(2000 / 8 + 400);
    for (let id = 0; id < 5; id++) expect((await cache.get(id))['fc/kernel'].keep).toEqual(masks(id)['fc/kernel'].keep);
  });

  it('a store that fails (a full disk) keeps the step in memory and says why', async () => {
    const failing: BlobStore = {
      put: async () => {
        throw new Error('QuotaExceededError: the disk is full');
      },
      get: async () => undefined,
      delete: async () => undefined,
    };
    const one = modelStateCodec.bytes(state(0));
    const cache = new SpillCache(failing, modelStateCodec, one * 2);
    for (let id = 0; id < 4; id++) await cache.add(id, state(id));
    const u = cache.usage();
    expect(u.resident).toEqual([0, 1, 2, 3]);
    expect(u.error).toBe('QuotaExceededError: the disk is full');
    expect(Buffer.compare(bytesOf(await cache.get(1)), bytesOf(state(1)))).toBe(0);
  });

  it('deleting a step drops its saved copy; a lower limit spills at once', async () => {
    const store = new MemoryBlobStore();
    const one = modelStateCodec.bytes(state(0));
    const cache = new SpillCache(store, modelStateCodec, one * 10);
    for (let id = 0; id < 4; id++) await cache.add(id, state(id));
    expect(cache.usage().spilled).toEqual([]);
    await cache.setLimit(one * 2);
    expect(cache.usage().spilled).toEqual([1, 2]);
    await cache.delete(1);
    expect(cache.has(1)).toBe(false);
    expect([...store.map.keys()]).toEqual(['2']);
    await expect(cache.get(1)).rejects.toThrow('history step 1 is not cached');
  });
});
