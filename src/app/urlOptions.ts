// Options a user (or a test) can put in the page URL.
import { BACKEND_ORDER, type BackendRequest } from '../engine/api';

const REQUESTS: readonly BackendRequest[] = [...BACKEND_ORDER, 'fastest'];

/**
 * `?backend=webgpu|webgl|wasm|cpu` forces that backend; `?backend=fastest` measures every backend
 * even with a hardware GPU; no value chooses automatically. Anything else is an error the page shows,
 * never silently ignored.
 */
export function backendRequestFrom(search: string): { request: BackendRequest | null } | { error: string } {
  const v = new URLSearchParams(search).get('backend');
  if (v === null || v.trim() === '') return { request: null };
  const request = REQUESTS.find((b) => b === v.trim().toLowerCase());
  if (request) return { request };
  return { error: `?backend=${v} is not a backend the studio knows. Use webgpu, webgl, wasm or cpu to force one, fastest to measure them all, or leave it out to let the studio choose.` };
}

/** `?model=<url of a model.json>` opens that model (its shards are read relative to it). */
export function modelUrlFrom(search: string): string | null {
  const v = new URLSearchParams(search).get('model');
  return v && v.trim() ? v.trim() : null;
}
