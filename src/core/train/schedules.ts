// Pruning schedules: when to prune, and to what sparsity, during fine-tuning. Plain numbers only.
//
// AGP, automated gradual pruning (Zhu & Gupta 2017, "To prune, or not to prune"):
//   s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n·Δt))^3   for t0 <= t <= t0 + n·Δt
// s_i before t0, s_f from t0 + n·Δt on (returned as s_f exactly, never a rounded cube).

export interface AgpOptions {
  /** s_i: sparsity at startStep (usually 0). */
  initial: number;
  /** s_f: the sparsity reached at startStep + steps. */
  final: number;
  /** t0 */
  startStep: number;
  /** n·Δt: the length of the pruning phase in steps. */
  steps: number;
}

function checkFraction(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new Error(`${name} sparsity ${v} is not in [0, 1]`);
}

export function agpSparsity(step: number, o: AgpOptions): number {
  checkFraction('initial', o.initial);
  checkFraction('final', o.final);
  if (!(o.steps >= 0)) throw new Error(`agpSparsity: steps ${o.steps} is negative`);
  if (step >= o.startStep + o.steps) return o.final;
  if (step <= o.startStep) return o.initial;
  const r = 1 - (step - o.startStep) / o.steps;
  const s = o.final + (o.initial - o.final) * r * r * r;
  const lo = Math.min(o.initial, o.final);
  const hi = Math.max(o.initial, o.final);
  return Math.min(hi, Math.max(lo, s));
}

export type ScheduleKind = 'oneShot' | 'iterative' | 'agp';

export interface PruneEvent {
  /** Prune before training step `atStep` (0-based; atStep = totalSteps means after the last step). */
  atStep: number;
  /** Target sparsity of the pruning done at that step. */
  sparsity: number;
}

export interface ScheduleOptions {
  final: number;
  totalSteps: number;
  /** Sparsity the schedule starts from (default 0). */
  initial?: number;
  /** Number of pruning events (iterative, agp). Default 10, or as many as `frequency` gives. */
  rounds?: number;
  /** Δt: steps between events (iterative, agp), instead of rounds. */
  frequency?: number;
  /** t0: first step of the pruning phase (default 0). */
  startStep?: number;
  /**
   * Last step at which pruning may happen (default: 3/4 of totalSteps, rounded down, so the last
   * quarter fine-tunes at the final sparsity). Events never go past it.
   */
  endStep?: number;
}

/**
 * Pruning events in step order, sparsities non-decreasing, the last one exactly at `final`.
 * - oneShot: one event at startStep.
 * - iterative: `rounds` evenly spaced events, each removing the same fraction of the weights still
 *   left (sparsity_k = 1 - (1 - s_i)·((1 - s_f)/(1 - s_i))^(k/n), as iterative magnitude pruning).
 * - agp: events every Δt from t0 + Δt to t0 + n·Δt at agpSparsity (the cubic).
 * An event at sparsity s_i is left out when s_i is 0 (nothing to prune); events that fall on one step
 * are merged (the later, higher sparsity wins).
 */
export function pruneSchedule(kind: ScheduleKind, o: ScheduleOptions): PruneEvent[] {
  const initial = o.initial ?? 0;
  checkFraction('initial', initial);
  checkFraction('final', o.final);
  if (initial > o.final) throw new Error(`pruneSchedule: initial sparsity ${initial} is above the final ${o.final}`);
  if (!Number.isInteger(o.totalSteps) || o.totalSteps < 0) throw new Error(`pruneSchedule: totalSteps ${o.totalSteps} is not a whole number >= 0`);
  const start = o.startStep ?? 0;
  const end = o.endStep ?? Math.floor(o.totalSteps * 0.75);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > o.totalSteps) {
    throw new Error(`pruneSchedule: steps ${start}..${end} are not within 0..${o.totalSteps}`);
  }
  if (kind === 'oneShot') return [{ atStep: start, sparsity: o.final }];
  if (kind !== 'iterative' && kind !== 'agp') throw new Error(`pruneSchedule: unknown schedule ${String(kind)}`);

  const span = end - start;
  let times: number[];
  if (o.frequency != null) {
    if (!Number.isInteger(o.frequency) || o.frequency < 1) throw new Error(`pruneSchedule: frequency ${o.frequency} is not a whole number >= 1`);
    const n = Math.max(1, Math.floor(span / o.frequency));
    times = Array.from({ length: n }, (_, k) => Math.min(end, start + (k + 1) * o.frequency!));
  } else {
    const n = o.rounds ?? 10;
    if (!Number.isInteger(n) || n < 1) throw new Error(`pruneSchedule: rounds ${n} is not a whole number >= 1`);
    times = Array.from({ length: n }, (_, k) => start + Math.round(((k + 1) * span) / n));
  }
  const last = times[times.length - 1];
  const n = times.length;
  const events: PruneEvent[] = [];
  if (initial > 0) events.push({ atStep: start, sparsity: initial });
  times.forEach((t, k) => {
    let s: number;
    if (k === n - 1) s = o.final;
    else if (kind === 'agp') s = agpSparsity(t, { initial, final: o.final, startStep: start, steps: last - start });
    else s = 1 - (1 - initial) * Math.pow((1 - o.final) / (1 - initial), (k + 1) / n);
    if (o.final === 1 && kind === 'iterative' && k < n - 1) s = initial + ((o.final - initial) * (k + 1)) / n;
    const prev = events[events.length - 1];
    if (prev && prev.atStep === t) prev.sparsity = Math.max(prev.sparsity, s);
    else events.push({ atStep: t, sparsity: s });
  });
  return events;
}
