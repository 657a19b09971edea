// A masked training step against the same step without masks, on one backend in one run: the cost
// of keeping pruned weights at zero while training (goal: masked / unmasked <= 1.15, so masks add at
// most 15% to a step). Shared by bench/maskedStep.ts (Node)
// and the engine (every browser backend, bench/browserBackends.ts).
//
// Steps alternate between the two variants (one step each, in turn), so a busy moment on the machine
// lands on both alike; each variant keeps its own Adam optimizer across the calls. Medians after
// warm-up steps (shader compilation on WebGL / WebGPU).
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';
import { median } from '../metrics/quantile';
import type { MaskSet } from '../prune/masks';
import { trainSteps, type LossFn, type TrainBatch } from './maskedTrainer';

export interface StepBenchOptions {
  steps: number;
  warmup: number;
  /** Batch for step i (fresh tensors; disposed after the step). */
  batch: (step: number) => TrainBatch;
  lossFn?: LossFn;
  /** Count zeros after every masked step (the trainer's default). */
  verifyZeros?: boolean;
  control?: JobControl;
}

export interface StepBenchResult {
  plainMs: number[];
  maskedMs: number[];
  plainMedian: number;
  maskedMedian: number;
  /** maskedMedian / plainMedian */
  ratio: number;
}

/** `plain` and `masked` are two copies of the same model; both are trained (and changed). */
export async function compareMaskedStep(plain: tf.LayersModel, masked: tf.LayersModel, masks: MaskSet, o: StepBenchOptions): Promise<StepBenchResult> {
  const control = o.control ?? UNCONTROLLED;
  const optPlain = tf.train.adam(1e-3);
  const optMasked = tf.train.adam(1e-3);
  const plainMs: number[] = [];
  const maskedMs: number[] = [];
  try {
    const total = o.warmup + o.steps;
    for (let step = 0; step < total; step++) {
      await control.checkpoint(step / total, step < o.warmup ? 'Warming up' : `Timing step ${step - o.warmup + 1} / ${o.steps}`);
      const a = await trainSteps(plain, { batches: () => o.batch(step), steps: 1, optimizer: optPlain, keepOptimizer: true, lossFn: o.lossFn });
      const b = await trainSteps(masked, { batches: () => o.batch(step), steps: 1, optimizer: optMasked, keepOptimizer: true, lossFn: o.lossFn, masks, verifyZeros: o.verifyZeros });
      if (step >= o.warmup) {
        plainMs.push(a.stepMs[0]);
        maskedMs.push(b.stepMs[0]);
      }
    }
  } finally {
    optPlain.dispose();
    optMasked.dispose();
  }
  const plainMedian = median(plainMs);
  const maskedMedian = median(maskedMs);
  return { plainMs, maskedMs, plainMedian, maskedMedian, ratio: maskedMedian / plainMedian };
}
