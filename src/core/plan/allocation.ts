// Automatic per-layer allocation: from a sensitivity scan and one target (a global sparsity, a number
// of nonzero weights or MACs, a file size, or the largest metric drop allowed), choose every unit's
// sparsity so the predicted metric stays as high as possible.
//
// Model. Unit i alone at sparsity s costs drop_i(s) (its scan curve made monotone, linear between
// measured points; see sensitivity.ts dropCurve) and saves r_i(s) (nonzero weights, or MACs for a MAC
// target). The predicted drop of an allocation is the SUM of the units' drops: additive, which ignores
// that damage compounds across layers, so it is usually optimistic at high sparsity (the studio shows
// predicted next to measured); the predicted metric is floored at the worst metric the scan measured,
// as a sum of drops can pass 100%. Per-unit sparsity is capped at the ladder's largest value: nothing
// beyond it was measured.
//
// Allocator: equal marginal cost (the Lagrangian dual of "min sum drop_i subject to sum r_i >= R").
// Over the lower convex hull of each unit's (r_i, drop_i) points, the optimum for any budget prunes
// hull segments in increasing order of slope (drop per weight saved), i.e. each unit stops where its
// marginal cost reaches a common lambda. Segments of equal slope advance together. This orders all
// segments into one path u in [0, K] (K steps); allocation(u) fills the first floor(u) steps and a
// fraction of the next. Every unit's sparsity is nondecreasing in u, so every figure below is
// monotone in u and one bisection on u hits any target:
//   sparsity / params / macs  exact counts of the allocation (counts.ts; what computePruning gives),
//                             smallest u reaching the target: compression at least what was asked;
//   bytes                     the caller's measure (e.g. gzip of the masked weights), bisected until
//                             it lands within `tolerance` (default 1%) at or under the target;
//   maxDrop                   the largest u whose predicted drop <= value.
// Sparsities are snapped to what pruning can do (k / n weights, k / C channels), so the predicted
// drop is read at the sparsity that will really be applied.
import { UNCONTROLLED, type JobControl } from '../job';
import { countAllocation, prunedWeights, removedChannels, type AllocationCounts } from './counts';
import { dropCurve, interpolate, type SensitivityScan, type ScanUnit } from './sensitivity';

export type PlanTarget =
  /** Fraction of prunable weights that end up zero (global sparsity). */
  | { kind: 'sparsity'; value: number }
  /** Nonzero prunable weights left. */
  | { kind: 'params'; value: number }
  /** Nonzero MACs per example left (whole model, graph/macs.ts rules). */
  | { kind: 'macs'; value: number }
  /**
   * A size in bytes measured by the caller on a candidate allocation (layer path -> sparsity, what
   * computePruning's perLayer target takes), e.g. gzip of the masked float32 weights. Must shrink as
   * sparsities grow. `tolerance`: stop once within this fraction under the target (default 0.01).
   */
  | { kind: 'bytes'; value: number; measure: (sparsity: Record<string, number>) => Promise<number>; tolerance?: number }
  /** The most compression whose predicted metric drop stays <= value (0.01 = one accuracy point). */
  | { kind: 'maxDrop'; value: number };

export interface PlanOptions {
  /** Checkpoints between size measurements (bytes target only; the other targets take milliseconds). */
  control?: JobControl;
  /** Bytes target: at most this many measure calls (default 24). */
  maxMeasures?: number;
}

export interface UnitAllocation {
  id: string;
  layers: string[];
  sparsity: number;
  /** Predicted drop of this unit alone at its sparsity. */
  drop: number;
}

export interface Allocation {
  /** The target, without the callback (plain data). */
  target: { kind: PlanTarget['kind']; value: number };
  /** False when even every unit at the ladder's largest sparsity cannot reach the target. */
  reached: boolean;
  /** Layer path -> sparsity for computePruning's perLayer target (every layer of a unit gets the unit's value). */
  sparsity: Record<string, number>;
  units: UnitAllocation[];
  /** baseline - predictedDrop, floored at the worst metric the scan measured (the sum can run past it). */
  predictedMetric: number;
  /** Sum of the units' drops: additive, usually optimistic. */
  predictedDrop: number;
  /** What the allocation leaves: exact counts for a dense starting point; bytes when measured. */
  achieved: AllocationCounts & { bytes?: number };
  /** Bytes target: measure calls made. */
  measures?: number;
}

interface Segment {
  unit: number;
  from: number;
  to: number;
  slope: number;
}

