// Sensitivity scan and measured plan of a graph model, through the plan code the Layers side uses
// (plan/sensitivity.ts runScan, plan/allocation.ts planAllocation): each prunable layer pruned alone
// along the ladder (unstructured, magnitude or random), measured by the caller's evaluate on a
// pruned copy of the weights (the original data is never changed), then per-layer sparsities for a
// target, measured against every layer at the same fraction. Channel scans need a Layers model.
//
//   const scan = await scanGraphSensitivity(data, analysis, stats, { criterion: 'magnitude', evaluate, ladder, control });
//   const plan = await measureGraphPlan(data, analysis, scan, { kind: 'sparsity', value: 0.7 }, { evaluate, control });
import { UNCONTROLLED, progressBetween, type JobControl } from '../job';
import { gzipBytes } from '../metrics/sizes';
import { DEFAULT_LADDER, DEFAULT_TOLERANCE, normalizeLadder, planAllocation, prunedWeights, runScan, type MeasuredPlan, type MeasuredPlanTarget, type ScanUnitSpec, type SensitivityScan, type TensorCost } from '../plan';
import type { Criterion } from '../prune/importance';
import { unstructuredMasks } from '../prune/unstructured';
import type { GraphModelData } from './graphModelData';
import { applyGraphMasks, computeGraphPruning, graphPrunableTensors, graphScores } from './graphPruning';
import type { GraphModelStats } from './graphSummary';
import { float32Weights, nonzerosOf } from './graphWeights';
import type { GraphAnalysis } from './layerGrouping';

/** The metric of a graph with these weights, higher = better. */
export type GraphEvaluate = (data: GraphModelData, control: JobControl) => Promise<number>;

export const GRAPH_CHANNEL_SCAN = 'A graph model is scanned weight by weight (unstructured): the channel scan needs a Layers model.';

export interface GraphScanOptions {
  criterion: Criterion;
  evaluate: GraphEvaluate;
  ladder?: readonly number[];
  tolerance?: number;
  baseline?: number;
  control?: JobControl;
}

/** Each prunable layer of `data` pruned alone along the ladder (`stats`: graphModelStats of `data`, for the MAC counts). */
export async function scanGraphSensitivity(data: GraphModelData, analysis: GraphAnalysis, stats: GraphModelStats, options: GraphScanOptions): Promise<SensitivityScan> {
  const t0 = performance.now();
  const ladder = normalizeLadder(options.ladder ?? DEFAULT_LADDER);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const tensors = graphPrunableTensors(analysis);
  const scores = graphScores(data, tensors, options.criterion);
  const weights = new Map(data.weights.map((w) => [w.name, w]));
  const rows = new Map(stats.layers.map((r) => [r.name, r]));
  const costs: Record<string, TensorCost> = {};
  const units: ScanUnitSpec[] = tensors.map((t) => {
    const row = rows.get(t.layerPath);
    const macsPerWeight = row && row.macs !== null && row.prunableParams > 0 ? row.macs / row.prunableParams : null;
    const nonzero = nonzerosOf(weights.get(t.key)!);
    costs[t.key] = { key: t.key, layerPath: t.layerPath, shape: [...t.shape], size: t.size, nonzero, macsPerWeight };
    return {
      id: t.layerPath,
      layers: [t.layerPath],
      removed: (s) => prunedWeights(t.size, s),
      fraction: (s) => prunedWeights(t.size, s) / t.size,
      // Exactly computeGraphPruning's unstructured perLayer path, with the scores computed once.
      masks: (s) => unstructuredMasks([t], scores, { kind: 'perLayer', sparsity: { [t.layerPath]: s } }),
      params: t.size,
      macs: macsPerWeight === null ? null : macsPerWeight * t.size,
      cost: { kind: 'weights', keys: [t.key], size: t.size, zeros: t.size - nonzero, macsPerWeight, zerosFirst: options.criterion !== 'random' },
    };
  });
  const run = await runScan({
    units, ladder, tolerance, baseline: options.baseline, control: options.control ?? UNCONTROLLED,
    measure: (masks, c) => options.evaluate(masks ? applyGraphMasks(data, masks) : data, c),
  });
  const t = stats.totals;
  return {
    granularity: 'unstructured', criterion: options.criterion, ladder, tolerance, ...run, skipped: [],
    totals: { prunableParams: t.prunableParams, prunableNonzero: t.prunableNonzero, macs: t.macs, nonzeroMacs: t.nonzeroMacs, unknownMacs: t.unknownMacs },
    tensors: costs,
    ms: performance.now() - t0,
  };
}

/** `data` pruned to per-layer sparsities with the scan's criterion. */
function allocated(data: GraphModelData, analysis: GraphAnalysis, criterion: Criterion, sparsity: Record<string, number>): GraphModelData {
  return applyGraphMasks(data, computeGraphPruning(data, analysis, { granularity: 'unstructured', criterion, target: { kind: 'perLayer', sparsity } }).masks);
}

const weightGzip = (data: GraphModelData) => gzipBytes(float32Weights(data.weights).data);

/** measuredPlan.ts's measurePlan for a graph: the plan for `target`, measured, and uniform pruning at the same sparsity. */
export async function measureGraphPlan(
  data: GraphModelData, analysis: GraphAnalysis, scan: SensitivityScan, target: MeasuredPlanTarget, options: { evaluate: GraphEvaluate; control?: JobControl },
): Promise<MeasuredPlan> {
  const control = options.control ?? UNCONTROLLED;
  const prune = (sparsity: Record<string, number>) => allocated(data, analysis, scan.criterion, sparsity);
  await control.checkpoint(0.05, 'Planning');
  const allocation = await planAllocation(scan, target.kind === 'gzipBytes'
    ? { kind: 'bytes', value: target.value, measure: async (sparsity) => weightGzip(prune(sparsity)) }
    : { kind: target.kind, value: target.value },
  { control: progressBetween(control, 0.05, 0.5) });
  await control.checkpoint(0.5, 'Measuring the plan');
  const planned = prune(allocation.sparsity);
  const measured = { metric: await options.evaluate(planned, progressBetween(control, 0.5, 0.75)), gzipBytes: weightGzip(planned) };
  const layers = [...new Set(scan.units.flatMap((u) => u.layers))];
  const sparsity = allocation.achieved.sparsity;
  await control.checkpoint(0.75, 'Measuring uniform pruning at the same size');
  const uniform = await options.evaluate(prune(Object.fromEntries(layers.map((l) => [l, sparsity]))), progressBetween(control, 0.75, 1));
  return { allocation, measured, uniform: { sparsity, metric: uniform } };
}
