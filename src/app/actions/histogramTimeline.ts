// The histogram timeline's steps: read in the background for every history step the page has not got
// yet (each once), and, during a schedule, taken from the pruning events' progress as they come.
import type { JobProgress } from '../../engine/api';
import { originalPoint, type PageTimeline, type StudioState } from '../store';
import { isCancelled, messageOf, type ActionContext } from './actionContext';

/** The timeline read so far when it belongs to the history on screen; else null. */
export function timelineOf(s: StudioState): PageTimeline | null {
  const t = s.timeline;
  return t && t.original === originalPoint(s) ? t : null;
}

/** History steps the timeline has no histograms for yet (none while a failed read has not been followed by a new step). */
export function missingSteps(s: StudioState): number[] {
  const t = timelineOf(s);
  if (t?.failed && t.failed.steps === s.history.length) return [];
  const steps = t?.steps ?? {};
  return s.history.filter((p) => !(p.id in steps)).map((p) => p.id);
}

/** A schedule's pruning event with its histograms, added to the timeline it belongs to (nothing else changes). */
export function timelineWithEvent(s: StudioState, progress: JobProgress): Partial<StudioState> {
  const t = timelineOf(s);
  const w = progress.weights;
  if (!t?.range || !w || !progress.point || w.edges[0] !== t.range[0] || w.edges[w.edges.length - 1] !== t.range[1]) return {};
  return { timeline: { ...t, steps: { ...t.steps, [progress.point.id]: w } } };
}

export function histogramTimelineActions({ bridge, store }: ActionContext) {
  /** Reads the histograms of the steps the timeline lacks; a result for a history that has gone meanwhile is dropped. */
  async function fetchTimeline(): Promise<void> {
    const s = store.get();
    const original = originalPoint(s);
    const ids = missingSteps(s);
    if (!original || ids.length === 0) return;
    try {
      const read = await bridge.run((engine, jobId, onProgress) => engine.weightsTimeline(jobId, ids, onProgress), { background: true }).result;
      store.set((now) => {
        if (originalPoint(now) !== original) return {};
        const t = timelineOf(now);
        const steps = { ...(t?.steps ?? {}) };
        for (const step of read.steps) steps[step.pointId] = step.overview;
        return { timeline: { original, range: read.range, steps } };
      });
    } catch (e) {
      // Shown in the timeline's panel, not the error banner: the studio's work goes on without it.
      if (isCancelled(e)) return;
      store.set((now) => {
        if (originalPoint(now) !== original) return {};
        const t = timelineOf(now);
        return { timeline: { original, range: t?.range ?? null, steps: t?.steps ?? {}, failed: { message: messageOf(e), steps: now.history.length } } };
      });
    }
  }
  return { fetchTimeline };
}
