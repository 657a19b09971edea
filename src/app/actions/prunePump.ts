// Live pruning: slider motion becomes at most one prune at a time. Requests are debounced; a newer
// request cancels the prune in flight (or still queued), and a result that a newer request has
// superseded never reaches the screen.
import { asksForNothing, settingsFrom } from '../pruneControls';
import { currentPoint } from '../store';
import { isCancelled, reportError, type ActionContext } from './actionContext';
import type { HistoryActions } from './history';

/** Long enough to skip the positions a drag passes through, short enough to feel live. */
export const DEBOUNCE_MS = 150;

export interface PrunePump {
  /** The controls changed: prune for them after the debounce (`immediately`: on the next tick). */
  request(immediately?: boolean): void;
  /** Another action takes over the model: forget what was asked and cancel the prune in flight. */
  cancelPending(): void;
}

export function prunePump(
  { bridge, store }: ActionContext,
  history: Pick<HistoryActions, 'showStep' | 'restorePoint'>,
  debounceMs = DEBOUNCE_MS,
): PrunePump {
  let debounce: ReturnType<typeof setTimeout> | null = null;
  /** The prune job queued or running, so that a newer request can cancel it. */
  let running: number | null = null;
  /** A request came in that no prune has started for yet. */
  let wanted = false;
  let pumping = false;

  function cancelPending() {
    if (debounce) clearTimeout(debounce);
    debounce = null;
    wanted = false;
    if (running !== null) void bridge.cancel(running);
  }

  function request(immediately = false) {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = null;
      wanted = true;
      if (running !== null) void bridge.cancel(running); // superseded: its result would be stale
      if (!pumping) void pump();
    }, immediately ? 0 : debounceMs);
  }

  /** One prune for the newest request, again while newer ones arrive; never two loops at once. */
  async function pump() {
    pumping = true;
    try {
      while (wanted) {
        wanted = false;
        await applyControls();
      }
    } finally {
      pumping = false;
    }
  }

  async function applyControls() {
    const s = store.get();
    if (!s.summary) return;
    const base = currentPoint(s)?.baseId;
    // Every slider at 0: the step to show is the starting point itself, already in the history.
    if (asksForNothing(s.controls) && base !== undefined) {
      await history.restorePoint(base, { sliders: false });
      return;
    }
    const settings = settingsFrom(s.controls, s.summary.prunable);
    const job = bridge.run((engine, jobId, onProgress) => engine.prune(jobId, settings, onProgress));
    running = job.jobId;
    try {
      const step = await job.result;
      // A newer request is waiting: this result is already stale, so it never reaches the screen.
      if (!wanted) history.showStep(step, 'step');
    } catch (e) {
      reportError(store, e);
      // The engine is back on its current point, which may be a dropped stale one: make it the point
      // on screen again, so that the numbers shown are those of the model the engine holds.
      const { currentPointId } = store.get();
      if (!isCancelled(e) && currentPointId !== null) await history.restorePoint(currentPointId, { sliders: false, nav: 'quiet' });
    } finally {
      running = null;
    }
  }

  return { request, cancelPending };
}
