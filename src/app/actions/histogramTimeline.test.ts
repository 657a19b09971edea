import { describe, expect, it } from 'vitest';
import type { StudioEngineApi, WeightsOverview } from '../../engine/api';
import { magnitudeOverview } from '../../core/graph/weightsOverview';
import { historyPoint, loadedStore, settle } from './fakeStudio';
import type { StudioBridge } from './actionContext';
import { histogramTimelineActions, missingSteps, timelineOf } from './histogramTimeline';
import { progressOnScreen } from './progressReducer';

const overview = (values: number[], range: [number, number] | null = [0.01, 1]): WeightsOverview =>
  magnitudeOverview([{ path: 'fc1', className: 'Dense', values: [Float32Array.from(values)] }], 4, range);

/** A bridge in front of an engine that only reads timelines, and the requests it got. */
function timelineBridge(failWith: string | null = null) {
  const asked: number[][] = [];
  const engine: Partial<StudioEngineApi> = {
    weightsTimeline: async (_jobId, ids) => {
      asked.push(ids);
      if (failWith) throw new Error(failWith);
      return { range: [0.01, 1], steps: ids.map((pointId) => ({ pointId, overview: overview([0.5, pointId / 10]) })) };
    },
  };
  const bridge = { run: (work: (e: StudioEngineApi, jobId: number) => Promise<unknown>) => ({ result: work(engine as StudioEngineApi, 1) }) } as unknown as StudioBridge;
  return { bridge, asked };
}

describe('histogram timeline actions', () => {
  it('reads only the steps it lacks, and starts over for a new history', async () => {
    const store = loadedStore();
    const { bridge, asked } = timelineBridge();
    const { fetchTimeline } = histogramTimelineActions({ bridge, store });
    await fetchTimeline();
    store.set((s) => ({ history: [...s.history, historyPoint(2), historyPoint(3)] }));
    expect(missingSteps(store.get())).toEqual([2, 3]);
    await fetchTimeline();
    await fetchTimeline();
    expect(asked).toEqual([[1], [2, 3]]);
    expect(Object.keys(timelineOf(store.get())!.steps)).toEqual(['1', '2', '3']);
    // Other data: a fresh history whose original is another point object.
    store.set({ history: [historyPoint(1)], currentPointId: 1 });
    expect(timelineOf(store.get())).toBeNull();
    expect(missingSteps(store.get())).toEqual([1]);
    await fetchTimeline();
    await settle();
    expect(asked.at(-1)).toEqual([1]);
  });

  it("grows one row per schedule event from the event's own histograms, on the timeline's range only", async () => {
    const store = loadedStore();
    const { bridge, asked } = timelineBridge();
    await histogramTimelineActions({ bridge, store }).fetchTimeline();
    const event = historyPoint(2, { kind: 'prune', label: 'AGP 1/3' });
    store.set((s) => progressOnScreen(s, { jobId: 4, fraction: 0.3, label: 'AGP 1/3', point: event, weights: overview([0, 0.5]) }));
    expect(store.get().history.map((p) => p.id)).toEqual([1, 2]);
    expect(timelineOf(store.get())!.steps[2].layers[0].zeros).toBe(1);
    expect(missingSteps(store.get())).toEqual([]);
    // Histograms on other bins would draw a wrong row: left for a read.
    const other = historyPoint(3);
    store.set((s) => progressOnScreen(s, { jobId: 4, fraction: 0.6, label: 'AGP 2/3', point: other, weights: overview([0.5], null) }));
    expect(missingSteps(store.get())).toEqual([3]);
    expect(asked).toEqual([[1]]);
  });

  it('a failed read is shown in the panel, not tried again until a step is added', async () => {
    const store = loadedStore();
    const { bridge, asked } = timelineBridge('This model has no layers to read');
    const { fetchTimeline } = histogramTimelineActions({ bridge, store });
    await fetchTimeline();
    expect(timelineOf(store.get())?.failed?.message).toBe('This model has no layers to read');
    expect(store.get().error).toBeNull();
    expect(missingSteps(store.get())).toEqual([]);
    store.set((s) => ({ history: [...s.history, historyPoint(2)] }));
    expect(missingSteps(store.get())).toEqual([1, 2]);
    await fetchTimeline();
    expect(asked).toEqual([[1], [1, 2]]);
  });
});
