// Secateur planning core: sensitivity scan, automatic per-layer allocation, and the measured plan. Pure
// TypeScript on @tensorflow/tfjs, no DOM; every result is plain data (numbers, strings, arrays), safe
// for structuredClone / postMessage / IndexedDB. At high sparsity, how sparsity is spread over the
// layers decides everything: on the demo CNN at 90% unstructured magnitude sparsity, one shot, the
// plan keeps far more accuracy than 90% of every layer (src/core/plan/demoPlan.test.ts prints both).
//
// ## Scan: what each unit can lose
//   const scan = await scanSensitivity(model, {
//     granularity: 'unstructured' | 'channels', criterion: 'magnitude' | 'random' | 'taylor',
//     evaluate: (model, control) => Promise<number>,   // higher = better, on a held-out subset
//     ladder?: [0.1, ..., 0.9, 0.95], control?, baseline?, units?, seed?, taylor?, channelNorm?,
//     dependencies?, tolerance?: 0.01, stopBelow?,
//   });
//   // scan.baseline, scan.units: [{ id, layers, params, macs, channels?, curve: [{ sparsity, ladder, metric, estimated? }],
//   //                              robustness: { maxSparsity, area }, cost }],
//   // scan.ranking: ids, robust -> fragile; scan.skipped: [{ id, layers, reason }] (locked groups: the output layer...)
// A unit is a layer (unstructured) or a channel dependency group (channels: layers coupled by Add etc.
// are ONE unit, pruned together, so a layer is never called robust because its partner stayed whole).
// Each unit is pruned alone to each ladder sparsity with masks (never surgery: the model keeps its
// shape), measured, and written back; the model comes back bit for bit, also after a cancel or an
// error. Masks are those of computePruning with a perLayer target holding only that unit (scores
// computed once). Cost: units x ladder evaluations + 1 (fewer when equal counts repeat on small
// layers or with stopBelow); bench/scan.ts measures the overhead beyond the evaluations.
// control.checkpoint(fraction, 'conv2 at 60%') runs before each evaluation; a cancel lands within one.
// Robustness: the drop curve d(s) = max(0, running max of baseline - metric); maxSparsity is the largest
// s with d <= tolerance on [0, s] (ranking key), area the mean of d over the ladder (tie-break).
//
// ## Plan: per-layer sparsities for one target
//   const plan = await planAllocation(scan, { kind: 'sparsity', value: 0.9 }          // global fraction of prunable weights
//                                          | { kind: 'params', value: 12_000 }        // nonzero prunable weights left
//                                          | { kind: 'macs', value: 400_000 }         // nonzero MACs per example left
//                                          | { kind: 'bytes', value: 60_000, measure: async (perLayer) => bytes, tolerance? }
//                                          | { kind: 'maxDrop', value: 0.01 },         // most compression within a predicted drop
//                                     { control?, maxMeasures? });
//   // plan.sparsity: { [layerPath]: s }  -> computePruning(model, { granularity, criterion, target: { kind: 'perLayer', sparsity: plan.sparsity } })
//   // plan.units: [{ id, layers, sparsity, drop }], plan.predictedMetric, plan.predictedDrop,
//   // plan.achieved: { sparsity, params, macs, bytes? }, plan.reached
// Allocator: equal marginal cost over the lower convex hulls of the units' (saved, drop) curves (the
// Lagrangian solution, in closed form as one ordered path), with one bisection along the path on the
// exact counts (or the caller's size measure: bisected until within 1% under the target). Per-unit
// sparsity is capped at the ladder's largest value; `reached` is false when the caps cannot meet the
// target. Sparsities are snapped to k/n weights or k/C channels, what pruning really applies.
// predictedMetric = baseline - SUM of per-unit drops: additive, usually optimistic at high sparsity
// (compounding damage is not in the scan), floored at the worst metric the scan measured (a sum of
// drops can pass 100%); show it next to the measured metric.
// Counts (achieved, and the sparsity / params / macs targets) are exact for a dense starting point:
// they equal countModel of the pruned model (tested), including layers coupled by channel groups.
//
// ## Measured plan: what the studio shows (measuredPlan.ts)
//   const r = await measurePlan(model, scan, { kind: 'sparsity' | 'params' | 'macs' | 'maxDrop' | 'gzipBytes', value },
//                               { evaluate, taylor?, dependencies?, channelNorm?, control? });
//   // r.allocation (as above; a gzipBytes target measures each candidate's float32 weight files gzipped),
//   // r.measured: { metric, gzipBytes } of the plan applied, r.uniform: { sparsity, metric } of every
//   // scanned layer at the sparsity the plan reached. `model` is the scan's starting point.
// Each measurement prunes the starting point (masks, or a smaller copy for channels), reads it and
// writes the weights back (withAllocation): the model comes back bit for bit, also after a cancel.
//
// ## Metric direction
// Higher is better. For a loss, pass evaluate = async (m, c) => -(await loss(m, c)).
export { DEFAULT_LADDER, DEFAULT_TOLERANCE, dropCurve, interpolate, normalizeLadder, robustness, runScan, scanSensitivity } from './sensitivity';
export type { CurvePoint, Evaluate, Robustness, ScanGranularity, ScanOptions, ScanRun, ScanUnit, ScanUnitSpec, SensitivityScan } from './sensitivity';
export { planAllocation } from './allocation';
export type { Allocation, PlanOptions, PlanTarget, UnitAllocation } from './allocation';
export { measurePlan, withAllocation } from './measuredPlan';
export type { AllocationPruning, MeasuredPlan, MeasuredPlanTarget } from './measuredPlan';
export { countAllocation, prunedWeights, removedChannels } from './counts';
export type { AllocationCounts, CostModel, CostTotals, TensorCost, UnitCost } from './counts';
