// Getting a model on screen: starting the engine with the first demo, switching demos, and opening
// the user's files or a model URL. A new model starts every per-model state over.
import * as Comlink from 'comlink';
import type { BackendRequest, BaselineResult, ImportOptions, ModelFile } from '../../engine/api';
import { DEFAULT_CONTROLS, type StudioState } from '../store';
import { messageOf, reportError, type ActionContext } from './actionContext';
import type { PrunePump } from './prunePump';

export interface ModelLoading {
  /** Picks a backend, reads the demo catalog and opens the first demo model (then `modelUrl`, when given). */
  startStudio(forcedBackend: BackendRequest | null, modelUrl?: string | null, options?: { testHooks?: boolean }): Promise<void>;
  switchDemoModel(id: string): Promise<void>;
  /**
   * Opens the user's model files. The engine swaps the model only when everything worked: a failure
   * shows its message and leaves the current model, its history and the sliders exactly as they were.
   * With a passphrase (an encrypted drop) the bytes are copied, not transferred, so a retry can
   * reuse them. Resolves to whether the model was opened.
   */
  importModelFiles(files: ModelFile[], options?: ImportOptions): Promise<boolean>;
  /** `?model=<url of a model.json>`: the same, fetched from that URL (shards relative to it). */
  importModelUrl(url: string): Promise<void>;
}

/** A fresh model (or the same model on other data) on screen: its summary and original point; every per-model state starts over. */
export function freshModelState(modelId: string, { baseline, point, summary }: BaselineResult): Partial<StudioState> {
  return {
    summary, modelId, baseline, current: point.metric, history: [point], currentPointId: point.id, undo: [], redo: [],
    controls: DEFAULT_CONTROLS, training: null, error: null, sizes: null, compare: null, scan: null, plan: null, data: null, damage: null,
  };
}

export function modelLoading({ bridge, store }: ActionContext, pump: Pick<PrunePump, 'cancelPending'>): ModelLoading {
  const showNewModel = (modelId: string, result: BaselineResult) => store.set(freshModelState(modelId, result));

  async function loadAndEvaluate(id: string) {
    const summary = await bridge.run((engine, jobId, onProgress) => engine.loadDemoModel(jobId, id, onProgress)).result;
    store.set({ summary, modelId: id, current: null, baseline: null, history: [], currentPointId: null, undo: [], redo: [], controls: DEFAULT_CONTROLS, training: null });
    showNewModel(id, await bridge.run((engine, jobId, onProgress) => engine.evaluateBaseline(jobId, onProgress)).result);
  }

  /** Runs an import; only its success replaces what is on screen. */
  async function open(load: () => Promise<BaselineResult>): Promise<boolean> {
    store.set({ error: null });
    pump.cancelPending();
    try {
      const result = await load();
      showNewModel(result.summary.id, result);
      return true;
    } catch (e) {
      reportError(store, e);
      return false;
    }
  }

  async function importModelFiles(files: ModelFile[], options?: ImportOptions) {
    if (store.get().fatal) return false;
    const sent = options?.passphrase !== undefined ? files : Comlink.transfer(files, files.map((f) => f.bytes.buffer as ArrayBuffer));
    return open(() => bridge.run((engine, jobId, onProgress) => engine.importModel(jobId, sent, onProgress, options)).result);
  }

  /** True for a URL on another origin than the studio's (a relative one is the studio's own). */
  const isOtherOrigin = (url: string) => {
    try {
      return new URL(url, location.href).origin !== location.origin;
    } catch {
      return false; // not a URL: the engine says so
    }
  };

  const importModelUrl = async (url: string) => {
    await open(() => bridge.run((engine, jobId, onProgress) => engine.importModelUrl(jobId, url, onProgress)).result);
  };

  async function startStudio(forcedBackend: BackendRequest | null, modelUrl: string | null = null, { testHooks = false } = {}) {
    try {
      const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
      const backend = await bridge.run((engine) => engine.init({ baseUrl, backend: forcedBackend, testHooks })).result;
      store.set({ backend });
      const catalog = await bridge.run((engine) => engine.demoCatalog()).result;
      store.set({ catalog });
      await loadAndEvaluate(catalog.models[0].id);
      store.set({ readyMs: Math.round(performance.now()) });
      // The demo stays underneath: a model URL that fails to load leaves a working studio and says why.
      // Another site is asked first: opening the link must not contact it without the user's yes.
      if (modelUrl && isOtherOrigin(modelUrl)) store.set({ modelUrlOffer: modelUrl });
      else if (modelUrl) await importModelUrl(modelUrl);
    } catch (e) {
      // Without a backend or a model nothing else can work: say so and stay in the error state.
      const { backend, summary } = store.get();
      const fatal = !backend || !summary;
      store.set({ fatal, status: fatal ? 'error' : 'idle', error: messageOf(e) });
    }
  }

  async function switchDemoModel(id: string) {
    if (id === store.get().modelId) return;
    try {
      store.set({ error: null });
      pump.cancelPending();
      await loadAndEvaluate(id);
    } catch (e) {
      reportError(store, e);
    }
  }

  return { startStudio, switchDemoModel, importModelFiles, importModelUrl };
}
