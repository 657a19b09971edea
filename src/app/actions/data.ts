// The user's data: dropping or picking it, reading it again with other choices (scaling, class
// mapping, split), going back to the demo data, and the per-class damage of the current step.
// Data that loads replaces the model's history with a fresh one measured on it (the engine's rule);
// data that fails shows its message and leaves the model, its history and the data on screen.
import * as Comlink from 'comlink';
import type { DataChoices, DataResult, ModelFile } from '../../engine/api';
import { reportError, type ActionContext } from './actionContext';
import { freshModelState } from './modelLoading';
import type { PrunePump } from './prunePump';

export interface DataActions {
  loadDataFiles(files: ModelFile[]): Promise<void>;
  /** The loaded data read again with `choices` merged over the ones it was read with. */
  updateDataChoices(choices: DataChoices): Promise<void>;
  /** Back to the demo images (or generated inputs). */
  clearData(): Promise<void>;
  /** Measures the current step's per-class damage, once per step, in the background. */
  measureClassDamage(): Promise<void>;
}

/**
 * A model and its data in one drop (a folder holding model.json, metadata.json and a data/ tree):
 * the files under a folder named `data` are the data, the rest the model.
 */
export function splitDataTree(files: ModelFile[]): { model: ModelFile[]; data: ModelFile[] } {
  const isData = (f: ModelFile) => f.path.split('/').slice(0, -1).some((dir) => dir.toLowerCase() === 'data');
  return { model: files.filter((f) => !isData(f)), data: files.filter(isData) };
}

export function dataActions({ bridge, store }: ActionContext, pump: Pick<PrunePump, 'cancelPending'>): DataActions {
  async function run(load: () => Promise<DataResult | Awaited<ReturnType<typeof clearJob>>>) {
    if (store.get().fatal) return;
    store.set({ error: null });
    pump.cancelPending();
    try {
      const result = await load();
      store.set({ ...freshModelState(result.summary.id, result), data: 'data' in result ? result.data : null });
    } catch (e) {
      reportError(store, e);
    }
  }

  const clearJob = () => bridge.run((engine, jobId, onProgress) => engine.clearData(jobId, onProgress)).result;

  const loadDataFiles = (files: ModelFile[]) => run(() => bridge.run((engine, jobId, onProgress) =>
    engine.loadData(jobId, Comlink.transfer(files, files.map((f) => f.bytes.buffer as ArrayBuffer)), null, onProgress)).result);

  const updateDataChoices = (choices: DataChoices) => {
    const merged = { ...store.get().data?.choices, ...choices };
    return run(() => bridge.run((engine, jobId, onProgress) => engine.updateData(jobId, merged, onProgress)).result);
  };

  const clearData = () => run(clearJob);

  async function measureClassDamage() {
    const { currentPointId, damage, history } = store.get();
    const origin = history[0];
    if (currentPointId === null || damage?.pointId === currentPointId || !origin) return;
    try {
      const view = await bridge.run((engine, jobId, onProgress) => engine.classDamage(jobId, onProgress), { background: true }).result;
      // A step (or another model or data set: a new original point) may have come meanwhile: keep only a current answer.
      const now = store.get();
      if (view && now.currentPointId === view.pointId && now.history[0] === origin) store.set({ damage: view });
    } catch (e) {
      reportError(store, e);
    }
  }

  return { loadDataFiles, updateDataChoices, clearData, measureClassDamage };
}
