// Weight sharing from the page: the Cluster button asks the engine to cluster the current model's
// kernels; the result is a history step of its own kind, and the starting point of what follows.
import type { ClusterRequest } from '../../engine/api';
import { reportError, type ActionContext } from './actionContext';
import type { HistoryActions } from './history';
import type { PrunePump } from './prunePump';

export interface Clustering {
  /** Clusters the current model (k shared values per kernel, per-layer k where given); a new step. */
  clusterWeights(request: ClusterRequest): Promise<void>;
}

export function clustering({ bridge, store }: ActionContext, history: Pick<HistoryActions, 'showStep'>, pump: Pick<PrunePump, 'cancelPending'>): Clustering {
  return {
    async clusterWeights(request) {
      pump.cancelPending();
      store.set({ error: null });
      try {
        const step = await bridge.run((engine, jobId, onProgress) => engine.cluster(jobId, request, onProgress)).result;
        history.showStep(step, 'step');
      } catch (e) {
        reportError(store, e);
      }
    },
  };
}
