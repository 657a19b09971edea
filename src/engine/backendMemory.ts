// The measured backend choice, remembered per device: measuring costs seconds of start-up on a
// machine whose GPUs are software (their shaders compile on the CPU), and the answer only changes
// with the browser or the GPU. Kept in IndexedDB (workers have no localStorage) under a fingerprint
// of both; a different fingerprint, or a remembered backend that no longer starts, measures again.
import { openDB, type IDBPDatabase } from 'idb';
import type { BackendName } from './api';
import type { GpuLike } from './webgpuTypes';

export interface RememberedChoice {
  fingerprint: string;
  active: BackendName;
  /** The measured sentence, as the badge showed it then. */
  why: string;
  /** When it was measured (ms since the epoch). */
  at: number;
}

export interface ChoiceMemory {
  /** The choice measured on this device, or null (none, another device, or storage unavailable). */
  recall(): Promise<RememberedChoice | null>;
  remember(active: BackendName, why: string): Promise<void>;
  forget(): Promise<void>;
}

/** What the choice depends on: the browser build, the cores, and the WebGPU adapter when there is one. */
export async function deviceFingerprint(): Promise<string> {
  const nav = (typeof navigator === 'undefined' ? {} : navigator) as { userAgent?: string; hardwareConcurrency?: number; gpu?: GpuLike };
  let adapter = 'no-webgpu';
  try {
    const a = nav.gpu ? await Promise.race([nav.gpu.requestAdapter(), new Promise<null>((r) => setTimeout(() => r(null), 2000))]) : null;
    if (a?.info) adapter = [a.info.vendor, a.info.architecture, a.info.description, a.info.isFallbackAdapter ? 'fallback' : ''].join('/');
  } catch {
    adapter = 'webgpu-error';
  }
  return `${nav.userAgent ?? 'unknown'}|${nav.hardwareConcurrency ?? 0}|${adapter}`;
}

const DB = 'secateur-backend-choice';
const STORE = 'choice';
const KEY = 'measured';

/** The IndexedDB memory; every storage failure reads as "nothing remembered" and never blocks start-up. */
export function indexedDbChoiceMemory(fingerprint: () => Promise<string> = deviceFingerprint, now: () => number = Date.now): ChoiceMemory {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () => (db ??= openDB(DB, 1, { upgrade: (d) => { d.createObjectStore(STORE); } }));
  let print: Promise<string> | null = null;
  const fp = () => (print ??= fingerprint());
  return {
    async recall() {
      try {
        if (typeof indexedDB === 'undefined') return null;
        const [d, f] = await Promise.all([open(), fp()]);
        const r = (await d.get(STORE, KEY)) as RememberedChoice | undefined;
        return r && r.fingerprint === f ? r : null;
      } catch {
        return null;
      }
    },
    async remember(active, why) {
      try {
        if (typeof indexedDB === 'undefined') return;
        const [d, f] = await Promise.all([open(), fp()]);
        await d.put(STORE, { fingerprint: f, active, why, at: now() } satisfies RememberedChoice, KEY);
      } catch {
        // Not remembering only costs the next start-up a measurement.
      }
    },
    async forget() {
      try {
        if (typeof indexedDB !== 'undefined') await (await open()).delete(STORE, KEY);
      } catch {
        // as above
      }
    },
  };
}
