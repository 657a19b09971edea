import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { controlActions } from './controlActions';
import { fakeStudio, settle, sparsityOf } from './fakeStudio';
import { historyActions } from './history';
import { measurements } from './measurements';
import { DEBOUNCE_MS, prunePump } from './prunePump';

/** The sliders, the pump and the history over a scripted engine, wired as in the app. */
function livePruning(options: { honoursCancel?: boolean } = {}) {
  const studio = fakeStudio(options);
  const history = historyActions(studio.context);
  const pump = prunePump(studio.context, history);
  return { ...studio, pump, controls: controlActions(studio.store, pump) };
}

const shownIds = (s: { history: { id: number }[] }) => s.history.map((p) => p.id);

describe('live pruning pump', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rapid slider moves give one prune, for the last value, once the slider rests', async () => {
    const { engine, store, controls } = livePruning();
    for (const v of [0.1, 0.2, 0.3, 0.4]) {
      controls.setGlobalSparsity(v);
      await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 50);
    }
    expect(engine.prunes).toHaveLength(0); // still moving: nothing asked of the engine yet
    expect(store.get().controls.global).toBe(0.4); // the slider itself follows at once
    await vi.advanceTimersByTimeAsync(50);
    expect(engine.prunes.map(sparsityOf)).toEqual([0.4]);
    engine.prunes[0].finish();
    await settle();
    const s = store.get();
    expect(s.currentPointId).toBe(engine.prunes[0].pointId);
    expect(shownIds(s)).toEqual([1, engine.prunes[0].pointId]);
    expect(s.summary?.name).toBe(`after prune ${engine.prunes[0].pointId}`);
    expect(s.undo).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.prunes).toHaveLength(1);
  });

  it('a failed step shows its message and then the point the engine restores, with the sliders left where the user put them', async () => {
    const { engine, store, controls } = livePruning();
    controls.setGlobalSparsity(0.5);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    engine.prunes[0].fail(new Error('The GPU ran out of memory'));
    await settle();
    const s = store.get();
    expect(s.error).toBe('The GPU ran out of memory');
    expect(engine.restores).toEqual([1]); // the point on screen, so that engine and screen agree
    expect(s.summary?.name).toBe('restored 1');
    expect(s.currentPointId).toBe(1);
    expect(s.current).toEqual(s.history[0].metric); // the original point's own figure, as its dot shows
    expect(shownIds(s)).toEqual([1]);
    expect(s.undo).toEqual([]); // a resync, not a step the user can undo
    expect(s.controls.global).toBe(0.5);
  });

  it('a superseded result never reaches the screen, even when the engine finished it before the cancel arrived', async () => {
    const { engine, store, controls } = livePruning();
    controls.setGlobalSparsity(0.3);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    const stale = engine.prunes[0];
    controls.setGlobalSparsity(0.6);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(engine.cancels).toEqual([stale.jobId]); // it was with the engine: the engine is told
    stale.finish(); // too late to stop: its result still comes back
    await settle();
    expect(shownIds(store.get())).toEqual([1]);
    expect(store.get().currentPointId).toBe(1);
    expect(engine.prunes.map(sparsityOf)).toEqual([0.3, 0.6]);
    engine.prunes[1].finish();
    await settle();
    const s = store.get();
    expect(shownIds(s)).toEqual([1, engine.prunes[1].pointId]);
    expect(s.currentPointId).toBe(engine.prunes[1].pointId);
    expect(s.undo).toEqual([1]); // the stale step is not a place to undo to
    expect(s.error).toBeNull();
  });

  it('a prune the engine stops on cancel shows no error and restores nothing; the newer one runs', async () => {
    const { engine, store, controls } = livePruning({ honoursCancel: true });
    controls.setGlobalSparsity(0.3);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    controls.setGlobalSparsity(0.6);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(store.get().error).toBeNull();
    expect(engine.restores).toEqual([]);
    expect(engine.prunes.map(sparsityOf)).toEqual([0.3, 0.6]);
    engine.prunes[1].finish();
    await settle();
    expect(store.get().currentPointId).toBe(engine.prunes[1].pointId);
  });

  it('a superseded prune still queued behind another job never starts: only the newest one reaches the engine', async () => {
    const { engine, store, controls, context } = livePruning();
    void measurements(context).measureSizes(); // a background job holds the queue
    await settle();
    expect(engine.sizes).toHaveLength(1);
    controls.setGlobalSparsity(0.3);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    controls.setGlobalSparsity(0.6);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(engine.prunes).toHaveLength(0); // both wait behind the measurement
    engine.sizes[0].finish();
    await settle();
    expect(engine.prunes.map(sparsityOf)).toEqual([0.6]);
    expect(engine.cancels).toEqual([]); // the stale one was dropped on the page; the engine never saw it
    engine.prunes[0].finish();
    await settle();
    expect(store.get().currentPointId).toBe(engine.prunes[0].pointId);
    expect(store.get().error).toBeNull();
  });

  it('every slider back at 0 shows the starting point again without a prune', async () => {
    const { engine, store, controls } = livePruning();
    controls.setGlobalSparsity(0.4);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    engine.prunes[0].finish();
    await settle();
    controls.setGlobalSparsity(0);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    await settle();
    expect(engine.prunes).toHaveLength(1);
    expect(engine.restores).toEqual([1]);
    expect(store.get().currentPointId).toBe(1);
    expect(store.get().controls.global).toBe(0); // the sliders stay at what the user asked
  });

  it('another action taking over (a model switch, a fine-tune) drops a request still in its debounce', async () => {
    const { engine, controls, pump } = livePruning();
    controls.setGlobalSparsity(0.4);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS / 2);
    pump.cancelPending();
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS * 4);
    expect(engine.prunes).toHaveLength(0);
  });

  it('a change of criterion re-prunes on the next tick, with no debounce', async () => {
    const { engine, controls } = livePruning();
    controls.setGlobalSparsity(0.4);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    engine.prunes[0].finish();
    await settle();
    controls.setCriterion('random');
    await vi.advanceTimersByTimeAsync(0);
    expect(engine.prunes.map((p) => p.settings.criterion)).toEqual(['magnitude', 'random']);
  });
});