interface Path {
  steps: Segment[][];
  units: ScanUnit[];
  drops: { x: number[]; d: number[] }[];
}

/** Snaps a sparsity to what pruning the unit can really do: k / n weights or k / C channels. */
function snap(u: ScanUnit, s: number): number {
  if (s <= 0) return 0;
  return u.cost.kind === 'channels' ? removedChannels(u.cost.channels, s) / u.cost.channels : prunedWeights(u.cost.size, s) / u.cost.size;
}

/** Lower convex hull of points sorted by x (ties: the first, lowest, point kept). */
function lowerHull(points: { r: number; d: number; x: number }[]): { r: number; d: number; x: number }[] {
  const hull: typeof points = [];
  for (const p of points) {
    if (hull.length && p.r <= hull[hull.length - 1].r) continue;
    while (hull.length >= 2) {
      const o = hull[hull.length - 2];
      const a = hull[hull.length - 1];
      // Drop a when it is not strictly below the line o -> p.
      if ((a.r - o.r) * (p.d - o.d) - (a.d - o.d) * (p.r - o.r) <= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

function buildPath(scan: SensitivityScan, currency: 'params' | 'macs'): Path {
  const segments: Segment[] = [];
  const drops = scan.units.map((u) => dropCurve(scan.baseline, u.curve));
  const base = countAllocation(scan, {});
  scan.units.forEach((u, i) => {
    const { x, d } = drops[i];
    const points = x.map((xi, j) => {
      const c = countAllocation(scan, { [u.id]: xi });
      return { x: xi, d: d[j], r: currency === 'macs' ? base.macs - c.macs : base.params - c.params };
    });
    const hull = lowerHull(points);
    for (let j = 1; j < hull.length; j++) {
      segments.push({ unit: i, from: hull[j - 1].x, to: hull[j].x, slope: (hull[j].d - hull[j - 1].d) / (hull[j].r - hull[j - 1].r) });
    }
  });
  // A unit's hull slopes increase strictly, so a stable sort keeps its segments in order.
  segments.sort((a, b) => a.slope - b.slope || a.unit - b.unit || a.from - b.from);
  const steps: Segment[][] = [];
  for (const s of segments) {
    const step = steps[steps.length - 1];
    if (step && step[0].slope === s.slope && !step.some((t) => t.unit === s.unit)) step.push(s);
    else steps.push([s]);
  }
  return { steps, units: scan.units, drops };
}

/** Unit id -> snapped sparsity at path position u in [0, steps]. */
function allocationAt(path: Path, u: number): Record<string, number> {
  const x = new Array<number>(path.units.length).fill(0);
  const full = Math.min(path.steps.length, Math.floor(u));
  for (let j = 0; j < full; j++) for (const s of path.steps[j]) x[s.unit] = s.to;
  const f = u - full;
  if (full < path.steps.length && f > 0) for (const s of path.steps[full]) x[s.unit] = s.from + f * (s.to - s.from);
  return Object.fromEntries(path.units.map((unit, i) => [unit.id, snap(unit, x[i])]));
}

function predictedDrop(path: Path, perUnit: Record<string, number>): number {
  return path.units.reduce((sum, u, i) => sum + interpolate(path.drops[i].x, path.drops[i].d, perUnit[u.id] ?? 0), 0);
}

/**
 * For a predicate nondecreasing in u on [0, K]: the last position where it fails (`lo`, -1 when it
 * holds at 0) and the first where it holds (`hi`, K + 1 when it never does), to 1e-12 of K.
 */
function boundary(k: number, holds: (u: number) => boolean): { lo: number; hi: number } {
  if (holds(0)) return { lo: -1, hi: 0 };
  if (!holds(k)) return { lo: k, hi: k + 1 };
  let lo = 0;
  let hi = k;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * Math.max(1, k); i++) {
    const mid = (lo + hi) / 2;
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return { lo, hi };
}

function checkTarget(scan: SensitivityScan, t: PlanTarget): void {
  const v = t.value;
  if (!Number.isFinite(v) || v < 0) throw new Error(`plan target ${t.kind}: ${v} is not a non-negative number`);
  if (t.kind === 'sparsity' && v > 1) throw new Error(`plan target sparsity: ${v} is not a fraction in [0, 1]`);
  if (t.kind === 'macs' && scan.totals.macs === 0) throw new Error('plan target macs: the model\'s MACs are unknown (dynamic input size)');
}

export async function planAllocation(scan: SensitivityScan, target: PlanTarget, options: PlanOptions = {}): Promise<Allocation> {
  checkTarget(scan, target);
  const path = buildPath(scan, target.kind === 'macs' ? 'macs' : 'params');
  const K = path.steps.length;
  const counts = (u: number) => countAllocation(scan, allocationAt(path, u));
  let u: number;
  let reached: boolean;
  let bytes: number | undefined;
  let measures: number | undefined;
  switch (target.kind) {
    case 'sparsity':
    case 'params': {
      // Both are a number of nonzero prunable weights left: the first position that leaves no more.
      // Rounded down so the sparsity reached is at least the one asked for (1e-9: 0.1 * 1000 is 99.999...).
      const left = Math.floor((target.kind === 'params' ? target.value : (1 - target.value) * scan.totals.prunableParams) + 1e-9);
      const b = boundary(K, (p) => counts(p).params <= left);
      reached = b.hi <= K;
      u = Math.min(K, b.hi);
      break;
    }
    case 'macs': {
      const b = boundary(K, (p) => counts(p).macs <= target.value);
      reached = b.hi <= K;
      u = Math.min(K, b.hi);
      break;
    }
    case 'maxDrop': {
      // The last position still within the budget (the drop at 0 is 0, so there is one).
      const b = boundary(K, (p) => predictedDrop(path, allocationAt(path, p)) > target.value);
      reached = true;
      u = Math.max(0, b.lo);
      break;
    }
    case 'bytes': {
      const r = await bisectBytes(path, target, options);
      ({ u, reached, bytes, measures } = r);
      break;
    }
  }
  const perUnit = allocationAt(path, u);
  const sparsity: Record<string, number> = {};
  const units: UnitAllocation[] = path.units.map((unit, i) => {
    const s = perUnit[unit.id];
    for (const layer of unit.layers) sparsity[layer] = s;
    return { id: unit.id, layers: [...unit.layers], sparsity: s, drop: interpolate(path.drops[i].x, path.drops[i].d, s) };
  });
  const drop = units.reduce((n, x) => n + x.drop, 0);
  // The additive sum can run past anything a model scores (below 0% accuracy at the ladder's top):
  // the prediction never goes below the worst metric the scan measured (about chance level).
  const floor = Math.min(scan.baseline, ...scan.units.flatMap((x) => x.curve.map((p) => p.metric)));
  return {
    target: { kind: target.kind, value: target.value },
    reached,
    sparsity,
    units,
    predictedMetric: Math.max(floor, scan.baseline - drop),
    predictedDrop: drop,
    achieved: { ...countAllocation(scan, perUnit), ...(bytes !== undefined ? { bytes } : {}) },
    ...(measures !== undefined ? { measures } : {}),
  };
}

async function bisectBytes(
  path: Path, target: Extract<PlanTarget, { kind: 'bytes' }>, options: PlanOptions,
): Promise<{ u: number; reached: boolean; bytes: number; measures: number }> {
  const control = options.control ?? UNCONTROLLED;
  const maxMeasures = options.maxMeasures ?? 24;
  const tolerance = target.tolerance ?? 0.01;
  const K = path.steps.length;
  const cache = new Map<string, number>();
  let measures = 0;
  const measure = async (u: number): Promise<number> => {
    const perUnit = allocationAt(path, u);
    const key = path.units.map((x) => perUnit[x.id]).join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    await control.checkpoint(Math.min(1, measures / maxMeasures), `Measuring size (${measures + 1})`);
    const perLayer: Record<string, number> = {};
    for (const unit of path.units) for (const layer of unit.layers) perLayer[layer] = perUnit[unit.id];
    const bytes = await target.measure(perLayer);
    measures++;
    if (!Number.isFinite(bytes)) throw new Error(`plan target bytes: measure returned ${bytes}`);
    cache.set(key, bytes);
    return bytes;
  };
  const close = (b: number) => b <= target.value && target.value - b <= tolerance * target.value;
  const atZero = await measure(0);
  if (atZero <= target.value) return { u: 0, reached: true, bytes: atZero, measures };
  const atEnd = await measure(K);
  if (atEnd > target.value) return { u: K, reached: false, bytes: atEnd, measures };
  let lo = 0;
  let hi = K;
  let hiBytes = atEnd;
  while (!close(hiBytes) && measures < maxMeasures && hi - lo > 1e-9 * Math.max(1, K)) {
    const mid = (lo + hi) / 2;
    const b = await measure(mid);
    if (b <= target.value) {
      hi = mid;
      hiBytes = b;
    } else lo = mid;
  }
  return { u: hi, reached: true, bytes: hiBytes, measures };
}
