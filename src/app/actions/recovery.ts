// After the engine worker died (the bridge has started a new, bare one): start its backend again,
// the same one first, the next in BACKEND_ORDER when that one has already crashed once (or fails to
// start); reopen the last saved session (the demo model when nothing was saved yet), and say what
// happened, naming the job that was interrupted.
import { BACKEND_ORDER, type BackendName, type BackendRequest } from '../../engine/api';
import { messageOf, type ActionContext } from './actionContext';

export interface RecoveryDeps {
  openSession(id: string): Promise<boolean>;
  switchDemoModel(id: string): Promise<void>;
  /** What ?backend= asked for at start, and whether test hooks are on. */
  start: { backend: BackendRequest | null; testHooks: boolean };
}

/** More crashes than this in one tab and the studio stops trying. */
const MAX_RECOVERIES = 5;

const backendLabel = (b: BackendName) => ({ webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' })[b];

/** The backends to try after `crashed` failed: itself first unless it has failed before, then the ones after it. */
export function backendsToTry(crashed: BackendName | null, history: readonly BackendName[]): BackendName[] {
  if (!crashed) return [];
  const after = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(crashed) + 1);
  const again = history.filter((b) => b === crashed).length >= 2;
  return again ? [...after] : [crashed, ...after];
}

export function recovery({ bridge, store }: ActionContext, deps: RecoveryDeps) {
  const crashes: BackendName[] = [];
  let recovering = false;

  async function startBackend(candidates: BackendName[]) {
    const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
    let last: unknown = null;
    for (const backend of candidates.length > 0 ? candidates : [null]) {
      try {
        return await bridge.run((engine) => engine.init({ baseUrl, backend: backend ?? deps.start.backend, testHooks: deps.start.testHooks })).result;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  return async function onWorkerCrash(reason: string, interrupted: string | null): Promise<void> {
    const t0 = performance.now();
    const before = store.get();
    const crashed = before.backend?.active ?? null;
    if (crashed) crashes.push(crashed);
    if (crashes.length > MAX_RECOVERIES || recovering) {
      store.set({ fatal: true, status: 'error', error: `The engine stopped again (${reason}); reload the page. Your last saved step is in the Sessions list.` });
      return;
    }
    recovering = true;
    const savedId = before.sessions?.current ?? null;
    try {
      const tried = backendsToTry(crashed, crashes);
      const report = await startBackend(tried);
      store.set({ backend: report });
      const catalog = await bridge.run((engine) => engine.demoCatalog()).result;
      store.set({ catalog });
      const restored = savedId ? await deps.openSession(savedId) : false;
      if (!restored) {
        const demo = catalog.models.find((m) => m.id === before.modelId) ?? catalog.models[0];
        store.set({ modelId: null });
        await deps.switchDemoModel(demo.id);
      }
      const s = store.get();
      const index = s.history.findIndex((p) => p.id === s.currentPointId);
      const step = index < 0 ? null : index;
      const fellBack = crashed && report.active !== crashed ? ` on ${backendLabel(report.active)} (${backendLabel(crashed)} failed twice)` : ` on ${backendLabel(report.active)}`;
      const where = restored
        ? `the session was restored at ${step === 0 ? 'the original model' : `step ${step}`} of ${s.history.length - 1}`
        : `nothing had been saved yet, so the demo model was opened again`;
      const lost = interrupted ? ` The job that was running (at "${interrupted}") was interrupted: start it again.` : '';
      store.set({
        recovery: { note: `The engine stopped (${reason}). It was restarted${fellBack}, and ${where}.${lost}`, reason, backend: report.active, step, interrupted, ms: performance.now() - t0 },
      });
    } catch (e) {
      store.set({ fatal: true, status: 'error', error: `The engine stopped (${reason}) and could not be started again: ${messageOf(e)}` });
    } finally {
      recovering = false;
    }
  };
}
