// The data actions against a scripted engine: data that loads replaces the history with its fresh
// one and shows the data; data that fails shows the message and leaves the model, history and data;
// other choices merge over the ones the data was read with; a damage answer for a step that is no
// longer current is dropped.
import { describe, expect, it } from 'vitest';
import type { ClassDamageView, DataResult, DataSummary, StudioEngineApi } from '../../engine/api';
import type { ActionContext, StudioBridge } from './actionContext';
import { dataActions, splitDataTree } from './data';
import { historyPoint, loadedStore, summaryNamed } from './fakeStudio';

const summary = (choices: DataSummary['choices'] = {}) => ({ kind: 'images', name: 'pets', count: 10, choices } as unknown as DataSummary);

function fakeBridge(engine: Partial<StudioEngineApi>): StudioBridge & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  let job = 0;
  const recording = new Proxy(engine, {
    get: (target, key) => (...args: unknown[]) => {
      calls.push([key, ...args]);
      return (target as Record<string | symbol, (...a: unknown[]) => unknown>)[key](...args);
    },
  });
  return {
    calls,
    engine: recording as never,
    cancel: async () => {},
    run: (call) => ({ jobId: ++job, result: call(recording as never, job, () => {}) }),
  } as StudioBridge & { calls: unknown[][] };
}

describe('data actions', () => {
  it('loads data into a fresh history, and a failure keeps what was there', async () => {
    const store = loadedStore();
    const fresh = historyPoint(7, { kind: 'original', parentId: null });
    let fail = false;
    const bridge = fakeBridge({
      loadData: async () => {
        if (fail) throw new Error('pets/cats: an empty class folder');
        return { baseline: fresh.metric, point: fresh, summary: summaryNamed('with data'), data: summary() } as DataResult;
      },
    });
    const actions = dataActions({ bridge, store } as ActionContext, { cancelPending: () => {} });
    store.set({ history: [historyPoint(1), historyPoint(2)], currentPointId: 2 });
    await actions.loadDataFiles([{ path: 'pets/cats/1.png', bytes: new Uint8Array(4) }]);
    expect(store.get()).toMatchObject({ data: { name: 'pets' }, history: [fresh], currentPointId: 7, error: null, damage: null });

    fail = true;
    const before = store.get();
    await actions.loadDataFiles([{ path: 'pets/cats/1.png', bytes: new Uint8Array(4) }]);
    expect(store.get().error).toBe('pets/cats: an empty class folder');
    expect(store.get().history).toBe(before.history);
    expect(store.get().data).toBe(before.data);
  });

  it('reads the data again with the new choice merged over the old ones', async () => {
    const store = loadedStore();
    store.set({ data: summary({ testFraction: 0.3, scaling: 'unit' }) });
    const point = historyPoint(1);
    const bridge = fakeBridge({ updateData: async (_job, choices) => ({ baseline: point.metric, point, summary: summaryNamed('x'), data: summary(choices) }) as DataResult });
    await dataActions({ bridge, store } as ActionContext, { cancelPending: () => {} }).updateDataChoices({ scaling: 'raw' });
    expect(bridge.calls[0][0]).toBe('updateData');
    expect(bridge.calls[0][2]).toEqual({ testFraction: 0.3, scaling: 'raw' });
    expect(store.get().data!.choices).toEqual({ testFraction: 0.3, scaling: 'raw' });
  });

  it('keeps a damage answer only for the step still current', async () => {
    const store = loadedStore();
    let answer!: (v: ClassDamageView) => void;
    const bridge = fakeBridge({ classDamage: () => new Promise<ClassDamageView>((ok) => (answer = ok)) });
    const actions = dataActions({ bridge, store } as ActionContext, { cancelPending: () => {} });
    const view = (pointId: number) => ({ pointId, classes: [], confusion: { names: [], change: [] }, flips: { broken: [], fixed: [], brokenCount: 0, fixedCount: 0 }, metric: 'accuracy' }) as ClassDamageView;

    const first = actions.measureClassDamage();
    store.set({ history: [...store.get().history, historyPoint(2)], currentPointId: 2 });
    answer(view(1));
    await first;
    expect(store.get().damage).toBeNull();

    const second = actions.measureClassDamage();
    answer(view(2));
    await second;
    expect(store.get().damage?.pointId).toBe(2);
    await actions.measureClassDamage(); // already measured for this step: no engine call
    expect(bridge.calls.filter((c) => c[0] === 'classDamage')).toHaveLength(2);
  });

  it('splits a drop of a model with a data/ tree into the model\'s files and the data', () => {
    const f = (path: string) => ({ path, bytes: new Uint8Array(1) });
    const { model, data } = splitDataTree([f('pets/model.json'), f('pets/metadata.json'), f('pets/weights.bin'), f('pets/data/cats/1.png'), f('pets/Data/dogs/1.png'), f('pets/database.json')]);
    expect(model.map((x) => x.path)).toEqual(['pets/model.json', 'pets/metadata.json', 'pets/weights.bin', 'pets/database.json']);
    expect(data.map((x) => x.path)).toEqual(['pets/data/cats/1.png', 'pets/Data/dogs/1.png']);
  });
});
