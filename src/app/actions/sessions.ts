// Saved sessions on the page's side: autosave after every change of what is on screen (the engine
// writes in the worker; the page never waits), the restore offer at start, and the sessions list
// (open, rename, delete). A session carries the page's state too: sliders, undo/redo, fine-tune curves.
import type { PageSessionState, RestoredSession } from '../../engine/api';
import { DEFAULT_CONTROLS, type PruneControls, type StudioState } from '../store';
import { messageOf, reportError, type ActionContext } from './actionContext';
import type { PrunePump } from './prunePump';

/** What of the page a session keeps. */
export interface SavedPageState {
  controls: PruneControls;
  undo: number[];
  redo: number[];
  training: StudioState['training'];
}

export const pageStateOf = (s: StudioState): SavedPageState => ({ controls: s.controls, undo: s.undo, redo: s.redo, training: s.training });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The store as a restored session left it: the saved page state, checked against the restored history. */
export function restoredOnScreen(r: RestoredSession): Partial<StudioState> {
  const saved = isObject(r.pageState) ? r.pageState : {};
  const ids = new Set(r.history.map((p) => p.id));
  const stack = (v: unknown) => (Array.isArray(v) ? v.filter((id): id is number => typeof id === 'number' && ids.has(id)) : []);
  const controls = isObject(saved.controls) ? { ...DEFAULT_CONTROLS, ...(saved.controls as Partial<PruneControls>) } : DEFAULT_CONTROLS;
  const point = r.history.find((p) => p.id === r.currentId)!;
  return {
    summary: r.summary, modelId: r.summary.id, baseline: r.baseline, current: point.metric,
    history: r.history, currentPointId: r.currentId, undo: stack(saved.undo), redo: stack(saved.redo), controls,
    training: isObject(saved.training) ? (saved.training as StudioState['training']) : null,
    error: r.notice ?? null, sizes: null, compare: null, scan: null, plan: null, restoreOffer: null, budget: r.budget,
    data: r.data ?? null,
  };
}

export interface SessionActions {
  /** Saves now (the engine coalesces saves asked for while one runs). */
  autosave(): Promise<void>;
  /** Starts saving after every change of what is on screen; returns the way to stop. */
  watch(subscribe: (listener: (s: StudioState, prev: StudioState) => void) => () => void): () => void;
  refreshSessions(): Promise<void>;
  /** At start: offers the newest saved session. */
  offerRestore(): Promise<void>;
  openSession(id: string): Promise<boolean>;
  dismissRestore(): void;
  renameSession(id: string, name: string): Promise<void>;
  deleteSession(id: string): Promise<void>;
}

/** The fields whose change is a new state worth saving. */
const changed = (s: StudioState, p: StudioState) =>
  s.history !== p.history || s.currentPointId !== p.currentPointId || s.undo !== p.undo || s.redo !== p.redo || s.controls !== p.controls ||
  s.training?.outcome !== p.training?.outcome;

export function sessionActions({ bridge, store }: ActionContext, pump: Pick<PrunePump, 'cancelPending'>, delayMs = 150): SessionActions {
  let quietUntilShown = false;

  async function refreshSessions() {
    try {
      store.set({ sessions: await bridge.engine.listSessions() });
    } catch {
      // No IndexedDB here (a private window): no list; autosave says so when it runs.
    }
  }

  async function autosave() {
    const s = store.get();
    if (s.fatal || !s.summary || quietUntilShown) return;
    store.set((x) => ({ autosave: x.autosave ? { ...x.autosave, state: 'saving' } : { state: 'saving', steps: 0, savedAt: null, ms: 0 } }));
    try {
      const r = await bridge.engine.autosave(pageStateOf(s) as PageSessionState);
      store.set((x) => ({
        budget: r.budget,
        autosave: r.error
          ? { state: 'error', steps: x.autosave?.steps ?? 0, savedAt: x.autosave?.savedAt ?? null, ms: r.ms }
          : { state: 'saved', steps: r.saved?.steps ?? 0, savedAt: r.saved?.savedAt ?? null, ms: r.ms },
        ...(r.error ? { error: r.error } : {}),
      }));
      if (r.saved) await refreshSessions();
    } catch (e) {
      store.set((x) => ({ autosave: { state: 'error', steps: x.autosave?.steps ?? 0, savedAt: x.autosave?.savedAt ?? null, ms: 0 }, error: `Not saved: ${messageOf(e)}` }));
    }
  }

  function watch(subscribe: (listener: (s: StudioState, prev: StudioState) => void) => () => void) {
    let timer: ReturnType<typeof setTimeout> | null = null;
    return subscribe((s, prev) => {
      if (!changed(s, prev)) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void autosave(), delayMs);
    });
  }

  async function offerRestore() {
    await refreshSessions();
    const newest = store.get().sessions?.sessions[0] ?? null;
    if (newest && newest.id !== store.get().sessions?.current) store.set({ restoreOffer: newest });
  }

  async function openSession(id: string) {
    store.set({ error: null });
    pump.cancelPending();
    quietUntilShown = true;
    try {
      const r = await bridge.run((engine, jobId, onProgress) => engine.openSession(jobId, id, onProgress)).result;
      store.set(restoredOnScreen(r));
      return true;
    } catch (e) {
      reportError(store, e);
      return false;
    } finally {
      quietUntilShown = false;
      void refreshSessions();
    }
  }

  async function renameSession(id: string, name: string) {
    try {
      await bridge.engine.renameSession(id, name);
    } catch (e) {
      reportError(store, e);
    }
    await refreshSessions();
  }

  async function deleteSession(id: string) {
    try {
      await bridge.engine.deleteSession(id);
      store.set((s) => (s.restoreOffer?.id === id ? { restoreOffer: null } : {}));
    } catch (e) {
      reportError(store, e);
    }
    await refreshSessions();
  }

  return { autosave, watch, refreshSessions, offerRestore, openSession, dismissRestore: () => store.set({ restoreOffer: null }), renameSession, deleteSession };
}
