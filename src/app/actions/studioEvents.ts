// How the bridge's events reach the store: busy / acting, job progress, and a worker that died.
import type { JobProgress } from '../../engine/api';
import type { BridgeEvents } from '../engineBridge';
import type { StudioStore } from './actionContext';
import { progressOnScreen } from './progressReducer';

/** Runs `flush` before the next paint (or soon, where there is no paint: Node tests). */
export type FrameScheduler = (flush: () => void) => void;

const nextFrame: FrameScheduler = (flush) =>
  typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : void setTimeout(flush, 16);

/**
 * A fast backend reports many progress events per frame (a fine-tune step every few ms): they are
 * folded into one store update per frame, so the page renders once per frame, never once per step.
 * Each event still counts (every step's loss is kept). A history point, the end of a job (null) and
 * a change of busy state flush at once, so nothing arrives after the result it came before.
 */
export function studioEvents(store: StudioStore, schedule: FrameScheduler = nextFrame): BridgeEvents {
  let pending: JobProgress[] = [];
  let scheduled = false;
  const flush = (last?: JobProgress | null) => {
    const events = last === undefined ? pending : [...pending, last];
    pending = [];
    if (!events.length) return;
    store.set((s) => {
      let state = s;
      for (const p of events) state = { ...state, ...progressOnScreen(state, p) };
      return state;
    });
  };
  return {
    // `acting` alone decides whether the user's buttons are enabled (canAct): a background job keeps
    // the status busy but never disables a button, so a click right after a step is never lost.
    onBusyChange: (busy, acting) => {
      flush();
      store.set((s) => ({ status: s.fatal ? 'error' : busy ? 'busy' : 'idle', acting }));
    },
    onProgress: (progress) => {
      if (progress === null || progress.point) return flush(progress);
      pending.push(progress);
      if (scheduled) return;
      scheduled = true;
      schedule(() => {
        scheduled = false;
        flush();
      });
    },
    onWorkerError: (message) => {
      pending = [];
      store.set({ fatal: true, status: 'error', error: `The engine stopped: ${message}` });
    },
  };
}
