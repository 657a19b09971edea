import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, NoBackendError, type BackendCandidate } from './backendChoice';
import { smokeCheck } from './smoke';
import type { BackendName } from './api';

interface FakeOptions {
  failWith?: string;
  software?: boolean;
  /** Clock ms one probe step takes; absent: the candidate has no probe. */
  stepMs?: number;
  /** Warm-up (first) step's clock ms, when unlike the others. */
  firstStepMs?: number;
  probeFails?: string;
}

/** A fake clock that probe steps advance. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

type Log = string[];

/** A candidate that records what was done with it in `log`. */
function fake(name: BackendName, log: Log, o: FakeOptions = {}, time = clock()): BackendCandidate {
  return {
    name,
    gpu: name === 'webgpu' || name === 'webgl',
    // As backends.ts says of the real one.
    ...(name === 'cpu' ? { dominatedBy: { name: 'wasm' as const, why: 'the CPU backend runs the same kernels in plain JavaScript' } } : {}),
    activate: async () => {
      log.push(`activate ${name}`);
      if (o.failWith) throw new Error(o.failWith);
      return { device: `${name} device`, software: !!o.software };
    },
    probe: o.stepMs === undefined ? undefined : async () => {
      let steps = 0;
      return {
        step: async () => {
          if (o.probeFails) throw new Error(o.probeFails);
          time.advance(steps++ === 0 && o.firstStepMs !== undefined ? o.firstStepMs : o.stepMs!);
        },
        dispose: () => log.push(`dispose probe ${name}`),
      };
    },
    release: () => log.push(`release ${name}`),
  };
}

const plan = { warmup: 1, steps: 3, cutoff: 4, warmupFactor: 20, warmupFloorMs: 300, wait: () => new Promise<void>(() => undefined) };
const tried = (log: Log) => log.filter((l) => l.startsWith('activate')).map((l) => l.slice(9));

