import 'fake-indexeddb/auto'; // idb recognises IndexedDB objects by the global classes
import { IDBFactory, IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatBytes } from '../format/bytes';
import { mulberry32 } from '../data/seededRandom';
import type { ModelState } from '../model/modelState';
import { SpillCache, modelStateCodec } from './spillCache';
import { serializeSession, type SessionSnapshot } from './sessionFormat';
import { SessionStoreError, openSessionStore, storeMessages } from './sessionStore';

function state(seed: number, n = 4000): ModelState {
  const rnd = mulberry32(seed);
  const values = Float32Array.from({ length: n }, () => rnd() - 0.5);
  new Uint32Array(values.buffer)[3] = 0xffc0ffee; // a NaN with a payload
  return { topology: `{"seed":${seed}}`, weights: { 'd/kernel': { layerPath: 'd', weight: 'kernel', shape: [n], values } } };
}

function snapshot(steps: number): SessionSnapshot {
  const all: SessionSnapshot['steps'] = [];
  for (let id = 0; id < steps; id++) {
    const starting = id % 3 === 0;
    all.push({
      id,
      baseId: starting ? id : id - (id % 3),
      view: { id, label: `step ${id}`, metric: { value: id / 10 } },
      ...(starting
        ? { state: state(id) }
        : { masks: { 'd/kernel': { key: 'd/kernel', layerPath: 'd', weight: 'kernel', shape: [4000], keep: Uint8Array.from({ length: 4000 }, (_, i) => (i + id) % 2) } } }),
    });
  }
  return { meta: { model: 'fashion-cnn' }, settings: { sparsity: 0.5 }, currentId: steps - 1, steps: all };
}

let clock = 1_000;
const open = (factory = new IDBFactory(), estimate?: () => Promise<{ usage?: number; quota?: number }>) =>
  openSessionStore(factory, { now: () => clock++, estimate });

afterEach(() => vi.restoreAllMocks());

describe('session store (IndexedDB)', () => {
  it('saves, lists, loads bit for bit, renames and deletes', async () => {
    const store = await open();
    const snap = snapshot(5);
    const saved = await store.save(snap, { id: 's1', name: 'fashion-cnn 14:02', model: 'fashion-cnn' });
    expect(saved).toMatchObject({ id: 's1', name: 'fashion-cnn 14:02', model: 'fashion-cnn', steps: 5 });
    await store.save(snapshot(2), { id: 's2', name: 'other', model: 'mlp' });
    expect((await store.list()).map((s) => [s.id, s.steps])).toEqual([['s2', 2], ['s1', 5]]);
    const loaded = await store.load('s1');
    expect(Buffer.compare(serializeSession(loaded), serializeSession(snap))).toBe(0);
    expect(await store.rename('s1', 'before fine-tuning')).toMatchObject({ name: 'before fine-tuning' });
    expect((await store.list()).find((s) => s.id === 's1')!.name).toBe('before fine-tuning');
    await store.delete('s1');
    expect((await store.list()).map((s) => s.id)).toEqual(['s2']);
    await expect(store.load('s1')).rejects.toThrow(new SessionStoreError(storeMessages.missing('s1')));
    expect(storeMessages.missing('s1')).toBe('There is no saved session s1; it may have been deleted in another tab.');
    store.close();
  });

  it('survives closing and reopening the database', async () => {
    const factory = new IDBFactory();
    const a = await open(factory);
    await a.save(snapshot(4), { id: 'x', name: 'x', model: 'm' });
    a.close();
    const b = await open(factory);
    expect(Buffer.compare(serializeSession(await b.load('x')), serializeSession(snapshot(4)))).toBe(0);
    b.close();
  });

  it('writes each starting point once: a later save adds only the index and the new states', async () => {
    const store = await open();
    const put = vi.spyOn(FakeObjectStore.prototype, 'put');
    await store.save(snapshot(4), { id: 's', name: 's', model: 'm' }); // states 0 and 3
    const first = put.mock.calls.length;
    expect(first).toBe(4); // index, two states, the record
    put.mockClear();
    await store.save(snapshot(5), { id: 's', name: 's', model: 'm' });
    expect(put.mock.calls.length).toBe(2); // index, record
    put.mockClear();
    await store.save(snapshot(7), { id: 's', name: 's', model: 'm' });
    expect(put.mock.calls.length).toBe(3); // index, state 6, record
    expect(Buffer.compare(serializeSession(await store.load('s')), serializeSession(snapshot(7)))).toBe(0);
    // Fewer steps (a new model in the same session): the states no longer used are deleted.
    await store.save(snapshot(2), { id: 's', name: 's', model: 'm' });
    const info = (await store.list())[0];
    expect(await store.sizeOnDisk()).toBe(info.bytes);
    store.close();
  });

  it('counts the bytes on disk, spills included, and deletes spills with their session', async () => {
    const store = await open();
    const a = await store.save(snapshot(4), { id: 'a', name: 'a', model: 'm' });
    const b = await store.save(snapshot(1), { id: 'b', name: 'b', model: 'm' });
    expect(a.bytes).toBeGreaterThan(2 * 4000 * 4);
    expect(await store.sizeOnDisk()).toBe(a.bytes + b.bytes);
    const cache = new SpillCache(store.blobs('a/spill/'), modelStateCodec, modelStateCodec.bytes(state(0)));
    await cache.add(0, state(0));
    await cache.add(1, state(1));
    await cache.add(2, state(2));
    expect(cache.usage().spilled).toEqual([1]);
    expect(Buffer.compare(modelStateCodec.encode(await cache.get(1)), modelStateCodec.encode(state(1)))).toBe(0);
    expect(cache.usage().spilled).toEqual([2]); // 1 came back; 2 made room for it
    const spilled = modelStateCodec.encode(state(1)).length + modelStateCodec.encode(state(2)).length;
    expect(await store.sizeOnDisk()).toBe(a.bytes + b.bytes + spilled);
    await store.delete('a');
    expect(await store.sizeOnDisk()).toBe(b.bytes);
    store.close();
  });

  it('a full disk says how much is used and what to delete, and leaves the saved sessions as they were', async () => {
    const store = await open(new IDBFactory(), async () => ({ usage: 2_400_000_000, quota: 2_500_000_000 }));
    await store.save(snapshot(4), { id: 'big', name: 'fashion-cnn 09:15', model: 'fashion-cnn' });
    await store.save(snapshot(1), { id: 'small', name: 'mlp 10:00', model: 'mlp' });
    const before = await store.list();
    const real = FakeObjectStore.prototype.put;
    vi.spyOn(FakeObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (value instanceof Uint8Array && value.length > 10_000) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return real.call(this, value, key);
    });
    const error = await store.save(snapshot(7), { id: 'new', name: 'new', model: 'm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    const big = before.find((s) => s.id === 'big')!.bytes;
    const small = before.find((s) => s.id === 'small')!.bytes;
    expect((error as Error).message).toBe(
      `Not saved: this site's storage is full (2.24 GB used of 2.33 GB; saved sessions take ${formatBytes(big + small)}). ` +
      `Delete saved sessions you no longer need in the Sessions list (the largest: "fashion-cnn 09:15", ${formatBytes(big)}; "mlp 10:00", ${formatBytes(small)}). ` +
      'The studio keeps working in memory.');
    vi.restoreAllMocks();
    expect(await store.list()).toEqual(before);
    expect(await store.sizeOnDisk()).toBe(big + small);
    store.close();
  });
});
