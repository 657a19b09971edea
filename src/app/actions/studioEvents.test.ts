import { describe, expect, it } from 'vitest';
import { canAct } from '../store';
import { plainStore } from './fakeStudio';
import { studioEvents } from './studioEvents';

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
});
