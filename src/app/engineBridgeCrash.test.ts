import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../engine/api';
import { EngineBridge, InterruptedError, type EngineRemote } from './engineBridge';

describe('EngineBridge after a crash', () => {
  it('interrupts the running job (named by its progress) and the queued ones, starts a new engine, and runs later jobs there', async () => {
    const engines = [{ name: 'first' }, { name: 'second' }] as unknown as EngineRemote[];
    let started = 0;
    const crashes: [string, string | null][] = [];
    const errors: string[] = [];
    const bridge = new EngineBridge({
      onBusyChange: () => {},
      onProgress: () => {},
      onWorkerError: (m) => errors.push(m),
      onWorkerCrash: (reason, what) => crashes.push([reason, what]),
    }, engines[0], () => ({ engine: engines[++started], worker: null }));
    expect(await bridge.run(async (e) => (e as unknown as { name: string }).name).result).toBe('first');

    const running = bridge.run((_e, jobId, onProgress) => {
      onProgress({ jobId, fraction: 0.3, label: 'Training step 3/10' } as JobProgress);
      return new Promise<never>(() => {});
    });
    let queuedRan = false;
    const queued = bridge.run(async () => (queuedRan = true));
    await new Promise((r) => setTimeout(r, 0));
    bridge.crashed(null, 'test hook: an uncaught error in the engine');
    await expect(running.result).rejects.toBeInstanceOf(InterruptedError);
    await expect(running.result).rejects.toThrow('Interrupted: "Training step 3/10": the engine stopped (test hook: an uncaught error in the engine).');
    await expect(queued.result).rejects.toBeInstanceOf(InterruptedError);
    expect(queuedRan).toBe(false);
    expect(crashes).toEqual([['test hook: an uncaught error in the engine', 'Training step 3/10']]);
    expect(errors).toEqual([]);
    expect(bridge.engine).toBe(engines[1]);
    expect(await bridge.run(async (e) => (e as unknown as { name: string }).name).result).toBe('second');
  });

  it('a worker that dies before it ever answered failed to start: no restart loop', async () => {
    const errors: string[] = [];
    let starts = 0;
    const bridge = new EngineBridge({ onBusyChange: () => {}, onProgress: () => {}, onWorkerError: (m) => errors.push(m), onWorkerCrash: () => {} },
      {} as unknown as EngineRemote, () => (starts++, { engine: {} as unknown as EngineRemote, worker: null }));
    const first = bridge.run(() => new Promise<never>(() => {}));
    await new Promise((r) => setTimeout(r, 0));
    bridge.crashed(null, 'the engine worker failed');
    await expect(first.result).rejects.toBeInstanceOf(InterruptedError);
    expect(errors).toEqual(['the engine worker failed']);
    expect(starts).toBe(0);
  });
});
