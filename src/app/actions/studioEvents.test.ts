import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../engine/api';
import { canAct } from '../store';
import { historyPoint, plainStore } from './fakeStudio';
import { studioEvents } from './studioEvents';

const step = (n: number): JobProgress => ({
  jobId: 5, fraction: n / 100, label: 'Training', train: { step: n, totalSteps: 100, loss: 1 / n, etaMs: 0, zerosKept: 0, zerosPruned: 0 },
});

describe('studioEvents', () => {
  it('a background job makes the status busy but leaves the user free to act; a user job does not', () => {
    const store = plainStore();
    const events = studioEvents(store);
    events.onBusyChange(true, false);
    expect(store.get().status).toBe('busy');
    expect(canAct(store.get())).toBe(true);
    events.onBusyChange(true, true);
    expect(store.get().status).toBe('busy');
    expect(canAct(store.get())).toBe(false);
    events.onBusyChange(false, false);
    expect(store.get().status).toBe('idle');
    expect(canAct(store.get())).toBe(true);
  });

  it('a worker that died leaves the studio in the error state with the reason, whatever the queue does next', () => {
    const store = plainStore();
    const events = studioEvents(store);
    events.onWorkerError('out of memory');
    expect(store.get().error).toBe('The engine stopped: out of memory');
    events.onBusyChange(false, false);
    expect(store.get().status).toBe('error');
    expect(canAct(store.get())).toBe(false);
  });

  it('folds the progress of one frame into one store update, keeping every step; a point and the end of a job flush at once', () => {
    const store = plainStore({ training: { jobId: 5, losses: [], metrics: [], outcome: null } });
    let updates = 0;
    const set = store.set;
    store.set = (u) => { updates++; set(u); };
    const frames: (() => void)[] = [];
    const events = studioEvents(store, (flush) => frames.push(flush));
    for (let n = 1; n <= 30; n++) events.onProgress(step(n));
    expect(updates).toBe(0);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(updates).toBe(1);
    expect(store.get().training!.losses).toHaveLength(30);
    expect(store.get().progress?.fraction).toBe(0.3);
    // Steps still waiting for their frame land before a point the job makes, in order.
    events.onProgress(step(31));
    events.onProgress({ ...step(31), point: historyPoint(2) });
    expect(store.get().training!.losses).toHaveLength(31);
    expect(store.get().currentPointId).toBe(2);
    events.onProgress(step(32));
    events.onProgress(null);
    expect(store.get().training!.losses).toHaveLength(32);
    expect(store.get().progress).toBeNull();
    frames.forEach((f) => f());
    expect(store.get().progress).toBeNull(); // a late frame finds nothing to apply
  });
});
