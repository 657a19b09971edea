// Inference latency as users feel it: one prediction, waited for until its numbers are readable
// (data(): the webgl and webgpu backends run asynchronously, so timing predict() alone measures only
// the kernel launches), after warm-up runs that compile shaders and fill caches. Reported as the median
// of the timed runs, with the 90th percentile for the spread.
//
//   const { medianMs, p90Ms, runs } = await measureLatency(model, input, { warmup: 5, runs: 30, control });
//
// `input` is one batch (a Tensor, or one per model input); the caller owns it. Every output of every
// run is disposed, so the call leaves tf.memory().numTensors as it found it. `control` gets progress
// and may cancel between runs; the checkpoint (which yields to the event loop) is never inside a
// timed run. Numbers depend on the backend and on what else the machine does: compare two models
// measured in one call sequence on one backend, never across machines.
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';
import { quantile } from './quantile';

export interface LatencyOptions {
  /** Untimed runs first (shader compilation, allocation). */
  warmup: number;
  /** Timed runs, at least 1. */
  runs: number;
  control?: JobControl;
}

export interface Latency {
  medianMs: number;
  p90Ms: number;
  runs: number;
}

export async function measureLatency(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], options: LatencyOptions): Promise<Latency> {
  const control = options.control ?? UNCONTROLLED;
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`measureLatency: runs must be a whole number of at least 1, got ${options.runs}`);
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new Error(`measureLatency: warmup must be a whole number of at least 0, got ${options.warmup}`);
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
    await control.checkpoint((i + 1) / total, 'Warming up');
  }
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
    await control.checkpoint((options.warmup + i + 1) / total, `Timing predictions ${i + 1} / ${options.runs}`);
  }
  times.sort((a, b) => a - b);
  return { medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9), runs: times.length };
}
