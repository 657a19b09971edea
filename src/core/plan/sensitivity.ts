// Sensitivity scan: how the metric falls when one unit alone is pruned harder and harder, every other
// weight untouched (NNI's sensitivity analysis). A unit is a prunable layer (unstructured) or a channel
// dependency group (channels): coupled layers (two convs feeding an Add) are one unit and are pruned
// together, so a fragile layer is never reported robust because its partner kept the channels alive.
//
// For each unit and each sparsity of the ladder: mask the unit (masks only, never channel surgery, so
// the model keeps its shape), call the caller's evaluate, then write the unit's original weights back.
// Importance scores are computed once, on the starting point, and each unit's masks are exactly what
// computePruning gives for a perLayer target holding only that unit (tested), so a plan built from the
// scan is applied with computePruning and means what the scan measured.
//
// Cancellation: control.checkpoint runs before every evaluation and the evaluation gets a control
// that reports into its own slot of the progress bar, so a cancel lands within one evaluation (within
// one batch when evaluate checkpoints too). Whatever happens, the model's weights come back bit for
// bit (tested).
import type * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../graph/dependencyGraph';
import { weightKey } from '../graph/layerPaths';
import { countModel } from '../graph/macs';
import { listPrunableTensors, type PrunableTensor } from '../graph/prunable';
import { UNCONTROLLED, type JobControl } from '../job';
import { channelImportance, type ChannelScores } from '../prune/channelImportance';
import { channelMasks } from '../prune/channelMasks';
import { selectChannels } from '../prune/channelSelection';
import { importanceScores, type Criterion, type Scores, type TaylorOptions } from '../prune/importance';
import { applyMasks, type MaskSet } from '../prune/masks';
import { unstructuredMasks } from '../prune/unstructured';
import { captureWeights, restoreWeights, type WeightSnapshot } from '../prune/weightSnapshot';
import { prunedWeights, removedChannels, type CostModel, type TensorCost, type UnitCost } from './counts';

export const MERGE_HAS_NO_SCAN = 'The merge criterion has no sensitivity scan (it pairs units instead of ranking them): scan with magnitude, then merge';

/** Sparsities each unit is measured at, when the caller gives none. */
export const DEFAULT_LADDER: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** Default robustness tolerance: 1 point of a 0..1 metric such as accuracy. */
export const DEFAULT_TOLERANCE = 0.01;

export type ScanGranularity = 'unstructured' | 'channels';

/**
 * The metric of the model as it is now (masked), higher = better: accuracy or fidelity on a held-out
 * subset, or a negated loss. Checkpointing with `control` (e.g. evaluateAccuracy does, per batch)
 * lets a cancel land within the evaluation.
 */
export type Evaluate = (model: tf.LayersModel, control: JobControl) => Promise<number>;

export interface ScanOptions {
  granularity: ScanGranularity;
  criterion: Criterion;
  evaluate: Evaluate;
  /** Sparsities in (0, 1], measured in increasing order (default DEFAULT_LADDER). */
  ladder?: readonly number[];
  control?: JobControl;
  /** The unpruned metric when the caller already has it (saves one evaluation). */
  baseline?: number;
  /** Scan only these units: unit ids or layer paths (a group is scanned when one producer is listed). */
  units?: readonly string[];
  /** Random criterion seed (default 1, as computePruning). */
  seed?: number;
  /** Calibration data, required for 'taylor' (scores are computed once, on the starting point). */
  taylor?: TaylorOptions;
  /** Channel magnitude norm (default 'l1', as computePruning). */
  channelNorm?: 'l1' | 'l2';
  /** The model's dependency graph, when the caller has it (channels). */
  dependencies?: DependencyGraph;
  /** Drop that still counts as "unharmed" for the robustness figure (default 0.01). */
  tolerance?: number;
  /**
   * Early stop (NNI's early_stop_value): once a unit's metric is below this, its higher sparsities
   * are not measured but recorded with the same metric and `estimated: true`. A fragile unit then
   * costs a few evaluations instead of the whole ladder. Default: measure everything.
   */
  stopBelow?: number;
}

