// Autosave: the loaded model's session written to IndexedDB (core/session/sessionStore.ts) after
// every step, in the worker, so the page never waits on it. Saves run one at a time; a request that
// arrives while one runs waits, and only the newest waiting one runs (each reads the history as it is
// then, so nothing is lost). A full disk is a message in the result, never a failure of the step.
import type { AutosaveResult, EvalResult, HistoryBudget, ModelSource, PageSessionState } from './api';
import type { LoadedModel } from './loadedModel';
import { openSessionStore, SessionStoreError, type SessionInfo, type SessionStore } from '../core/session/sessionStore';
import type { SessionSnapshot } from '../core/session/sessionFormat';
import { DEFAULT_HISTORY_BUDGET } from '../core/session/historyBudget';
import { packDataset } from './sessionDataset';

/** Opens the store, or null where there is no IndexedDB (then nothing is saved). */
export type SessionStoreFactory = () => Promise<SessionStore | null>;

export const browserSessionStore: SessionStoreFactory = async () => {
  if (typeof indexedDB === 'undefined') return null;
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  return openSessionStore(indexedDB, { estimate: storage?.estimate ? () => storage.estimate() : undefined });
};

/** What a saved session says about its model, besides the steps. */
export interface SessionMeta {
  format: 1;
  modelId: string;
  name: string;
  source: ModelSource;
  /** The original model on the whole held-out set. */
  baseline: EvalResult;
}

/** The loaded model's session as a snapshot (payloads shared: a snapshot never changes them). */
export function sessionSnapshotOf(loaded: LoadedModel, pageState: PageSessionState): SessionSnapshot | null {
  if (!loaded.session || !loaded.baseline) return null;
  const { currentId, steps } = loaded.session.snapshot();
  const meta: SessionMeta = { format: 1, modelId: loaded.id, name: loaded.name, source: loaded.source, baseline: loaded.baseline };
  return { meta, settings: pageState, currentId, steps, dataset: packDataset(loaded.data) };
}

export function historyBudget(loaded: LoadedModel | null): HistoryBudget {
  return { used: loaded?.session?.memoryBytes() ?? loaded?.graph?.memoryBytes() ?? 0, limit: DEFAULT_HISTORY_BUDGET };
}

const newSessionId = () => `s${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export class SessionAutosave {
  private opened: Promise<SessionStore | null> | null = null;
  private running: Promise<AutosaveResult> | null = null;
  private waiting: { work: () => Promise<AutosaveResult>; done: Promise<AutosaveResult>; settle(p: Promise<AutosaveResult>): void } | null = null;

  constructor(private readonly factory: SessionStoreFactory) {}

  /** The store; throws SessionStoreError where there is none. */
  async store(): Promise<SessionStore> {
    const store = await this.storeOrNull();
    if (!store) throw new SessionStoreError('Saved sessions need IndexedDB, which this browser does not offer here.');
    return store;
  }

  private storeOrNull(): Promise<SessionStore | null> {
    // A failed open (a private window without storage) is tried again next time.
    this.opened ??= this.factory().catch((e: unknown) => {
      this.opened = null;
      throw e;
    });
    return this.opened;
  }

  /** Saves `loaded`'s session with the page's state; nothing is saved for a model with no step yet. */
  autosave(loaded: LoadedModel | null, pageState: PageSessionState): Promise<AutosaveResult> {
    const budget = historyBudget(loaded);
    if (!loaded?.session || loaded.session.history().length < 2) return Promise.resolve({ saved: null, budget, ms: 0 });
    return this.schedule(async () => {
      const t0 = performance.now();
      const snapshot = sessionSnapshotOf(loaded, pageState);
      const store = await this.storeOrNull();
      if (!snapshot || !store) return { saved: null, budget, ms: 0 };
      loaded.saved ??= { id: newSessionId(), name: loaded.name };
      try {
        const saved = await store.save(snapshot, { id: loaded.saved.id, name: loaded.saved.name, model: loaded.name });
        return { saved, budget: historyBudget(loaded), ms: performance.now() - t0 };
      } catch (e) {
        if (e instanceof SessionStoreError) return { saved: null, budget, ms: performance.now() - t0, error: e.message };
        throw e;
      }
    });
  }

  /** Runs `work` now, or after the running save (replacing any other that waits). */
  private schedule(work: () => Promise<AutosaveResult>): Promise<AutosaveResult> {
    if (!this.running) {
      this.running = work().finally(() => {
        this.running = null;
        const next = this.waiting;
        this.waiting = null;
        if (next) next.settle(this.schedule(next.work));
      });
      return this.running;
    }
    if (!this.waiting) {
      let settle!: (p: Promise<AutosaveResult>) => void;
      const done = new Promise<AutosaveResult>((resolve) => (settle = resolve));
      this.waiting = { work, done, settle };
    }
    this.waiting.work = work;
    return this.waiting.done;
  }

  /** Resolves once every save asked for so far has finished. */
  async idle(): Promise<void> {
    while (this.running || this.waiting) await (this.waiting?.done ?? this.running)?.catch(() => {});
  }

  async load(id: string): Promise<{ info: SessionInfo; snapshot: SessionSnapshot }> {
    const store = await this.store();
    const info = (await store.list()).find((s) => s.id === id);
    const snapshot = await store.load(id);
    return { info: info!, snapshot };
  }
}