describe('chooseBackend', () => {
  it('keeps a hardware GPU first in order, without measuring or trying the rest', async () => {
    const log: Log = [];
    const r = await chooseBackend([fake('webgpu', log, { stepMs: 50 }), fake('webgl', log, { stepMs: 5 }), fake('wasm', log, { stepMs: 1 }), fake('cpu', log)], null, clock().now, plan);
    expect(r.active).toBe('webgpu');
    expect(r.chosenBy).toBe('order');
    expect(tried(log)).toEqual(['webgpu']);
    expect(r.why).toBe('WebGPU runs on a hardware GPU (webgpu device): kept first, without measuring.');
    expect(r.attempts.map((a) => [a.name, a.ok, a.reason])).toEqual([
      ['webgpu', true, undefined],
      ['webgl', false, 'not needed: WebGPU runs on a hardware GPU and comes first'],
      ['wasm', false, 'not needed: WebGPU runs on a hardware GPU and comes first'],
      ['cpu', false, 'not needed: WebGPU runs on a hardware GPU and comes first'],
    ]);
  });

  it('keeps a hardware WebGL when WebGPU fails, keeping the real reason', async () => {
    const log: Log = [];
    const r = await chooseBackend([
      fake('webgpu', log, { failWith: 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this device' }),
      fake('webgl', log, { stepMs: 50 }), fake('wasm', log, { stepMs: 1 }), fake('cpu', log, { stepMs: 10 }),
    ], null, clock().now, plan);
    expect(r.active).toBe('webgl');
    expect(r.chosenBy).toBe('order');
    expect(tried(log)).toEqual(['webgpu', 'webgl']);
    expect(r.attempts[0].reason).toBe('navigator.gpu.requestAdapter() returned null: no WebGPU adapter on this device');
  });

  it('with software GPUs, measures every working backend and keeps the fastest', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([
      fake('webgpu', log, { software: true, stepMs: 240, firstStepMs: 300 }, time),
      fake('webgl', log, { software: true, stepMs: 95 }, time),
      fake('wasm', log, { stepMs: 18 }, time),
      fake('cpu', log, { stepMs: 130 }, time),
    ], null, time.now, plan);
    expect(r.active).toBe('wasm');
    expect(r.chosenBy).toBe('measurement');
    expect(r.software).toBe(false);
    expect(r.why).toBe('Measured, no hardware GPU here: WASM: 18 ms per probe step; WebGL (software) 95 ms; WebGPU (software) 240 ms.');
    expect(r.attempts.map((a) => [a.name, a.ok, a.probeMs])).toEqual([['webgpu', false, 240], ['webgl', false, 95], ['wasm', true, 18], ['cpu', false, undefined]]);
    expect(r.attempts.find((a) => a.name === 'webgl')?.reason).toBe('slower: 95 ms per probe step, against 18 ms for WASM');
    expect(r.attempts.find((a) => a.name === 'cpu')?.reason).toBe('not measured: WASM works, and the CPU backend runs the same kernels in plain JavaScript');
    // Started only when its turn comes: WebGPU first (to learn it is software), then WASM, then WebGL; never the CPU backend.
    expect(tried(log).slice(0, 3)).toEqual(['webgpu', 'wasm', 'webgpu']);
    expect(tried(log)).not.toContain('cpu');
    // Every probe is disposed; the losers that can be freed are; the winner is made active again last.
    expect(log.filter((l) => l.startsWith('dispose'))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('release'))).toEqual(['release webgpu', 'release webgl']);
    expect(log[log.length - 1]).toBe('activate wasm');
  });

  it('measures the CPU backend when WASM does not work', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([
      fake('webgpu', log, { software: true, stepMs: 240 }, time),
      fake('wasm', log, { failWith: 'WebAssembly is disabled' }, time),
      fake('cpu', log, { stepMs: 130 }, time),
    ], null, time.now, plan);
    expect(r.active).toBe('cpu');
    expect(r.attempts.map((a) => [a.name, a.ok, a.probeMs])).toEqual([['webgpu', false, 240], ['wasm', false, undefined], ['cpu', true, 130]]);
    expect(r.attempts[1].reason).toBe('WebAssembly is disabled');
  });

  it('does not start a second software GPU once one lost its warm-up: it would hold the page compiling shaders', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([
      fake('webgpu', log, { software: true, stepMs: 240, firstStepMs: 5000 }, time),
      fake('webgl', log, { software: true, stepMs: 95 }, time),
      fake('wasm', log, { stepMs: 18 }, time),
    ], null, time.now, plan);
    expect(r.active).toBe('wasm');
    expect(tried(log)).not.toContain('webgl');
    expect(r.attempts.find((a) => a.name === 'webgl')?.reason).toBe(
      'not measured: WebGPU (software) took over 360 ms for its first probe step against 18 ms for WASM, and a second software GPU would hold the page while it compiles its shaders');
    expect(r.attempts.find((a) => a.name === 'webgpu')?.reason).toBe('slower: its first probe step took over 360 ms, against 18 ms per step for WASM');
  });

  it('excludes warm-up from the figure: a slower first step does not lose the choice', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([
      fake('webgl', log, { software: true, stepMs: 10, firstStepMs: 390 }, time),
      fake('wasm', log, { stepMs: 20 }, time),
    ], null, time.now, plan);
    expect(r.active).toBe('webgl');
    expect(r.attempts[0].probeMs).toBe(10);
  });

  it('gives up a warm-up that takes longer than 20x the best step so far, and frees that backend once it is done', async () => {
    const log: Log = [];
    const time = clock();
    let finish = () => undefined as void;
    const gpu = fake('webgpu', log, { software: true, stepMs: 10 }, time);
    gpu.probe = async () => ({
      step: () => new Promise<void>((resolve) => { finish = resolve; }), // a shader compile that never ends by itself
      dispose: () => log.push('dispose probe webgpu'),
    });
    let fire = () => undefined as void;
    const waitPlan = { ...plan, wait: (ms: number) => new Promise<void>((resolve) => { log.push(`wait ${ms}`); fire = resolve; }) };
    const pending = chooseBackend([gpu, fake('wasm', log, { stepMs: 20 }, time)], null, time.now, waitPlan);
    await new Promise((r) => setTimeout(r, 0));
    fire();
    const r = await pending;
    expect(r.active).toBe('wasm');
    expect(log).toContain('wait 400');
    expect(r.attempts[0]).toMatchObject({ name: 'webgpu', ok: false, reason: 'slower: its first probe step took over 400 ms, against 20 ms per step for WASM' });
    expect(r.why).toBe('Measured, no hardware GPU here: WASM: 20 ms per probe step; WebGPU (software) over 400 ms for its first step.');
    expect(log).not.toContain('release webgpu');
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(log.slice(-2)).toEqual(['dispose probe webgpu', 'release webgpu']);
  });

  it('probes the CPU backends first, then the GPU ones', async () => {
    const log: Log = [];
    const time = clock();
    await chooseBackend([
      fake('webgpu', log, { software: true, stepMs: 240 }, time), fake('webgl', log, { software: true, stepMs: 95 }, time),
      fake('wasm', log, { stepMs: 18 }, time), fake('cpu', log, { stepMs: 130 }, time),
    ], null, time.now, plan);
    expect(log.filter((l) => l.startsWith('dispose')).map((l) => l.slice(14))).toEqual(['wasm', 'webgpu', 'webgl']);
  });

  it('stops timing a candidate that is clearly slower', async () => {
    const log: Log = [];
    const time = clock();
    let cpuSteps = 0;
    const cpu = fake('webgl', log, { software: true, stepMs: 300 }, time);
    const probe = cpu.probe!;
    cpu.probe = async () => {
      const run = await probe();
      return { step: async () => { cpuSteps++; await run.step(); }, dispose: run.dispose };
    };
    await chooseBackend([cpu, fake('wasm', log, { stepMs: 20 }, time)], null, time.now, plan);
    expect(cpuSteps).toBe(2); // the warm-up and one timed step, 15x the best
  });

  it('a candidate whose probe fails is not chosen and says why', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([
      fake('webgpu', log, { software: true, stepMs: 5, probeFails: 'GPU device was lost' }, time),
      fake('webgl', log, { software: true, stepMs: 95 }, time),
      fake('cpu', log, { stepMs: 130 }, time),
    ], null, time.now, plan);
    expect(r.active).toBe('webgl');
    expect(r.attempts[0]).toMatchObject({ name: 'webgpu', ok: false, reason: 'its probe failed: GPU device was lost' });
    expect(r.why).toBe('Measured, no hardware GPU here: WebGL (software): 95 ms per probe step; CPU 130 ms.');
  });

  it('?backend=fastest measures even with a hardware GPU', async () => {
    const log: Log = [];
    const time = clock();
    const r = await chooseBackend([fake('webgpu', log, { stepMs: 30 }, time), fake('webgl', log, { stepMs: 8 }, time), fake('cpu', log, { stepMs: 100 }, time)], 'fastest', time.now, plan);
    expect(r.active).toBe('webgl');
    expect(r.why).toBe('Measured (?backend=fastest): WebGL: 8.0 ms per probe step; WebGPU 30 ms; CPU 100 ms.');
  });

  it('tries only the forced backend and says why the others were not tried', async () => {
    const log: Log = [];
    const r = await chooseBackend([fake('webgpu', log), fake('webgl', log), fake('wasm', log), fake('cpu', log)], 'wasm');
    expect(tried(log)).toEqual(['wasm']);
    expect(r.active).toBe('wasm');
    expect(r.forced).toBe('wasm');
    expect(r.chosenBy).toBe('forced');
    expect(r.why).toBe('Forced by ?backend=wasm.');
    expect(r.attempts.find((a) => a.name === 'webgpu')?.reason).toBe('not tried: ?backend=wasm forces wasm');
  });

  it('a forced backend that fails is an error with its reason', async () => {
    const log: Log = [];
    await expect(chooseBackend([fake('webgpu', log), fake('wasm', log, { failWith: 'no WebAssembly' })], 'wasm'))
      .rejects.toThrow('No TensorFlow.js backend works in this browser: wasm: no WebAssembly');
  });

  it('fails with every reason when nothing works', async () => {
    const log: Log = [];
    const p = chooseBackend([fake('webgpu', log, { failWith: 'a' }), fake('webgl', log, { failWith: 'b' }), fake('cpu', log, { failWith: 'c' })]);
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