export interface CurvePoint {
  /**
   * The fraction the unit really lost: round(s * n) / n of its weights (unstructured) or k / C of its
   * channels (channels), which can differ from the ladder's value on small layers.
   */
  sparsity: number;
  /** The ladder value this point was asked for. */
  ladder: number;
  metric: number;
  /** True when not measured (early stop): the metric is the last measured one. */
  estimated?: boolean;
}

export interface ScanUnit {
  /** Layer path (unstructured) or group id = first producer's path (channels). */
  id: string;
  /** Layers whose sparsity this unit sets (a group's producers). */
  layers: string[];
  /** Prunable weights the unit removes when fully pruned (a group: every kernel slice its channels own). */
  params: number;
  /** MACs of those weights per example; null when unknown (dynamic shapes). */
  macs: number | null;
  /** Channels of the group (channels only). */
  channels?: number;
  /** One point per ladder value, increasing sparsity (duplicates of a small unit share one measurement). */
  curve: CurvePoint[];
  robustness: Robustness;
  /** Counting data for the allocator (plain data). */
  cost: UnitCost;
}

/**
 * Robustness, from the drop curve d(s) = max(0, running max of baseline - metric) (monotone: a unit is
 * never credited for noise that made a harder prune score better), linearly interpolated:
 *   maxSparsity  the largest sparsity s with d <= tolerance on all of [0, s] (the ranking key);
 *   area         the mean drop over [0, largest ladder sparsity] (tie-break: smaller is more robust).
 */
export interface Robustness {
  maxSparsity: number;
  area: number;
}

export interface SensitivityScan extends CostModel {
  granularity: ScanGranularity;
  criterion: Criterion;
  ladder: number[];
  tolerance: number;
  baseline: number;
  units: ScanUnit[];
  /** Unit ids, most robust first (maxSparsity descending, then area ascending, then id). */
  ranking: string[];
  /** Units left out and why: locked channel groups (the output layer...), single-channel groups. */
  skipped: { id: string; layers: string[]; reason: string }[];
  /** Evaluations actually run (baseline included). */
  evaluations: number;
  ms: number;
}

/** One unit as a scan measures it (runScan): what it loses at each ladder value, and its masks. */
export interface ScanUnitSpec {
  id: string;
  layers: string[];
  /** How many weights / channels the unit loses at ladder value s (equal counts share a measurement). */
  removed(s: number): number;
  /** The real fraction removed at s. */
  fraction(s: number): number;
  masks(s: number): MaskSet;
  params: number;
  macs: number | null;
  channels?: number;
  cost: UnitCost;
}

export function normalizeLadder(ladder: readonly number[]): number[] {
  const out = [...new Set(ladder)].sort((a, b) => a - b);
  if (out.length === 0) throw new Error('sensitivity scan: the ladder has no sparsities');
  for (const s of out) {
    if (!Number.isFinite(s) || s <= 0 || s > 1) throw new Error(`sensitivity scan: ladder sparsity ${s} is not in (0, 1]`);
  }
  return out;
}

const pct = (s: number) => `${Math.round(s * 1000) / 10}%`;

