import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, NoBackendError, type BackendCandidate } from './backendChoice';
import { smokeCheck } from './smoke';
import type { BackendName } from './api';

/** A candidate that records when it was tried and either works or fails with `failWith`. */
function fake(name: BackendName, tried: BackendName[], failWith?: string): BackendCandidate {
  return {
    name,
    activate: async () => {
      tried.push(name);
      if (failWith) throw new Error(failWith);
      return { device: `${name} device`, software: name === 'cpu' };
    },
  };
}

describe('chooseBackend', () => {
  it('takes the first backend that passes, without trying the rest', async () => {
    const tried: BackendName[] = [];
    const r = await chooseBackend([fake('webgpu', tried), fake('webgl', tried), fake('cpu', tried)]);
    expect(r.active).toBe('webgpu');
    expect(tried).toEqual(['webgpu']);
    expect(r.attempts.map((a) => [a.name, a.ok, a.reason])).toEqual([
      ['webgpu', true, undefined],
      ['webgl', false, 'not needed: webgpu works and comes first'],
      ['cpu', false, 'not needed: webgpu works and comes first'],
    ]);
  });

  it('falls back webgpu -> webgl -> cpu in that order, keeping each real reason', async () => {
    const tried: BackendName[] = [];
    const r = await chooseBackend([
      fake('webgpu', tried, 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this device'),
      fake('webgl', tried, 'smoke test returned [0, 0, 0, 0], expected [2, 3.5, 0.5, 5.75]'),
      fake('cpu', tried),
    ]);
    expect(tried).toEqual(['webgpu', 'webgl', 'cpu']);
    expect(r.active).toBe('cpu');
    expect(r.software).toBe(true);
    expect(r.attempts.find((a) => a.name === 'webgpu')?.reason).toBe(
      'navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this device',
    );
    expect(r.attempts.find((a) => a.name === 'webgl')?.reason).toBe(
      'smoke test returned [0, 0, 0, 0], expected [2, 3.5, 0.5, 5.75]',
    );
  });

  it('stops at webgl when only webgpu fails', async () => {
    const tried: BackendName[] = [];
    const r = await chooseBackend([fake('webgpu', tried, 'boom'), fake('webgl', tried), fake('cpu', tried)]);
    expect(r.active).toBe('webgl');
    expect(tried).toEqual(['webgpu', 'webgl']);
  });

  it('tries only the forced backend and says why the others were not tried', async () => {
    const tried: BackendName[] = [];
    const r = await chooseBackend([fake('webgpu', tried), fake('webgl', tried), fake('cpu', tried)], 'cpu');
    expect(tried).toEqual(['cpu']);
    expect(r.active).toBe('cpu');
    expect(r.forced).toBe('cpu');
    expect(r.attempts.find((a) => a.name === 'webgpu')?.reason).toBe('not tried: ?backend=cpu forces cpu');
  });

  it('fails with every reason when nothing works', async () => {
    const tried: BackendName[] = [];
    const p = chooseBackend([fake('webgpu', tried, 'a'), fake('webgl', tried, 'b'), fake('cpu', tried, 'c')]);
    await expect(p).rejects.toThrow(NoBackendError);
    await expect(p).rejects.toThrow('No TensorFlow.js backend works in this browser: webgpu: a; webgl: b; cpu: c');
  });
});

describe('smokeCheck', () => {
  it('passes on a backend that computes correctly (cpu)', async () => {
    await tf.setBackend('cpu');
    await expect(smokeCheck()).resolves.toBeUndefined();
  });

  it('rejects a backend whose kernels return zeros', async () => {
    await tf.setBackend('cpu');
    const original = tf.getKernel('BatchMatMul', 'cpu');
    expect(original).toBeDefined();
    // Simulate a broken backend: matmul answers with zeros.
    tf.unregisterKernel('BatchMatMul', 'cpu');
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: 'cpu',
      kernelFunc: ({ backend }) => (backend as unknown as { makeTensorInfo: (s: number[], d: string, v: Float32Array) => tf.TensorInfo })
        .makeTensorInfo([1, 2, 2], 'float32', new Float32Array(4)),
    });
    try {
      await expect(smokeCheck()).rejects.toThrow('smoke test returned [6.5, 0, 6.5, 0], expected [2, 3.5, 0.5, 5.75]');
    } finally {
      tf.unregisterKernel('BatchMatMul', 'cpu');
      tf.registerKernel(original!);
    }
  });
});
