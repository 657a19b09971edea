// One side of the compare panel: counts from the history point, sizes by encoding the weight files,
// the metric on the live subset, and the median latency of single-example predictions.
import * as tf from '@tensorflow/tfjs';
import type { CompareSide, HistoryPoint } from './api';
import { progressBetween, type JobControl } from '../core/job';
import { measureLatency } from '../core/metrics/latency';
import { modelSizes } from '../core/metrics/sizes';
import type { ModelTask } from './tasks';

export async function compareSide(model: tf.LayersModel, point: HistoryPoint, task: ModelTask, control: JobControl): Promise<CompareSide> {
  await control.checkpoint(0, 'Encoding the weight files');
  const sizes = await modelSizes(model);
  await control.checkpoint(0.2, 'Evaluating');
  const metric = await task.evaluate(model, progressBetween(control, 0.2, 0.6), true);
  await control.checkpoint(0.6, 'Timing predictions');
  const probes = await task.latencyInput();
  try {
    const latency = await measureLatency(model, probes.length === 1 ? probes[0] : probes, { warmup: 5, runs: 30, control: progressBetween(control, 0.6, 1) });
    return {
      params: point.params, nonzero: point.nonzero, macs: point.macs, nonzeroMacs: point.nonzeroMacs, sizes, metric,
      latencyMs: latency.medianMs, latencyRuns: latency.runs,
    };
  } finally {
    tf.dispose(probes);
  }
}