export async function scanSensitivity(model: tf.LayersModel, options: ScanOptions): Promise<SensitivityScan> {
  const t0 = performance.now();
  const control = options.control ?? UNCONTROLLED;
  const ladder = normalizeLadder(options.ladder ?? DEFAULT_LADDER);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (options.criterion === 'taylor' && !options.taylor) throw new Error('sensitivity scan: the Taylor criterion needs calibration data');

  const snapshot = await captureWeights(model);
  const counts = await countModel(model);
  const tensors = listPrunableTensors(model);
  const macsPerWeight = new Map<string, number | null>();
  for (const l of counts.layers) {
    if (l.prunableParams > 0) macsPerWeight.set(l.path, l.macs === null ? null : l.macs / l.prunableParams);
  }
  const tensorCosts: Record<string, TensorCost> = {};
  for (const t of tensors) {
    const values = snapshot[t.key]?.values;
    if (!values) throw new Error(`sensitivity scan: ${t.key} is not a float32 weight`);
    let nonzero = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) nonzero++;
    tensorCosts[t.key] = { key: t.key, layerPath: t.layerPath, shape: [...t.shape], size: t.size, nonzero, macsPerWeight: macsPerWeight.get(t.layerPath) ?? null };
  }

  const wanted = (layers: readonly string[], id: string) => !options.units || options.units.includes(id) || layers.some((p) => options.units!.includes(p));
  const skipped: SensitivityScan['skipped'] = [];
  const units = options.granularity === 'channels'
    ? await channelUnits(model, options, tensorCosts, skipped, wanted)
    : await weightUnits(model, options, tensors, tensorCosts, wanted);

  const { baseline, units: scanned, ranking, evaluations } = await runScan({
    units, ladder, tolerance, baseline: options.baseline, stopBelow: options.stopBelow, control,
    measure: (masks, c) => (masks ? measure(model, snapshot, masks, () => options.evaluate(model, c)) : options.evaluate(model, c)),
  });
  return {
    granularity: options.granularity,
    criterion: options.criterion,
    ladder,
    tolerance,
    baseline,
    units: scanned,
    ranking,
    skipped,
    totals: {
      prunableParams: counts.totals.prunableParams,
      prunableNonzero: counts.totals.prunableNonzero,
      macs: counts.totals.macs,
      nonzeroMacs: counts.totals.nonzeroMacs,
      unknownMacs: counts.totals.unknownMacs,
    },
    tensors: tensorCosts,
    evaluations,
    ms: performance.now() - t0,
  };
}

/** What runScan measures: the units, the ladder, and how to measure the starting point under masks. */
export interface ScanRun {
  units: readonly ScanUnitSpec[];
  /** Normalised: distinct, increasing, in (0, 1]. */
  ladder: readonly number[];
  tolerance: number;
  /** The unpruned metric when the caller already has it (saves one evaluation). */
  baseline?: number;
  stopBelow?: number;
  control: JobControl;
  /** The metric of the starting point with `masks` applied (null: as it is), which it must leave as it was. */
  measure(masks: MaskSet | null, control: JobControl): Promise<number>;
}

/**
 * The scan's measuring loop, for any kind of model: each unit alone at each ladder value (equal
 * counts share one measurement; early stop below `stopBelow`), its robustness, and the ranking.
 */
