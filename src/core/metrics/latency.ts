// Inference latency as users feel it: one prediction, waited for until its numbers are readable
// (data() — the GPU backends run asynchronously, so timing predict() alone measures nothing), after
// warm-up runs that compile shaders and fill caches. Reported as the median of the timed runs.
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';

export interface LatencyOptions {
  /** Untimed runs first (shader compilation, allocation). */
  warmup: number;
  /** Timed runs. */
  runs: number;
  control?: JobControl;
}

export interface Latency {
  medianMs: number;
  p90Ms: number;
  runs: number;
}

/** Sorted-sample quantile, linear between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

export async function measureLatency(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], options: LatencyOptions): Promise<Latency> {
  const control = options.control ?? UNCONTROLLED;
  if (!(options.runs >= 1)) throw new Error(`measureLatency: runs must be at least 1, got ${options.runs}`);
  const once = async () => {
    const out = model.predict(input);
    const outputs = Array.isArray(out) ? out : [out];
    try {
      await Promise.all(outputs.map((o) => o.data()));
    } finally {
      tf.dispose(outputs);
    }
  };
  const total = options.warmup + options.runs;
  for (let i = 0; i < options.warmup; i++) {
    await once();
    await control.checkpoint(i / total, 'Warming up');
  }
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
    // Between runs, not inside the timing: a checkpoint yields to the event loop.
    await control.checkpoint((options.warmup + i + 1) / total, `Timing predictions ${i + 1} / ${options.runs}`);
  }
  times.sort((a, b) => a - b);
  return { medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9), runs: times.length };
}
