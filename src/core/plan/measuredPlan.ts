// A plan as the studio shows it: an allocation from a sensitivity scan, then measured for real on the
// starting point the scan was made on, next to uniform pruning at the same size. The prediction of the
// allocator is additive (see allocation.ts); only a measurement says what the plan really keeps.
//
// Every measurement prunes the starting point to a per-layer allocation (masks in place, or a smaller
// copy for channels), reads the result, and writes the starting point's weights back: the model comes
// back bit for bit, also after a cancel or an error. A size target measures each candidate the same
// way (the float32 weight files gzipped, what a web server sends).
import type * as tf from '@tensorflow/tfjs';
import type { DependencyGraph } from '../graph/dependencyGraph';
import { removeChannels } from '../graph/channelSurgery';
import { disposeModel } from '../graph/disposeModel';
import { progressBetween, UNCONTROLLED, type JobControl } from '../job';
import { float32GzipBytes } from '../metrics/sizes';
import { applyMasks, captureWeights, computePruning, restoreWeights, type Criterion, type TaylorOptions, type WeightSnapshot } from '../prune';
import { planAllocation, type Allocation } from './allocation';
import type { Evaluate, ScanGranularity, SensitivityScan } from './sensitivity';

/** How a per-layer allocation is pruned: the scan's granularity and criterion, and what they need. */
export interface AllocationPruning {
  granularity: ScanGranularity;
  criterion: Criterion;
  /** Channels with the magnitude criterion: the norm channels are ranked by (default L1). */
  channelNorm?: 'l1' | 'l2';
  /** Calibration data, required for 'taylor'. */
  taylor?: TaylorOptions;
  /** The starting point's dependency graph (channels; built when absent). */
  dependencies?: DependencyGraph;
}

/**
 * Prunes `model` to `sparsity` (layer path -> fraction), runs `read` on the result and writes
 * `snapshot` (the weights before) back. Channels: `read` gets a smaller copy, disposed afterwards.
 */
export async function withAllocation<T>(
  model: tf.LayersModel,
  snapshot: WeightSnapshot,
  sparsity: Record<string, number>,
  how: AllocationPruning,
  read: (pruned: tf.LayersModel) => Promise<T>,
): Promise<T> {
  const channels = how.granularity === 'channels';
  try {
    const result = await computePruning(model, {
      granularity: how.granularity, criterion: how.criterion, target: { kind: 'perLayer', sparsity }, taylor: how.taylor, channelNorm: how.channelNorm,
    }, channels ? how.dependencies : undefined);
    if (channels) {
      const { model: smaller } = await removeChannels(model, result.dependencies!, result.channelPlan!);
      try {
        return await read(smaller);
      } finally {
        disposeModel(smaller);
      }
    }
    applyMasks(model, result.masks);
    return await read(model);
  } finally {
    restoreWeights(model, snapshot);
  }
}

/** What a plan aims at: the allocator's own targets, or the gzipped float32 weight files in bytes. */
export type MeasuredPlanTarget =
  | { kind: 'sparsity' | 'params' | 'macs' | 'maxDrop'; value: number }
  | { kind: 'gzipBytes'; value: number };

export interface MeasuredPlan {
  allocation: Allocation;
  /** The allocation applied to the starting point: its metric, and its float32 weight files gzipped. */
  measured: { metric: number; gzipBytes: number };
  /** Every scanned layer at the global sparsity the plan reached, measured the same way. */
  uniform: { sparsity: number; metric: number };
}

/**
 * Plans `target` from `scan` (made on `model`, the starting point), measures the plan and uniform
 * pruning at the same sparsity with `evaluate`, and leaves `model` as it found it.
 */
export async function measurePlan(
  model: tf.LayersModel,
  scan: SensitivityScan,
  target: MeasuredPlanTarget,
  options: Omit<AllocationPruning, 'granularity' | 'criterion'> & { evaluate: Evaluate; control?: JobControl },
): Promise<MeasuredPlan> {
  const control = options.control ?? UNCONTROLLED;
  const how: AllocationPruning = { ...options, granularity: scan.granularity, criterion: scan.criterion };
  const snapshot = await captureWeights(model);
  const measure = <T>(sparsity: Record<string, number>, read: (m: tf.LayersModel) => Promise<T>) => withAllocation(model, snapshot, sparsity, how, read);

  await control.checkpoint(0.05, 'Planning');
  const allocation = await planAllocation(scan, target.kind === 'gzipBytes'
    ? { kind: 'bytes', value: target.value, measure: (sparsity) => measure(sparsity, float32GzipBytes) }
    : { kind: target.kind, value: target.value },
  { control: progressBetween(control, 0.05, 0.5) });

  await control.checkpoint(0.5, 'Measuring the plan');
  const measured = await measure(allocation.sparsity, async (m) => ({
    metric: await options.evaluate(m, progressBetween(control, 0.5, 0.75)),
    gzipBytes: await float32GzipBytes(m),
  }));

  // Uniform at the same size: every unit at the fraction that removes as many weights (or channels).
  const layers = [...new Set(scan.units.flatMap((u) => u.layers))];
  const sparsity = allocation.achieved.sparsity;
  await control.checkpoint(0.75, 'Measuring uniform pruning at the same size');
  const uniformMetric = await measure(Object.fromEntries(layers.map((l) => [l, sparsity])), (m) => options.evaluate(m, progressBetween(control, 0.75, 1)));
  return { allocation, measured, uniform: { sparsity, metric: uniformMetric } };
}
