// The per-layer |w| histograms of the current step, fetched in the background after each step. A
// starting point's histograms are kept apart too: every prune starts there, so they are what a
// slider's preview reads while it moves (cutPreview.ts).
import { currentPoint } from '../store';
import { reportError, type ActionContext } from './actionContext';

export interface WeightsOverviewActions {
  /** Reads the current step's histograms, once per step; stale results (the step moved on meanwhile) are dropped. */
  fetchWeightsOverview(): Promise<void>;
}

export function weightsOverviewActions({ bridge, store }: ActionContext): WeightsOverviewActions {
  async function fetchWeightsOverview() {
    const s = store.get();
    const point = currentPoint(s);
    const { modelId } = s;
    if (!point || (s.weights?.pointId === point.id && s.weights.modelId === modelId)) return;
    // A pruned step is drawn on its starting point's axis, so what pruning cut shows as an empty span.
    const start = s.startWeights;
    const edges = point.id !== point.baseId && start && start.modelId === modelId && start.pointId === point.baseId ? start.overview.edges : null;
    const range: [number, number] | null = edges ? [edges[0], edges[edges.length - 1]] : null;
    try {
      // In the background: it follows every step on its own and must never hold the user's buttons.
      const overview = await bridge.run((engine, jobId, onProgress) => engine.weightsOverview(jobId, range, onProgress), { background: true }).result;
      const now = store.get();
      if (now.currentPointId !== point.id || now.modelId !== modelId) return;
      const entry = { modelId, pointId: point.id, overview };
      store.set(point.id === point.baseId ? { weights: entry, startWeights: entry } : { weights: entry });
    } catch (e) {
      reportError(store, e);
    }
  }
  return { fetchWeightsOverview };
}
