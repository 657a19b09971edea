// Saved sessions in IndexedDB (through `idb`), for autosave, restore and the sessions list. The
// IDBFactory is passed in (the worker's `indexedDB`, fake-indexeddb in tests), so core stays DOM-free.
//
//   const store = await openSessionStore(indexedDB, { estimate: () => navigator.storage.estimate() });
//   await store.save(snapshot, { id, name, model })   // after every step; cheap: see below
//   await store.list()                                // newest first: name, model, steps, bytes on disk
//   await store.load(id)                              // the SessionSnapshot, bit for bit
//   await store.rename(id, 'before fine-tuning'); await store.delete(id); await store.sizeOnDisk()
//   store.blobs('spill/')                             // a BlobStore for spillCache.ts
//
// A session is one index blob (steps, masks as bitsets, channel plans, views, settings, dataset) and
// one blob per starting point's model state. States never change, so a save writes the index and
// only the states it has not written before. A full disk (QuotaExceededError) becomes a
// SessionStoreError saying how much is used and which sessions to delete; nothing half-written stays.
import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { formatBytes } from '../format/bytes';
import type { BlobStore } from './spillCache';
import { deserializeModelState, deserializeSession, serializeModelState, serializeSession, type SessionSnapshot } from './sessionFormat';

export const SESSION_DB = 'secateur-sessions';
const DB_VERSION = 1;

export interface SessionInfo {
  id: string;
  name: string;
  /** The model's name (what was loaded). */
  model: string;
  /** History steps, the original included. */
  steps: number;
  /** ms since the epoch. */
  savedAt: number;
  /** Bytes the session takes in the store. */
  bytes: number;
}

interface SessionRecord extends SessionInfo {
  /** Blob keys of this session, with their sizes. */
  parts: { key: string; bytes: number }[];
}

interface Schema extends DBSchema {
  sessions: { key: string; value: SessionRecord };
  blobs: { key: string; value: Uint8Array };
}

/** A save or read that failed; `message` is what the user sees, verbatim. */
export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
}

export interface StoreOptions {
  /** What the browser says about this site's storage (navigator.storage.estimate). */
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  /** The clock for savedAt. */
  now?: () => number;
  name?: string;
}

export const storeMessages = {
  full: (used: string, largest: { name: string; bytes: number }[]) =>
    `Not saved: this site's storage is full (${used}). ` +
    (largest.length > 0
      ? `Delete saved sessions you no longer need in the Sessions list (the largest: ${largest.map((s) => `"${s.name}", ${formatBytes(s.bytes)}`).join('; ')}). `
      : 'Free some disk space, or allow this site more storage. ') +
    'The studio keeps working in memory.',
  missing: (id: string) => `There is no saved session ${id}; it may have been deleted in another tab.`,
  partMissing: (name: string) => `The saved session "${name}" is missing part of its data; it cannot be restored. Delete it from the Sessions list.`,
};

const stateKey = (id: string, step: number) => `${id}/state/${step}`;
const indexKey = (id: string) => `${id}/index`;
/** The dataset's blob, named by its content (FNV-1a and length): written once, replaced when the user loads other data. */
const datasetKey = (id: string, bytes: Uint8Array) => `${id}/data/${contentId(bytes)}`;
/** A dataset's bytes never change once packed: each is hashed once. */
const contentIds = new WeakMap<Uint8Array, string>();
function contentId(bytes: Uint8Array): string {
  let id = contentIds.get(bytes);
  if (!id) contentIds.set(bytes, (id = `${fnv1a(bytes).toString(16)}-${bytes.length}`));
  return id;
}
/** Where the index's dataset entry says its bytes are (they are not in the index). */
const DATASET_BLOB = 'storedAs';

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || (e instanceof Error && /quota/i.test(e.message));
}

function info(r: SessionRecord): SessionInfo {
  return { id: r.id, name: r.name, model: r.model, steps: r.steps, savedAt: r.savedAt, bytes: r.bytes };
}