export async function runScan(run: ScanRun): Promise<Pick<SensitivityScan, 'baseline' | 'units' | 'ranking' | 'evaluations'>> {
  const { units, ladder, tolerance, control } = run;
  const measured = ladder.length * units.length + (run.baseline === undefined ? 1 : 0);
  let done = 0;
  let evaluations = 0;
  /** One evaluation in its own slot of the progress bar, with a checkpoint first (where a cancel lands). */
  const evaluate = async (label: string, masks: MaskSet | null): Promise<number> => {
    const from = done / measured;
    const to = (done + 1) / measured;
    await control.checkpoint(from, label);
    evaluations++;
    const metric = await run.measure(masks, { checkpoint: (f, _inner) => control.checkpoint(from + (to - from) * Math.max(0, Math.min(1, f)), label) });
    if (!Number.isFinite(metric)) throw new Error(`sensitivity scan: evaluate returned ${metric} (${label})`);
    return metric;
  };

  const baseline = run.baseline ?? (await evaluate('Baseline', null));
  if (run.baseline === undefined) done++;

  const scanned: ScanUnit[] = [];
  for (const u of units) {
    const curve: CurvePoint[] = [];
    let last: { removed: number; metric: number } = { removed: 0, metric: baseline };
    let stopped = false;
    for (const s of ladder) {
      const removed = u.removed(s);
      const point = { sparsity: u.fraction(s), ladder: s };
      if (removed === last.removed || stopped) {
        // Same masks as the previous point (or early stop): no new information to measure.
        curve.push(stopped ? { ...point, metric: last.metric, estimated: true } : { ...point, metric: last.metric });
      } else {
        const metric = await evaluate(`${u.id} at ${pct(s)}`, u.masks(s));
        curve.push({ ...point, metric });
        last = { removed, metric };
        if (run.stopBelow !== undefined && metric < run.stopBelow) stopped = true;
      }
      done++;
    }
    scanned.push({
      id: u.id, layers: u.layers, params: u.params, macs: u.macs, ...(u.channels !== undefined ? { channels: u.channels } : {}),
      curve, robustness: robustness(baseline, curve, tolerance), cost: u.cost,
    });
  }
  await control.checkpoint(1, 'Scan done');

  const ranking = [...scanned]
    .sort((a, b) => b.robustness.maxSparsity - a.robustness.maxSparsity || a.robustness.area - b.robustness.area || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((u) => u.id);
  return { baseline, units: scanned, ranking, evaluations };
}

/** Masks the model, measures, and writes back exactly the weights the masks touched, whatever happens. */
async function measure(model: tf.LayersModel, snapshot: WeightSnapshot, masks: MaskSet, run: () => Promise<number>): Promise<number> {
  const touched: WeightSnapshot = {};
  for (const key of Object.keys(masks)) touched[key] = snapshot[key];
  try {
    applyMasks(model, masks);
    return await run();
  } finally {
    restoreWeights(model, touched);
  }
}

/** The monotone drop curve from (0, 0): d = max(0, running max of baseline - metric). */
export function dropCurve(baseline: number, curve: readonly Pick<CurvePoint, 'sparsity' | 'metric'>[]): { x: number[]; d: number[] } {
  const x = [0];
  const d = [0];
  let worst = 0;
  for (const p of curve) {
    worst = Math.max(worst, baseline - p.metric);
    if (p.sparsity === x[x.length - 1]) {
      d[d.length - 1] = worst;
      continue;
    }
    x.push(p.sparsity);
    d.push(worst);
  }
  return { x, d };
}

/** Linear interpolation of a piecewise-linear curve at s (clamped to its ends). */
export function interpolate(x: readonly number[], y: readonly number[], s: number): number {
  if (s <= x[0]) return y[0];
  for (let i = 1; i < x.length; i++) {
    if (s <= x[i]) return y[i - 1] + ((y[i] - y[i - 1]) * (s - x[i - 1])) / (x[i] - x[i - 1]);
  }
  return y[y.length - 1];
}

export function robustness(baseline: number, curve: readonly Pick<CurvePoint, 'sparsity' | 'metric'>[], tolerance: number): Robustness {
  const { x, d } = dropCurve(baseline, curve);
  let maxSparsity = x[x.length - 1];
  for (let i = 1; i < x.length; i++) {
    if (d[i] > tolerance) {
      // The curve crosses the tolerance inside (x[i-1], x[i]]: d[i-1] <= tolerance < d[i].
      maxSparsity = x[i - 1] + ((x[i] - x[i - 1]) * (tolerance - d[i - 1])) / (d[i] - d[i - 1]);
      break;
    }
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((d[i] + d[i - 1]) / 2) * (x[i] - x[i - 1]);
  const span = x[x.length - 1];
  return { maxSparsity, area: span > 0 ? area / span : 0 };
}

async function weightUnits(
  model: tf.LayersModel, options: ScanOptions, tensors: PrunableTensor[], costs: Record<string, TensorCost>,
  wanted: (layers: readonly string[], id: string) => boolean,
): Promise<ScanUnitSpec[]> {
  const byLayer = new Map<string, PrunableTensor[]>();
  for (const t of tensors) byLayer.set(t.layerPath, [...(byLayer.get(t.layerPath) ?? []), t]);
  const chosen = [...byLayer].filter(([path]) => wanted([path], path));
  const scores: Scores = await importanceScores(model, chosen.flatMap(([, list]) => list), {
    criterion: options.criterion, seed: options.seed, taylor: options.taylor,
  });
  return chosen.map(([path, list]) => {
    const size = list.reduce((n, t) => n + t.size, 0);
    const zeros = list.reduce((n, t) => n + t.size - costs[t.key].nonzero, 0);
    const mpw = costs[list[0].key].macsPerWeight;
    return {
      id: path,
      layers: [path],
      removed: (s) => prunedWeights(size, s),
      fraction: (s) => prunedWeights(size, s) / size,
      // Exactly computePruning's unstructured perLayer path, with the scores computed once.
      masks: (s) => unstructuredMasks(list, scores, { kind: 'perLayer', sparsity: { [path]: s } }),
      params: size,
      macs: mpw === null ? null : mpw * size,
      cost: { kind: 'weights', keys: list.map((t) => t.key), size, zeros, macsPerWeight: mpw, zerosFirst: options.criterion !== 'random' },
    } satisfies ScanUnitSpec;
  });
}

async function channelUnits(
  model: tf.LayersModel, options: ScanOptions, costs: Record<string, TensorCost>, skipped: SensitivityScan['skipped'],
  wanted: (layers: readonly string[], id: string) => boolean,
): Promise<ScanUnitSpec[]> {
  const dep = options.dependencies ?? buildDependencyGraph(model);
  const open: ChannelGroup[] = [];
  for (const g of dep.groups) {
    if (!wanted(g.producers, g.id)) continue;
    if (g.locked) skipped.push({ id: g.id, layers: [...g.producers], reason: g.locked });
    else if (g.channels < 2) skipped.push({ id: g.id, layers: [...g.producers], reason: 'a single channel: every group keeps at least one' });
    else open.push(g);
  }
  if (options.criterion === 'merge') throw new Error(MERGE_HAS_NO_SCAN);
  const criterion = options.criterion === 'magnitude' ? (options.channelNorm ?? 'l1') : options.criterion;
  const scores: ChannelScores = await channelImportance(model, dep, { criterion, seed: options.seed, taylor: options.taylor });
  return open.map((g) => {
    const slices: Extract<UnitCost, { kind: 'channels' }>['slices'] = [];
    let params = 0;
    let macs: number | null = 0;
    for (const m of g.members) {
      const key = weightKey(m.path, m.weight);
      const t = costs[key];
      if (!t) continue; // biases, BatchNorm: not prunable weights
      // Every channel of a group owns the same number of indices per member (a whole filter, H*W
      // flattened positions, a depth multiplier); the mean is exact then, and a fair count otherwise.
      const perChannel = m.indices.reduce((n, ix) => n + ix.length, 0) / g.channels;
      slices.push({ key, axis: m.axis, perChannel });
      const owned = (perChannel * g.channels * t.size) / t.shape[m.axis];
      params += owned;
      macs = macs === null || t.macsPerWeight === null ? null : macs + owned * t.macsPerWeight;
    }
    return {
      id: g.id,
      layers: [...g.producers],
      removed: (s) => removedChannels(g.channels, s),
      fraction: (s) => removedChannels(g.channels, s) / g.channels,
      // Exactly computePruning's channels perLayer path: the group's ratio, masks over all its members.
      masks: (s) => channelMasks(model, dep, selectChannels(dep, scores, { kind: 'perGroup', ratio: { [g.id]: s } })),
      params,
      macs,
      channels: g.channels,
      cost: { kind: 'channels', channels: g.channels, slices },
    } satisfies ScanUnitSpec;
  });
}
