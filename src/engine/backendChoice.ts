// Chooses the tfjs backend. Pure logic: the candidates (real tfjs ones live in backends.ts) and the
// clock are injected, so every rule is unit-tested.
//
// - `?backend=<name>` forces that one alone.
// - Otherwise the candidates are activated in order (WebGPU, WebGL, WASM, CPU). When the first that
//   works is a GPU backend on a hardware GPU, it is kept: a real GPU beats the CPU backends, and the
//   user's order stands.
// - When it is not (a software GPU such as SwiftShader or a fallback adapter, or no GPU at all), or
//   `?backend=fastest` asks for it, every working candidate runs the same short probe (forward and
//   backward of a small conv net; warm-up steps not counted) and the fastest is kept. The CPU ones
//   go first; a GPU whose first step takes far longer than the best figure so far loses without
//   being waited for. Two things are not measured because the answer is known and asking costs
//   seconds of start-up: a backend `dominatedBy` one that was measured, and a second software GPU
//   once one lost its warm-up (WebGL compiles its shaders synchronously, holding the worker).
import type { BackendAttempt, BackendName, BackendReport, BackendRequest } from './api';
import type { ChoiceMemory } from './backendMemory';

/** A probe built on one backend: each step runs it once and waits for the result. */
export interface ProbeRun {
  step(): Promise<void>;
  dispose(): void;
}

export interface BackendCandidate {
  name: BackendName;
  /** A GPU backend (WebGPU, WebGL): kept without measuring when its device is hardware. */
  gpu: boolean;
  /**
   * Makes this backend the active one and proves it works: initialise (or reuse an initialised
   * instance), then run a smoke computation. Resolves with the device description, or throws an
   * Error saying why not.
   */
  activate(): Promise<{ device?: string; software?: boolean }>;
  /** Builds the probe on this backend while it is the active one. Absent: it cannot be measured. */
  probe?(): Promise<ProbeRun>;
  /** Frees the backend once another was chosen. */
  release?(): void;
  /**
   * Never faster than that backend when it works (tfjs's plain-JavaScript CPU backend runs the same
   * kernels as WASM without SIMD): not measured then, `why` saying so.
   */
  dominatedBy?: { name: BackendName; why: string };
}

export interface ProbePlan {
  /** Untimed steps first (shader compilation, wasm warm-up). */
  warmup: number;
  /** Timed steps; their median is the figure. */
  steps: number;
  /** Stop timing a candidate once one step is this many times slower than the best median so far. */
  cutoff: number;
  /**
   * A candidate's warm-up is given up (it loses) once it takes longer than this many times the best
   * median so far, and at least warmupFloorMs: a software GPU compiling its shaders for seconds
   * would make the page wait for a backend that cannot win.
   */
  warmupFactor: number;
  warmupFloorMs: number;
  /** Resolves after `ms` (setTimeout unless a test injects one). */
  wait?: (ms: number) => Promise<void>;
}

export const DEFAULT_PROBE_PLAN: ProbePlan = { warmup: 1, steps: 3, cutoff: 4, warmupFactor: 10, warmupFloorMs: 200 };

