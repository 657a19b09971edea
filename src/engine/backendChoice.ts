// Picks the first backend that both initialises and computes the right numbers. Pure logic: the
// candidates (real tfjs ones live in backends.ts) are injected, so the fallback order is unit-tested.
import type { BackendAttempt, BackendName, BackendReport } from './api';

export interface BackendCandidate {
  name: BackendName;
  /**
   * Makes this backend the active one and proves it works: initialise, then run a smoke
   * computation. Resolves with the device description, or throws an Error saying why not.
   */
  activate(): Promise<{ device?: string; software?: boolean }>;
}

export class NoBackendError extends Error {
  constructor(public readonly attempts: BackendAttempt[]) {
    super(`No TensorFlow.js backend works in this browser: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`);
    this.name = 'NoBackendError';
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Tries candidates in order and keeps the first that passes. With `forced`, only that one is tried,
 * and the others are reported as skipped because of the override.
 */
export async function chooseBackend(
  candidates: BackendCandidate[],
  forced?: BackendName | null,
  now: () => number = () => performance.now(),
): Promise<BackendReport> {
  const attempts: BackendAttempt[] = [];
  for (const c of candidates) {
    if (forced && c.name !== forced) {
      attempts.push({ name: c.name, ok: false, reason: `not tried: ?backend=${forced} forces ${forced}`, ms: 0 });
      continue;
    }
    const t0 = now();
    try {
      const { device, software } = await c.activate();
      attempts.push({ name: c.name, ok: true, device, software: !!software, ms: now() - t0 });
      // Report the rest as not needed, so the badge can say why each other backend is not in use.
      for (const rest of candidates.slice(candidates.indexOf(c) + 1)) {
        if (!attempts.some((a) => a.name === rest.name)) {
          attempts.push({ name: rest.name, ok: false, reason: forced ? `not tried: ?backend=${forced} forces ${forced}` : `not needed: ${c.name} works and comes first`, ms: 0 });
        }
      }
      return { active: c.name, software: !!software, device, forced: forced ?? undefined, attempts };
    } catch (e) {
      attempts.push({ name: c.name, ok: false, reason: messageOf(e), ms: now() - t0 });
    }
  }
  throw new NoBackendError(attempts.filter((a) => !a.reason?.startsWith('not tried')));
}
