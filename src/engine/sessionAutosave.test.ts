// Autosave and restore through the engine, on fake-indexeddb: after steps (prunes, a fine-tune, an
// undo to an older step) the session opens again in a fresh engine with the same current step, the
// same history views, the page's state as given, and the weights bit for bit; a full disk is a
// message in the result and the engine keeps working.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { startTestEngine } from './engineTestSupport';
import type { StudioEngine } from './studioEngine';
import { openSessionStore } from '../core/session/sessionStore';
import { DEFAULT_HISTORY_BUDGET } from '../core/session/historyBudget';

const global = (sparsity: number) => ({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } }) as const;
const FINETUNE = { epochs: 0.25, learningRate: 0.01, optimizer: 'adam', batchSize: 4 } as const;

let job = 0;
const weights = async (engine: StudioEngine) =>
  (await engine.exportModel(++job, { precision: 'float32', format: 'files' })).files.filter((f) => f.name.endsWith('.bin')).map((f) => Array.from(f.bytes));

describe('autosave and restore', () => {
  it('saves nothing before the first step, then every step; a fresh engine restores the same step, views, page state and weights', async () => {
    const factory = new IDBFactory();
    const sessions = () => openSessionStore(factory);
    const { engine } = await startTestEngine({ sessions });
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const first = await engine.autosave({ sliders: 0 });
    expect(first.saved).toBeNull();
    expect(first.budget.limit).toBe(DEFAULT_HISTORY_BUDGET);
    expect(first.budget.used).toBeGreaterThan(0);
    expect((await engine.listSessions()).sessions).toEqual([]);

    await engine.prune(++job, global(0.5));
    const p2 = await engine.prune(++job, global(0.7));
    await engine.finetune(++job, FINETUNE);
    await engine.prune(++job, global(0.8));
    // Back to the second prune, as an undo would.
    await engine.restore(++job, p2.point.id);
    const page = { controls: { global: 0.7 }, undo: [0, 1, 4], redo: [], nan: NaN };
    const saved = await engine.autosave(page);
    expect(saved.error).toBeUndefined();
    expect(saved.saved).toMatchObject({ model: 'Tiny CNN', name: 'Tiny CNN', steps: 5 });
    expect(saved.budget.used).toBeGreaterThan(first.budget.used);
    const list = await engine.listSessions();
    expect(list.sessions.map((s) => s.id)).toEqual([saved.saved!.id]);
    expect(list.current).toBe(saved.saved!.id);
    expect(list.bytesOnDisk).toBe(saved.saved!.bytes);
    const history = (await engine.restore(++job, p2.point.id)).point;
    const expected = await weights(engine);

    // A new engine (a reload) on the same database.
    const { engine: again } = await startTestEngine({ sessions });
    const restored = await again.openSession(++job, saved.saved!.id);
    expect(restored.currentId).toBe(p2.point.id);
    expect(restored.history).toHaveLength(5);
    expect(restored.history.find((p) => p.id === p2.point.id)).toEqual(history);
    expect(restored.pageState).toEqual(page);
    expect(restored.summary.id).toBe('tiny');
    expect(restored.baseline.subset).toBe(false);
    expect(await weights(again)).toEqual(expected);
    // Each step rebuilds as it was: the fine-tuned one too.
    for (const p of restored.history) expect((await again.restore(++job, p.id)).point).toEqual(p);
    // Its work goes on under the same id; a rename sticks through later saves.
    await again.renameSession(saved.saved!.id, 'before the big cut');
    await again.prune(++job, global(0.9));
    const next = await again.autosave(page);
    expect(next.saved).toMatchObject({ id: saved.saved!.id, name: 'before the big cut', steps: 6 });
    await again.deleteSession(saved.saved!.id);
    expect((await again.listSessions()).sessions).toEqual([]);
    await expect(again.openSession(++job, saved.saved!.id)).rejects.toThrow(`There is no saved session ${saved.saved!.id}; it may have been deleted in another tab.`);
    expect((await again.restore(++job, 0)).summary.id).toBe('tiny');
  });

  it('a full disk: the result says how much is used, nothing is thrown, the studio keeps working', async () => {
    const factory = new IDBFactory();
    const { engine } = await startTestEngine({
      sessions: async () => {
        const store = await openSessionStore(factory);
        store.save = async () => {
          const { SessionStoreError, storeMessages } = await import('../core/session/sessionStore');
          throw new SessionStoreError(storeMessages.full('1 GB used of 1 GB', []));
        };
        return store;
      },
    });
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    await engine.prune(++job, global(0.5));
    const r = await engine.autosave({});
    expect(r.saved).toBeNull();
    expect(r.error).toBe('Not saved: this site\'s storage is full (1 GB used of 1 GB). Free some disk space, or allow this site more storage. The studio keeps working in memory.');
    expect((await engine.prune(++job, global(0.6))).point.kind).toBe('prune');
  });

  it('saves asked for while one runs: only the newest waiting one runs, and every caller gets a result', async () => {
    const factory = new IDBFactory();
    let saves = 0;
    const { engine } = await startTestEngine({
      sessions: async () => {
        const store = await openSessionStore(factory);
        const save = store.save.bind(store);
        store.save = (...args) => {
          saves++;
          return save(...args);
        };
        return store;
      },
    });
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    await engine.prune(++job, global(0.5));
    const results = await Promise.all([engine.autosave({ n: 1 }), engine.autosave({ n: 2 }), engine.autosave({ n: 3 })]);
    expect(saves).toBe(2);
    expect(results.every((r) => r.saved?.steps === 2)).toBe(true);
    const { engine: again } = await startTestEngine({ sessions: () => openSessionStore(factory) });
    expect((await again.openSession(++job, results[0].saved!.id)).pageState).toEqual({ n: 3 });
  });
});
