// What the studio measures about the current step on request: export sizes, the comparison with
// the original, and one layer's weight views.
import type { LayerDetail } from '../../engine/api';
import { reportError, type ActionContext } from './actionContext';

export interface Measurements {
  /** Measures the current step's export sizes (each precision, raw and gzip), once per step. */
  measureSizes(): Promise<void>;
  /** Original against current: counts, sizes, metric and latency measured in the worker. */
  compareWithOriginal(): Promise<void>;
  /**
   * Per-layer weight views (stats, histogram, heatmap) of the current model. Queued like every engine
   * call; the caller shows its own loading and error states, so a failure here does not touch the
   * studio's error banner. When its turn in the queue comes and `stillWanted()` is false (a newer
   * request replaced it), it resolves to null without asking the engine.
   */
  loadLayerDetail(path: string, stillWanted?: () => boolean): Promise<LayerDetail | null>;
  /** The current step on the whole held-out set, kept on its history point. */
  measureWhole(): Promise<void>;
}

export function measurements({ bridge, store }: ActionContext): Measurements {
  async function measureSizes() {
    const { currentPointId, sizes } = store.get();
    if (currentPointId === null || sizes?.pointId === currentPointId) return;
    try {
      // In the background: it follows every step on its own and must never hold the user's buttons.
      const measured = await bridge.run((engine, jobId, onProgress) => engine.exportSizes(jobId, onProgress), { background: true }).result;
      store.set({ sizes: { pointId: currentPointId, sizes: measured } });
    } catch (e) {
      reportError(store, e);
    }
  }

  async function measureWhole() {
    if (store.get().currentPointId === null) return;
    try {
      const point = await bridge.run((engine, jobId, onProgress) => engine.measureWhole(jobId, onProgress)).result;
      store.set({ history: store.get().history.map((p) => (p.id === point.id ? point : p)) });
    } catch (e) {
      reportError(store, e);
    }
  }

  async function compareWithOriginal() {
    const { currentPointId } = store.get();
    if (currentPointId === null) return;
    try {
      const result = await bridge.run((engine, jobId, onProgress) => engine.compare(jobId, onProgress)).result;
      store.set({ compare: { pointId: currentPointId, result } });
    } catch (e) {
      reportError(store, e);
    }
  }

  const loadLayerDetail = (path: string, stillWanted: () => boolean = () => true) =>
    bridge.run((engine, jobId, onProgress) => (stillWanted() ? engine.layerDetail(jobId, path, onProgress) : Promise.resolve(null))).result;

  return { measureSizes, compareWithOriginal, loadLayerDetail, measureWhole };
}
