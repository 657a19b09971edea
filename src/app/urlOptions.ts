// Options a user (or a test) can put in the page URL.
import { BACKEND_ORDER, type BackendName } from '../engine/api';

/** `?backend=webgpu|webgl|cpu` forces that backend; anything else means "choose automatically". */
export function forcedBackendFrom(search: string): BackendName | null {
  const v = new URLSearchParams(search).get('backend');
  return BACKEND_ORDER.find((b) => b === v) ?? null;
}

/** `?model=<url of a model.json>` opens that model (its shards are read relative to it). */
export function modelUrlFrom(search: string): string | null {
  const v = new URLSearchParams(search).get('model');
  return v && v.trim() ? v.trim() : null;
}
