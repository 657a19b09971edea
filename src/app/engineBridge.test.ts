import { describe, expect, it } from 'vitest';
import { EngineBridge, type EngineRemote } from './engineBridge';

/** A call that ends when the test says so. */
function gate<T>(value: T) {
  let open = () => {};
  const done = new Promise<T>((resolve) => (open = () => resolve(value)));
  return { open, call: () => done };
}

function bridgeWithLog() {
  const states: string[] = [];
  const bridge = new EngineBridge({
    onBusyChange: (busy, acting) => states.push(`${busy ? 'busy' : 'idle'}${acting ? '+acting' : ''}`),
    onProgress: () => {},
    onWorkerError: () => {},
  }, {} as EngineRemote);
  return { bridge, states };
}

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
});