export class NoBackendError extends Error {
  constructor(public readonly attempts: BackendAttempt[]) {
    super(`No TensorFlow.js backend works in this browser: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`);
    this.name = 'NoBackendError';
  }
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const msText = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Activated {
  candidate: BackendCandidate;
  attempt: BackendAttempt;
}

async function activate(c: BackendCandidate, now: () => number): Promise<Activated | BackendAttempt> {
  const t0 = now();
  try {
    const { device, software } = await c.activate();
    return { candidate: c, attempt: { name: c.name, ok: true, device, software: !!software, ms: now() - t0 } };
  } catch (e) {
    return { name: c.name, ok: false, reason: messageOf(e), ms: now() - t0 };
  }
}

type ProbeOutcome =
  | { ms: number }
  /** The warm-up passed its limit: the candidate loses; `settled` resolves once its work is done. */
  | { overMs: number; settled: Promise<void> };

/** Median ms per probe step on the active backend, or its warm-up's limit passed; throws when the probe fails. */
async function timeProbe(c: BackendCandidate, plan: ProbePlan, best: number, now: () => number): Promise<ProbeOutcome> {
  const run = await c.probe!();
  const limit = Number.isFinite(best) ? Math.max(plan.warmupFloorMs, plan.warmupFactor * best) : Infinity;
  const t0 = now();
  let settled = false;
  const warm = (async () => {
    for (let i = 0; i < plan.warmup; i++) await run.step();
  })().finally(() => { settled = true; });
  try {
    const wait = plan.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    await (Number.isFinite(limit) ? Promise.race([warm, wait(limit)]) : warm);
  } catch (e) {
    run.dispose();
    throw e;
  }
  if (!settled || now() - t0 > limit) {
    // Its work may still be running (a GPU compiling shaders): free it once done, never wait for it.
    return { overMs: limit, settled: warm.catch(() => undefined).then(() => run.dispose()) };
  }
  try {
    const times: number[] = [];
    for (let i = 0; i < plan.steps; i++) {
      const t1 = now();
      await run.step();
      times.push(now() - t1);
      if (times[times.length - 1] > plan.cutoff * best) break; // clearly slower: no need to finish
    }
    return { ms: median(times) };
  } finally {
    run.dispose();
  }
}

const report = (
  active: Activated, attempts: BackendAttempt[], chosenBy: BackendReport['chosenBy'], why: string, forced?: BackendName,
): BackendReport => ({
  active: active.candidate.name, software: !!active.attempt.software, device: active.attempt.device, forced, chosenBy, why, attempts,
});

/**
 * Chooses a backend as the file header says and leaves it active. `request` is `?backend=`'s value
 * (null: choose automatically). Throws NoBackendError when none works.
 */
export async function chooseBackend(
  candidates: BackendCandidate[],
  request?: BackendRequest | null,
  now: () => number = () => performance.now(),
  plan: ProbePlan = DEFAULT_PROBE_PLAN,
  memory?: ChoiceMemory,
): Promise<BackendReport> {
  const forced = request && request !== 'fastest' ? request : undefined;
  if (!request && memory) {
    const recalled = await recall(candidates, memory, now);
    if (recalled) return recalled;
  }
  const chosen = await measureOrOrder(candidates, request, now, plan, forced);
  if (chosen.chosenBy === 'measurement') await memory?.remember(chosen.active, chosen.why);
  return chosen;
}

/** The backend measured fastest on this device before, started alone; null when there is none or it no longer starts. */
async function recall(candidates: BackendCandidate[], memory: ChoiceMemory, now: () => number): Promise<BackendReport | null> {
  const r = await memory.recall();
  const c = r && candidates.find((x) => x.name === r.active);
  if (!r || !c) return null;
  const result = await activate(c, now);
  if (!('candidate' in result)) {
    await memory.forget();
    return null;
  }
  const day = new Date(r.at).toISOString().slice(0, 10);
  const attempts = candidates.map((x) => (x === c ? result.attempt
    : { name: x.name, ok: false, reason: `not tried: ${LABEL[c.name]} was measured fastest on this device (${day})`, ms: 0 }));
  return report(result, attempts, 'remembered', `${r.why.replace(/\.$/, '')} (on ${day}; remembered for this device, ?backend=fastest measures again).`);
}

async function measureOrOrder(
  candidates: BackendCandidate[], request: BackendRequest | null | undefined, now: () => number, plan: ProbePlan, forced: BackendName | undefined,
): Promise<BackendReport> {
  if (forced) {
    const attempts: BackendAttempt[] = candidates.map((c) => ({ name: c.name, ok: false, reason: `not tried: ?backend=${forced} forces ${forced}`, ms: 0 }));
    const c = candidates.find((x) => x.name === forced);
    const result = c ? await activate(c, now) : { name: forced, ok: false, reason: 'not available in this build', ms: 0 };
    const at = attempts.findIndex((a) => a.name === forced);
    const attempt = 'candidate' in result ? result.attempt : result;
    if (at >= 0) attempts[at] = attempt;
    if (!('candidate' in result)) throw new NoBackendError([attempt]);
    return report(result, attempts, 'forced', `Forced by ?backend=${forced}.`, forced);
  }

  // In order until the first that works; keep it without measuring when it is a hardware GPU.
  const attempts: BackendAttempt[] = [];
  let first: Activated | null = null;
  let i = 0;
  while (!first && i < candidates.length) {
    const result = await activate(candidates[i++], now);
    if ('candidate' in result) first = result;
    attempts.push('candidate' in result ? result.attempt : result);
  }
  if (!first) throw new NoBackendError(attempts);
  if (request !== 'fastest' && first.candidate.gpu && !first.attempt.software) {
    for (const rest of candidates.slice(i)) {
      attempts.push({ name: rest.name, ok: false, reason: `not needed: ${LABEL[first.candidate.name]} runs on a hardware GPU and comes first`, ms: 0 });
    }
    const device = first.attempt.device ? ` (${first.attempt.device})` : '';
    return report(first, attempts, 'order', `${LABEL[first.candidate.name]} runs on a hardware GPU${device}: kept first, without measuring.`);
  }

  // Measure: the CPU backends first (cheap to start, short warm-up, a first figure that bounds the
  // GPUs' warm-up), then the GPU ones; each is started only when its turn comes, and is the active
  // backend while it is probed.
  const rest = candidates.slice(i);
  const order = [first.candidate, ...rest].filter((c) => !c.gpu).concat([first.candidate, ...rest].filter((c) => c.gpu));
  const working: Activated[] = [];
  let best = Infinity;
  let active: Activated | null = first;
  const overLimit = new Map<Activated, number>();
  /** A software GPU gave up its warm-up: the next one would block the worker compiling its shaders. */
  let softwareGpuLost: Activated | null = null;
  const skip = (c: BackendCandidate, reason: string) => attempts.push({ name: c.name, ok: false, reason, ms: 0 });
  for (const c of order) {
    const measured = working.find((w) => w.attempt.probeMs !== undefined);
    const dominant = c.dominatedBy && working.find((w) => w.candidate.name === c.dominatedBy!.name && w.attempt.probeMs !== undefined);
    if (dominant) {
      skip(c, `not measured: ${LABEL[dominant.candidate.name]} works, and ${c.dominatedBy!.why}`);
      continue;
    }
    let w: Activated;
    if (c === first.candidate) w = first;
    else {
      if (c.gpu && softwareGpuLost && measured) {
        const lost = LABEL[softwareGpuLost.candidate.name];
        skip(c, `not measured: ${lost} (software) took over ${msText(overLimit.get(softwareGpuLost)!)} for its first probe step against ` +
          `${msText(best)} for ${LABEL[measured.candidate.name]}, and a second software GPU would hold the page while it compiles its shaders`);
        continue;
      }
      const result = await activate(c, now);
      attempts.push('candidate' in result ? result.attempt : result);
      if (!('candidate' in result)) continue;
      w = result;
      active = w;
    }
    working.push(w);
    if (!c.probe) continue;
    try {
      if (active !== w) await c.activate();
      active = w;
      const outcome = await timeProbe(c, plan, best, now);
      if ('overMs' in outcome) {
        overLimit.set(w, outcome.overMs);
        if (c.gpu && w.attempt.software) softwareGpuLost = w;
        w.attempt.ok = false;
        w.attempt.reason = `slower: its first probe step took over ${msText(outcome.overMs)}`;
        void outcome.settled.then(() => c.release?.()).catch(() => undefined);
        continue;
      }
      if (!Number.isFinite(outcome.ms)) throw new Error(`took ${outcome.ms} ms`);
      w.attempt.probeMs = outcome.ms;
      best = Math.min(best, outcome.ms);
    } catch (e) {
      w.attempt.ok = false;
      w.attempt.reason = `its probe failed: ${messageOf(e)}`;
    }
  }
  // The attempts in the candidates' order, as the badge lists them.
  attempts.sort((a, b) => candidates.findIndex((c) => c.name === a.name) - candidates.findIndex((c) => c.name === b.name));
  const usable = working.filter((w) => w.attempt.ok);
  if (usable.length === 0) throw new NoBackendError(attempts);
  const timed = usable.filter((w) => w.attempt.probeMs !== undefined).sort((a, b) => a.attempt.probeMs! - b.attempt.probeMs!);
  const winner = timed[0] ?? usable[0];
  const winnerName = LABEL[winner.candidate.name];

  for (const w of working) {
    if (w === winner) continue;
    if (w.attempt.ok) {
      w.attempt.ok = false;
      w.attempt.reason = w.attempt.probeMs !== undefined && winner.attempt.probeMs !== undefined
        ? `slower: ${msText(w.attempt.probeMs)} per probe step, against ${msText(winner.attempt.probeMs)} for ${winnerName}`
        : `not measured: ${winnerName} works and comes first`;
    } else if (overLimit.has(w) && winner.attempt.probeMs !== undefined) {
      w.attempt.reason += `, against ${msText(winner.attempt.probeMs)} per step for ${winnerName}`;
    }
    if (overLimit.has(w)) continue; // freed once its work is done
    try {
      w.candidate.release?.();
    } catch {
      // Freeing a backend that lost is best effort.
    }
  }
  // Measuring switched backends: make the winner the active one again (reusing its instance).
  if (active !== winner) {
    const again = await activate(winner.candidate, now);
    if (!('candidate' in again)) throw new NoBackendError([again]);
  }

  const label = (w: Activated) => `${LABEL[w.candidate.name]}${w.attempt.software ? ' (software)' : ''}`;
  const figures = [
    ...timed.map((w, k) => `${label(w)}${k === 0 ? ':' : ''} ${msText(w.attempt.probeMs!)}${k === 0 ? ' per probe step' : ''}`),
    ...[...overLimit].map(([w, limit]) => `${label(w)} over ${msText(limit)} for its first step`),
  ];
  const whyStart = request === 'fastest' ? 'Measured (?backend=fastest)' : 'Measured, no hardware GPU here';
  const why = timed.length ? `${whyStart}: ${figures.join('; ')}.` : `${winnerName} is the first that works (none could be measured).`;
  return report(winner, attempts, timed.length ? 'measurement' : 'order', why);
}
