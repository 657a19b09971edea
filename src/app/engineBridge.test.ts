import { describe, expect, it } from 'vitest';
import type { StudioEngineApi } from '../engine/api';
import { EngineBridge, type EngineRemote } from './engineBridge';

/** A call that ends when the test says so. */
function gate<T>(value: T) {
  let open = () => {};
  const done = new Promise<T>((resolve) => (open = () => resolve(value)));
  return { open, call: () => done };
}

function bridgeWithLog(engine: Partial<StudioEngineApi> = {}) {
  const states: string[] = [];
  const bridge = new EngineBridge({
    onBusyChange: (busy, acting) => states.push(`${busy ? 'busy' : 'idle'}${acting ? '+acting' : ''}`),
    onProgress: () => {},
    onWorkerError: () => {},
  }, engine as unknown as EngineRemote);
  return { bridge, states };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('EngineBridge', () => {
  it('a background job keeps the studio busy but leaves the user free to act; a user job queued behind it is acting', async () => {
    const { bridge, states } = bridgeWithLog();
    const sizes = gate('sizes');
    const measuring = bridge.run(sizes.call, { background: true });
    expect(states).toEqual(['busy']);
    const order: string[] = [];
    const finetune = bridge.run(async () => (order.push('finetune'), 'trained'));
    expect(states).toEqual(['busy', 'busy+acting']);
    await Promise.resolve();
    expect(order).toEqual([]); // queued behind the background job, not dropped
    sizes.open();
    expect(await measuring.result).toBe('sizes');
    expect(await finetune.result).toBe('trained');
    await new Promise((r) => setTimeout(r, 0));
    expect(states).toEqual(['busy', 'busy+acting', 'idle']);
  });

  it('a user job alone is busy and acting; a failure still frees the queue', async () => {
    const { bridge, states } = bridgeWithLog();
    const failing = bridge.run(async () => { throw new Error('no'); });
    expect(states).toEqual(['busy+acting']);
    await expect(failing.result).rejects.toThrow('no');
    const next = bridge.run(async () => 'ok');
    expect(await next.result).toBe('ok');
    await new Promise((r) => setTimeout(r, 0));
    expect(states.at(-1)).toBe('idle');
    expect(next.jobId).toBe(failing.jobId + 1);
  });

  it('a job cancelled while still queued never starts: it rejects as cancelled and the job behind it runs', async () => {
    const told: number[] = [];
    const { bridge, states } = bridgeWithLog({ cancel: async (jobId: number) => void told.push(jobId) });
    const ahead = gate('sizes');
    const started: string[] = [];
    const sizes = bridge.run(ahead.call, { background: true });
    const stale = bridge.run(async () => (started.push('stale prune'), 'stale'));
    const fresh = bridge.run(async () => (started.push('fresh prune'), 'fresh'));
    expect(states).toEqual(['busy', 'busy+acting']);
    await bridge.cancel(stale.jobId);
    const error = await stale.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('CancelledError');
    expect((error as Error).message).toBe('Cancelled');
    expect(told).toEqual([]); // never reached the engine, so nothing to tell it
    ahead.open();
    expect(await sizes.result).toBe('sizes');
    expect(await fresh.result).toBe('fresh');
    expect(started).toEqual(['fresh prune']);
    await settled();
    expect(states.at(-1)).toBe('idle');
  });

  it('cancelling the only queued user job frees the buttons at once, while the background job still runs', async () => {
    const { bridge, states } = bridgeWithLog({ cancel: async () => {} });
    const ahead = gate('sizes');
    bridge.run(ahead.call, { background: true });
    const finetune = bridge.run(async () => 'trained');
    finetune.result.catch(() => {});
    await bridge.cancel(finetune.jobId);
    expect(states).toEqual(['busy', 'busy+acting', 'busy']);
    ahead.open();
    await settled();
    expect(states).toEqual(['busy', 'busy+acting', 'busy', 'idle']);
  });

  it('a running job is cancelled by the engine; cancelling it asks the engine and the queue goes on', async () => {
    const told: number[] = [];
    let stop = () => {};
    const { bridge } = bridgeWithLog({ cancel: async (jobId: number) => { told.push(jobId); stop(); } });
    let started = () => {};
    const withEngine = new Promise<void>((r) => (started = r));
    const running = bridge.run(() => new Promise<string>((_, reject) => {
      started();
      stop = () => reject(Object.assign(new Error('Cancelled'), { name: 'CancelledError' }));
    }));
    await withEngine;
    await bridge.cancel(running.jobId);
    expect(told).toEqual([running.jobId]);
    await expect(running.result).rejects.toThrow('Cancelled');
    expect(await bridge.run(async () => 'next').result).toBe('next');
    await bridge.cancel(running.jobId); // finished: only the engine hears of it, which ignores it
    expect(told).toEqual([running.jobId, running.jobId]);
  });
});
