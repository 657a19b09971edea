import { describe, expect, it } from 'vitest';
import type { AutosaveResult, RestoredSession } from '../../engine/api';
import { DEFAULT_CONTROLS, initialStudioState, type StudioState } from '../store';
import { historyPoint, loadedStore, summaryNamed } from './fakeStudio';
import { pageStateOf, restoredOnScreen, sessionActions } from './sessions';
import type { ActionContext } from './actionContext';

const budget = { used: 1000, limit: 256 * 1024 * 1024 };

function restored(pageState: unknown): RestoredSession {
  const history = [historyPoint(1), historyPoint(2), historyPoint(3, { kind: 'finetune' })];
  return {
    info: { id: 's1', name: 'n', model: 'm', steps: 3, savedAt: 0, bytes: 10 }, summary: summaryNamed('restored'),
    baseline: { metric: 'accuracy', subset: false, value: 0.9, count: 2000, ms: 1 }, history, currentId: 2, pageState, budget, data: null,
  };
}

describe('a restored session on screen', () => {
  it('brings back the saved sliders, undo/redo and curves, and the step\'s own metric', () => {
    const controls = { ...DEFAULT_CONTROLS, global: 0.75 };
    const training = { jobId: 4, losses: [1, 0.5], metrics: [], outcome: 'done' };
    const s = restoredOnScreen(restored({ controls, undo: [1, 3], redo: [3], training }));
    expect(s).toMatchObject({ currentPointId: 2, controls, undo: [1, 3], redo: [3], training, budget, restoreOffer: null, error: null });
    expect(s.current).toEqual(historyPoint(2).metric);
    expect(s.history).toHaveLength(3);
  });

  it('a page state it cannot read falls back to defaults; undo ids not in the history are dropped', () => {
    const s = restoredOnScreen(restored({ controls: 'x', undo: [1, 99, 'a'], redo: null }));
    expect(s).toMatchObject({ controls: DEFAULT_CONTROLS, undo: [1], redo: [], training: null });
  });
});

describe('autosave from the page', () => {
  function context(result: AutosaveResult) {
    const store = loadedStore();
    const sent: unknown[] = [];
    const engine = {
      autosave: async (state: unknown) => (sent.push(state), result),
      listSessions: async () => ({ sessions: result.saved ? [result.saved] : [], bytesOnDisk: result.saved?.bytes ?? 0, current: result.saved?.id ?? null }),
    };
    const ctx = { bridge: { engine, run: () => { throw new Error('not used'); }, cancel: async () => {} }, store } as unknown as ActionContext;
    return { store, sent, actions: sessionActions(ctx, { cancelPending: () => {} }, 0) };
  }

  it('sends the page state, shows what was saved and the budget, refreshes the list', async () => {
    const info = { id: 's1', name: 'Tiny', model: 'Tiny', steps: 2, savedAt: 5, bytes: 99 };
    const { store, sent, actions } = context({ saved: info, budget, ms: 12 });
    await actions.autosave();
    expect(sent).toEqual([pageStateOf(store.get())]);
    expect(store.get()).toMatchObject({ autosave: { state: 'saved', steps: 2, savedAt: 5, ms: 12 }, budget, sessions: { current: 's1', bytesOnDisk: 99 } });
  });

  it('a full disk shows the store\'s message and the state says not saved', async () => {
    const message = 'Not saved: this site\'s storage is full (1 GB used of 1 GB). Free some disk space, or allow this site more storage. The studio keeps working in memory.';
    const { store, actions } = context({ saved: null, budget, ms: 3, error: message });
    await actions.autosave();
    expect(store.get().error).toBe(message);
    expect(store.get().autosave?.state).toBe('error');
  });

  it('a change of what is on screen saves (once per burst); other changes do not', async () => {
    const { store, sent, actions } = context({ saved: null, budget, ms: 0 });
    let listener: ((s: StudioState, p: StudioState) => void) | null = null;
    actions.watch((l) => ((listener = l), () => {}));
    const prev = store.get();
    listener!({ ...prev, progress: { jobId: 1, fraction: 0.5, label: 'x' } }, prev);
    await new Promise((r) => setTimeout(r, 5));
    expect(sent).toHaveLength(0);
    listener!({ ...prev, undo: [1] }, prev);
    listener!({ ...prev, currentPointId: 2 }, prev);
    await new Promise((r) => setTimeout(r, 5));
    expect(sent).toHaveLength(1);
    expect(initialStudioState().autosave).toBeNull();
  });
});
