import { describe, expect, it } from 'vitest';
import { fakeStudio, settle } from './fakeStudio';
import { historyActions } from './history';
import { measurements } from './measurements';

/** The studio after two prunes (points 2 then 3) the engine made. */
async function afterTwoSteps() {
  const studio = fakeStudio();
  const history = historyActions(studio.context);
  const { engine } = studio;
  for (const sparsity of [0.3, 0.6]) {
    const step = studio.context.bridge.run((e, jobId) =>
      e.prune(jobId, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } })).result;
    await settle();
    engine.prunes.at(-1)!.finish();
    history.showStep(await step, 'step');
  }
  await settle();
  return { ...studio, history };
}

describe('history navigation', () => {
  it('undo goes back to the step before and sets the sliders to its settings; redo comes forward again', async () => {
    const { store, engine, history } = await afterTwoSteps();
    expect(store.get().currentPointId).toBe(3);
    expect(store.get().undo).toEqual([1, 2]);
    history.undo();
    await settle();
    expect(engine.restores).toEqual([2]);
    expect(store.get().currentPointId).toBe(2);
    expect(store.get().controls.global).toBe(0.3);
    expect(store.get().undo).toEqual([1]);
    expect(store.get().redo).toEqual([3]);
    history.redo();
    await settle();
    expect(store.get().currentPointId).toBe(3);
    expect(store.get().controls.global).toBe(0.6);
    expect(store.get().undo).toEqual([1, 2]);
    expect(store.get().redo).toEqual([]);
  });

  it('undo waits its turn behind a background job instead of being refused, and is refused while a user job runs', async () => {
    const { store, engine, history, context } = await afterTwoSteps();
    void measurements(context).measureSizes();
    await settle();
    history.undo();
    await settle();
    expect(engine.restores).toEqual([]); // queued behind the measurement
    engine.sizes[0].finish();
    await settle();
    expect(store.get().currentPointId).toBe(2);
    // A job the user started: the undo stack stays as it is.
    void context.bridge.run((e, jobId) =>
      e.prune(jobId, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.9 } })).result;
    history.undo();
    await settle();
    expect(store.get().undo).toEqual([1]);
    expect(engine.restores).toEqual([2]);
  });
});
