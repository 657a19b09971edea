// How the bridge's events reach the store: busy / acting, job progress, and a worker that died.
import type { BridgeEvents } from '../engineBridge';
import type { StudioStore } from './actionContext';
import { progressOnScreen } from './progressReducer';

export function studioEvents(store: StudioStore): BridgeEvents {
  return {
    // `acting` alone decides whether the user's buttons are enabled (canAct): a background job keeps
    // the status busy but never disables a button, so a click right after a step is never lost.
    onBusyChange: (busy, acting) => store.set((s) => ({ status: s.fatal ? 'error' : busy ? 'busy' : 'idle', acting })),
    onProgress: (progress) => store.set((s) => progressOnScreen(s, progress)),
    onWorkerError: (message) => store.set({ fatal: true, status: 'error', error: `The engine stopped: ${message}` }),
  };
}
