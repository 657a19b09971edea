// History payloads (starting points' model states, prune steps' masks) kept within a memory budget:
// the oldest spill to a blob store (IndexedDB in the studio, a Map in tests) and come back, bit for
// bit, when a step needs them. What a restored step holds never depends on whether it was spilled.
//
//   const states = new SpillCache(store, modelStateCodec, budgetBytes);
//   await states.add(id, state);          // resident; older ones spill if the budget is passed
//   await states.pin([currentBaseId]);    // never spilled (the first id added is always pinned)
//   const s = await states.get(id);       // from memory, or read back (then resident again)
//   states.usage()                        // { used, limit, resident, spilled, error }
//
// Values are shared, not copied: treat them as immutable (history snapshots are). A value read back
// keeps its stored copy, so spilling it again costs no write. A store that fails (quota) leaves the
// value in memory, over budget, and says so in usage().error: the studio keeps working in memory.
import { deserializeMasks, deserializeModelState, modelStateSize, serializeMasks, serializeModelState } from './sessionFormat';
import type { ModelState } from '../model/modelState';
import type { MaskSet } from '../prune/masks';
import { DEFAULT_HISTORY_BUDGET, planSpills } from './historyBudget';

/** Bytes by key: the part of IndexedDB the cache needs. */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
}

/** A BlobStore in memory; copies on put and get, as IndexedDB's structured clone does. */
export class MemoryBlobStore implements BlobStore {
  readonly map = new Map<string, Uint8Array>();
  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.map.set(key, bytes.slice());
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key)?.slice();
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
}

export interface SpillCodec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /** Bytes the value takes in memory. */
  bytes(value: T): number;
}

export const modelStateCodec: SpillCodec<ModelState> = {
  encode: serializeModelState,
  decode: deserializeModelState,
  bytes: modelStateSize,
};

/** Masks in memory take a byte per weight; spilled, a bit. */
export const maskSetCodec: SpillCodec<MaskSet> = {
  encode: serializeMasks,
  decode: deserializeMasks,
  bytes: (masks) => Object.values(masks).reduce((n, m) => n + m.keep.byteLength + 64, 0),
};

export interface CacheUsage {
  /** Resident bytes. */
  used: number;
  limit: number;
  resident: number[];
  spilled: number[];
  /** Why the last spill failed (a full disk), or null. */
  error: string | null;
}

interface Slot<T> {
  id: number;
  bytes: number;
  value: T | null;
  stored: boolean;
}

export class SpillCache<T> {
  private readonly slots = new Map<number, Slot<T>>();
  private pinned: number[] = [];
  private error: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** `prefix` keeps the keys of several caches (sessions, kinds of payload) apart in one store. */
  constructor(
    private readonly store: BlobStore,
    private readonly codec: SpillCodec<T>,
    private limit = DEFAULT_HISTORY_BUDGET,
    private readonly prefix = '',
  ) {}

  /** One operation at a time: a get never sees a half-spilled slot. */
  private run<R>(fn: () => Promise<R>): Promise<R> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private key(id: number): string {
    return `${this.prefix}${id}`;
  }

  private async enforce(extraPin: number[] = []): Promise<void> {
    const order = [...this.slots.values()];
    const pins = [...this.pinned, ...extraPin, ...(order.length > 0 ? [order[0].id] : [])];
    const plan = planSpills(order.map((s) => ({ id: s.id, bytes: s.bytes, resident: s.value !== null })), this.limit, pins);
    for (const id of plan.spill) {
      const slot = this.slots.get(id) as Slot<T>;
      if (!slot.stored) {
        try {
          await this.store.put(this.key(id), this.codec.encode(slot.value as T));
        } catch (e) {
          this.error = e instanceof Error ? e.message : String(e);
          return; // stays resident: over budget, but nothing is lost
        }
        slot.stored = true;
      }
      slot.value = null;
    }
    this.error = null;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  /** Adds a value (ids in history order: the first one added is the original, always kept). */
  add(id: number, value: T): Promise<void> {
    return this.run(async () => {
      if (this.slots.has(id)) throw new Error(`history step ${id} is cached already`);
      this.slots.set(id, { id, bytes: this.codec.bytes(value), value, stored: false });
      await this.enforce([id]);
    });
  }

  /** The value, read back from the store when it was spilled. */
  get(id: number): Promise<T> {
    return this.run(async () => {
      const slot = this.slots.get(id);
      if (!slot) throw new Error(`history step ${id} is not cached`);
      if (slot.value === null) {
        const bytes = await this.store.get(this.key(id));
        if (!bytes) throw new Error(`history step ${id} was spilled but its saved copy is gone`);
        slot.value = this.codec.decode(bytes);
        await this.enforce([id]);
      }
      return slot.value as T;
    });
  }

  /** Ids that must stay in memory (the current step and its starting point), besides the original. */
  pin(ids: number[]): Promise<void> {
    return this.run(async () => {
      this.pinned = [...ids];
      await this.enforce();
    });
  }

  setLimit(bytes: number): Promise<void> {
    return this.run(async () => {
      this.limit = bytes;
      await this.enforce();
    });
  }

  delete(id: number): Promise<void> {
    return this.run(async () => {
      const slot = this.slots.get(id);
      if (!slot) return;
      this.slots.delete(id);
      if (slot.stored) await this.store.delete(this.key(id));
    });
  }

  usage(): CacheUsage {
    const slots = [...this.slots.values()];
    return {
      used: slots.reduce((n, s) => n + (s.value !== null ? s.bytes : 0), 0),
      limit: this.limit,
      resident: slots.filter((s) => s.value !== null).map((s) => s.id),
      spilled: slots.filter((s) => s.value === null).map((s) => s.id),
      error: this.error,
    };
  }
}
