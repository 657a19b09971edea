import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { chooseBackend, type BackendCandidate } from './backendChoice';
import { indexedDbChoiceMemory, type ChoiceMemory } from './backendMemory';
import type { BackendName } from './api';

/** Candidates whose probe steps advance a fake clock; `log` records what was started. */
function setup(stepMs: Partial<Record<BackendName, number>>, fail: BackendName[] = []) {
  let t = 0;
  const log: string[] = [];
  const candidates: BackendCandidate[] = (['webgpu', 'wasm', 'cpu'] as BackendName[]).map((name) => ({
    name,
    gpu: name === 'webgpu',
    activate: async () => {
      log.push(name);
      if (fail.includes(name)) throw new Error(`${name} is gone`);
      return { device: name, software: name === 'webgpu' };
    },
    probe: async () => ({ step: async () => { t += stepMs[name] ?? 500; }, dispose: () => undefined }),
  }));
  const plan = { warmup: 1, steps: 3, cutoff: 100, warmupFactor: 1000, warmupFloorMs: 1e6, wait: () => new Promise<void>(() => undefined) };
  return { candidates, log, now: () => t, plan };
}

let n = 0;
/** The IndexedDB memory (fake-indexeddb, shared by the file) as a device with this fingerprint sees it; each test has its own device. */
const memory = (fingerprint: string, at = Date.UTC(2026, 11, 1)): ChoiceMemory => indexedDbChoiceMemory(async () => fingerprint, () => at);

describe('remembered backend choice', () => {
  it('measures once, then starts the remembered winner alone on the same device', async () => {
    const fp = `device-${n++}`;
    const first = setup({ webgpu: 240, wasm: 18, cpu: 130 });
    const r1 = await chooseBackend(first.candidates, null, first.now, first.plan, memory(fp));
    expect(r1.chosenBy).toBe('measurement');
    expect(r1.active).toBe('wasm');

    const second = setup({ webgpu: 240, wasm: 18, cpu: 130 });
    const r2 = await chooseBackend(second.candidates, null, second.now, second.plan, memory(fp));
    expect(r2.chosenBy).toBe('remembered');
    expect(r2.active).toBe('wasm');
    expect(second.log).toEqual(['wasm']);
    expect(r2.why).toBe(`${r1.why.replace(/\.$/, '')} (on 2026-12-01; remembered for this device, ?backend=fastest measures again).`);
    expect(r2.attempts.find((a) => a.name === 'webgpu')?.reason).toBe('not tried: WASM was measured fastest on this device (2026-12-01)');
  });

  it('another device (browser, cores or GPU) measures again', async () => {
    const a = setup({ webgpu: 240, wasm: 18 });
    await chooseBackend(a.candidates, null, a.now, a.plan, memory(`laptop-a-${n++}`));
    const b = setup({ webgpu: 5, wasm: 18 });
    const r = await chooseBackend(b.candidates, null, b.now, b.plan, memory(`laptop-b-${n++}`));
    expect(r.chosenBy).toBe('measurement');
    expect(r.active).toBe('webgpu');
  });

  it('a remembered backend that no longer starts is forgotten and the choice measured again', async () => {
    const fp = `device-${n++}`;
    const a = setup({ webgpu: 240, wasm: 18 });
    await chooseBackend(a.candidates, null, a.now, a.plan, memory(fp));
    const b = setup({ webgpu: 240, wasm: 18 }, ['wasm']);
    const r = await chooseBackend(b.candidates, null, b.now, b.plan, memory(fp));
    expect(r.chosenBy).toBe('measurement');
    expect(r.active).toBe('webgpu');
    expect(r.attempts.find((x) => x.name === 'wasm')?.reason).toBe('wasm is gone');
  });

  it('?backend=fastest measures again and updates what is remembered; a forced backend neither reads nor writes it', async () => {
    const fp = `device-${n++}`;
    const a = setup({ webgpu: 240, wasm: 18 });
    await chooseBackend(a.candidates, null, a.now, a.plan, memory(fp));
    const forced = setup({});
    expect((await chooseBackend(forced.candidates, 'cpu', forced.now, forced.plan, memory(fp))).chosenBy).toBe('forced');
    const faster = setup({ webgpu: 2, wasm: 18 });
    const r = await chooseBackend(faster.candidates, 'fastest', faster.now, faster.plan, memory(fp));
    expect(r).toMatchObject({ chosenBy: 'measurement', active: 'webgpu' });
    const next = setup({});
    expect(await chooseBackend(next.candidates, null, next.now, next.plan, memory(fp))).toMatchObject({ chosenBy: 'remembered', active: 'webgpu' });
  });
});
