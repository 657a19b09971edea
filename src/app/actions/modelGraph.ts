// The current step's model graph, read in the background when the graph view asks for it.
import type { ModelGraphData } from '../../engine/api';
import type { ActionContext } from './actionContext';

export interface ModelGraphActions {
  /** The graph of the model as it is now; null when `stillWanted` says no before the job starts. */
  loadModelGraph(stillWanted?: () => boolean): Promise<ModelGraphData | null>;
}

export function modelGraphActions({ bridge }: ActionContext): ModelGraphActions {
  return {
    loadModelGraph: (stillWanted = () => true) =>
      // In the background: the view follows every step on its own and must never hold the user's buttons.
      bridge.run((engine, jobId, onProgress) => (stillWanted() ? engine.modelGraph(jobId, onProgress) : Promise.resolve(null)), { background: true }).result,
  };
}