/** Opens (creating when needed) the sessions database. */
export async function openSessionStore(factory: IDBFactory, options: StoreOptions = {}): Promise<SessionStore> {
  const request = factory.open(options.name ?? SESSION_DB, DB_VERSION);
  request.addEventListener('upgradeneeded', () => {
    const db = request.result;
    if (!db.objectStoreNames.contains('sessions')) db.createObjectStore('sessions', { keyPath: 'id' });
    if (!db.objectStoreNames.contains('blobs')) db.createObjectStore('blobs');
  });
  const db = (await wrap(request)) as unknown as IDBPDatabase<Schema>;
  return new SessionStore(db, options);
}

export class SessionStore {
  constructor(private readonly db: IDBPDatabase<Schema>, private readonly options: StoreOptions) {}

  close(): void {
    this.db.close();
  }

  /** Every saved session, newest first. */
  async list(): Promise<SessionInfo[]> {
    const all = await this.db.getAll('sessions');
    return all.map(info).sort((a, b) => b.savedAt - a.savedAt || (a.id < b.id ? -1 : 1));
  }

  /** Saves (or updates) session `id`. Throws SessionStoreError when the disk is full. */
  async save(snapshot: SessionSnapshot, meta: { id: string; name: string; model: string }): Promise<SessionInfo> {
    const previous = await this.db.get('sessions', meta.id);
    const written = new Map((previous?.parts ?? []).map((p) => [p.key, p.bytes]));
    // The dataset goes in a blob of its own, written only when it changed: the index is written every step.
    const dataset = snapshot.dataset ?? null;
    const dataKey = dataset ? datasetKey(meta.id, dataset.bytes) : null;
    const index = serializeSession({
      ...snapshot,
      dataset: dataset ? { meta: { ...(dataset.meta as object), [DATASET_BLOB]: dataKey }, bytes: new Uint8Array(0) } : null,
    }, { omitStates: true });
    const newStates: { key: string; bytes: Uint8Array }[] = [];
    const parts = [{ key: indexKey(meta.id), bytes: index.length }];
    if (dataset && dataKey) {
      parts.push({ key: dataKey, bytes: dataset.bytes.length });
      if (!written.has(dataKey)) newStates.push({ key: dataKey, bytes: dataset.bytes });
    }
    for (const step of snapshot.steps) {
      if (!step.state) {
        if (step.stateless && written.has(stateKey(meta.id, step.id))) parts.push({ key: stateKey(meta.id, step.id), bytes: written.get(stateKey(meta.id, step.id)) as number });
        continue;
      }
      const key = stateKey(meta.id, step.id);
      if (written.has(key)) parts.push({ key, bytes: written.get(key) as number });
      else {
        const bytes = serializeModelState(step.state);
        newStates.push({ key, bytes });
        parts.push({ key, bytes: bytes.length });
      }
    }
    const kept = new Set(parts.map((p) => p.key));
    const record: SessionRecord = {
      ...meta,
      steps: snapshot.steps.length,
      savedAt: (this.options.now ?? Date.now)(),
      bytes: parts.reduce((n, p) => n + p.bytes, 0),
      parts,
    };
    // One transaction: all of it is written, or (aborted) none of it.
    const tx = this.db.transaction(['sessions', 'blobs'], 'readwrite');
    const writes: Promise<unknown>[] = [];
    try {
      const blobs = tx.objectStore('blobs');
      writes.push(blobs.put(index, indexKey(meta.id)));
      for (const s of newStates) writes.push(blobs.put(s.bytes, s.key));
      for (const key of written.keys()) if (!kept.has(key)) writes.push(blobs.delete(key));
      writes.push(tx.objectStore('sessions').put(record));
      await Promise.all([...writes, tx.done]);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // aborted already (a quota error aborts the transaction itself)
      }
      await Promise.allSettled([...writes, tx.done]);
      if (isQuotaError(e)) throw new SessionStoreError(await this.fullMessage(meta.id));
      throw e;
    }
    return info(record);
  }

  private async fullMessage(savingId: string): Promise<string> {
    const sessions = await this.list();
    const onDisk = sessions.reduce((n, s) => n + s.bytes, 0);
    let used = `${formatBytes(onDisk)} used by ${sessions.length} saved session${sessions.length === 1 ? '' : 's'}`;
    try {
      const e = await this.options.estimate?.();
      if (e?.usage !== undefined && e.quota !== undefined) used = `${formatBytes(e.usage)} used of ${formatBytes(e.quota)}; saved sessions take ${formatBytes(onDisk)}`;
    } catch {
      // no estimate: the sessions' own sizes say enough
    }
    const largest = sessions.filter((s) => s.id !== savingId).sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    return storeMessages.full(used, largest);
  }

  /** The saved session, starting points' states included. Throws SessionStoreError or ContainerError. */
  async load(id: string): Promise<SessionSnapshot> {
    const record = await this.db.get('sessions', id);
    if (!record) throw new SessionStoreError(storeMessages.missing(id));
    const tx = this.db.transaction('blobs');
    const [index, ...states] = await Promise.all(record.parts.map((p) => tx.store.get(p.key)));
    if (!index || states.some((s) => !s)) throw new SessionStoreError(storeMessages.partMissing(record.name));
    const byKey = new Map(record.parts.slice(1).map((p, k) => [p.key, states[k] as Uint8Array]));
    const snapshot = deserializeSession(index);
    let dataset = snapshot.dataset ?? null;
    if (dataset) {
      const { [DATASET_BLOB]: key, ...datasetMeta } = dataset.meta as Record<string, unknown>;
      const bytes = typeof key === 'string' ? byKey.get(key) : dataset.bytes;
      if (!bytes) throw new SessionStoreError(storeMessages.partMissing(record.name));
      dataset = { meta: datasetMeta as typeof dataset.meta, bytes };
    }
    return {
      ...snapshot,
      dataset,
      steps: snapshot.steps.map((step) => {
        if (!step.stateless) return step;
        const bytes = byKey.get(stateKey(id, step.id));
        if (!bytes) throw new SessionStoreError(storeMessages.partMissing(record.name));
        const { stateless: _, ...rest } = step;
        return { ...rest, state: deserializeModelState(bytes) };
      }),
    };
  }

  async rename(id: string, name: string): Promise<SessionInfo> {
    const tx = this.db.transaction('sessions', 'readwrite');
    const record = await tx.store.get(id);
    if (!record) throw new SessionStoreError(storeMessages.missing(id));
    record.name = name;
    await Promise.all([tx.store.put(record), tx.done]);
    return info(record);
  }

  /** Deletes the session and every blob under its id (its spills too). */
  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(['sessions', 'blobs'], 'readwrite');
    const blobs = tx.objectStore('blobs');
    const keys = (await blobs.getAllKeys()).filter((k) => k.startsWith(`${id}/`));
    await Promise.all([tx.objectStore('sessions').delete(id), ...keys.map((k) => blobs.delete(k)), tx.done]);
  }

  /** Bytes all saved sessions take, and every other blob (spills). */
  async sizeOnDisk(): Promise<number> {
    const sessions = await this.db.getAll('sessions');
    const listed = new Set(sessions.flatMap((s) => s.parts.map((p) => p.key)));
    let other = 0;
    let cursor = await this.db.transaction('blobs').store.openCursor();
    while (cursor) {
      if (!listed.has(cursor.key)) other += cursor.value.byteLength;
      cursor = await cursor.continue();
    }
    return sessions.reduce((n, s) => n + s.bytes, 0) + other;
  }

  /** Blobs under `prefix` (e.g. `${sessionId}/spill/`), for a SpillCache; deleted with the session. */
  blobs(prefix: string): BlobStore {
    const db = this.db;
    return {
      async put(key, bytes) {
        try {
          await db.put('blobs', bytes, prefix + key);
        } catch (e) {
          if (isQuotaError(e)) throw new SessionStoreError(storeMessages.full('the disk is full', []));
          throw e;
        }
      },
      get: async (key) => db.get('blobs', prefix + key),
      delete: async (key) => db.delete('blobs', prefix + key),
    };
  }
}
