// The histogram timeline's data: every history step's per-layer |w| histograms, all on the original
// model's range (core/graph/histogramTimeline.ts), each read once per session and kept (a step's
// weights never change). A past step is read by making the live model that step for a moment
// (PruningSession.atPoint); a schedule's pruning event is read on the live model as it is made.
import { timelineRange, type TimelineStep, type WeightsTimeline } from '../core/graph/histogramTimeline';
import { weightsOverview, type WeightsOverview } from '../core/graph/weightsOverview';
import type { JobControl } from '../core/job';
import type { PruningSession } from './pruningSession';
import { validatePointId } from './requestValidation';

interface TimelineCache {
  range: [number, number] | null;
  byPoint: Map<number, WeightsOverview>;
}

const caches = new WeakMap<PruningSession, TimelineCache>();

function cacheOf(session: PruningSession): TimelineCache {
  let cache = caches.get(session);
  if (!cache) caches.set(session, (cache = { range: null, byPoint: new Map() }));
  return cache;
}

/** The timeline's shared range, reading the original model's histograms the first time. */
export async function prepareTimeline(session: PruningSession): Promise<[number, number]> {
  const cache = cacheOf(session);
  if (!cache.range) {
    const id = session.original.id;
    const overview = await session.atPoint(id, (model) => weightsOverview(model));
    cache.byPoint.set(id, overview);
    cache.range = timelineRange(overview);
  }
  return cache.range;
}

/** The histograms of the steps `pointIds`, in that order, on the shared range. */
export async function weightsTimeline(session: PruningSession, pointIds: readonly number[], control: JobControl): Promise<WeightsTimeline> {
  const ids = pointIds.map(validatePointId);
  for (const id of ids) session.check(id);
  await control.checkpoint(0, 'Reading the original weights');
  const range = await prepareTimeline(session);
  const { byPoint } = cacheOf(session);
  const steps: TimelineStep[] = [];
  for (const [i, id] of ids.entries()) {
    let overview = byPoint.get(id);
    if (!overview) {
      await control.checkpoint(i / ids.length, `Reading the weights of step ${id}`);
      overview = await session.atPoint(id, (model) => weightsOverview(model, { range }));
      byPoint.set(id, overview);
    }
    steps.push({ pointId: id, overview });
  }
  return { range, steps };
}

/**
 * The histograms of point `pointId`, which the live model is right now (a pruning event just made by
 * a schedule), on the shared range (prepareTimeline must have run); kept for later requests.
 */
export async function liveStepWeights(session: PruningSession, pointId: number): Promise<WeightsOverview> {
  const cache = cacheOf(session);
  if (!cache.range) throw new Error('internal: the timeline range is read before a schedule starts');
  const overview = await weightsOverview(session.model, { range: cache.range });
  cache.byPoint.set(pointId, overview);
  return overview;
}
