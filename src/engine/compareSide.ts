// One side of the compare panel: counts from the history point, sizes by encoding the weight files,
// the metric on the live set, the median latency of single-example predictions, and where that time
// goes layer by layer (with each layer's MACs beside it).
import * as tf from '@tensorflow/tfjs';
import type { CompareSide, HistoryPoint, LayerTimes } from './api';
import { progressBetween, type JobControl } from '../core/job';
import { countModel } from '../core/graph/macs';
import { measureLatency } from '../core/metrics/latency';
import { profileLayers } from '../core/metrics/layerProfile';
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
    const input = probes.length === 1 ? probes[0] : probes;
    const latency = await measureLatency(model, input, { warmup: 5, runs: 30, control: progressBetween(control, 0.6, 0.85) });
    await control.checkpoint(0.85, 'Timing each layer');
    const profile = await layerTimes(model, input, progressBetween(control, 0.85, 1));
    return {
      params: point.params, nonzero: point.nonzero, macs: point.macs, nonzeroMacs: point.nonzeroMacs, sizes, metric,
      latencyMs: latency.medianMs, latencyRuns: latency.runs, profile,
    };
  } finally {
    tf.dispose(probes);
  }
}

/** The layer profile with each layer's MACs for one example beside its time. */
async function layerTimes(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], control: JobControl): Promise<LayerTimes> {
  const profile = await profileLayers(model, input, { warmup: 1, runs: 5, control });
  let macs = new Map<string, number | null>();
  try {
    macs = new Map((await countModel(model)).layers.map((l) => [l.path, l.macs]));
  } catch {
    // A model the MAC rules cannot walk still gets its times.
  }
  return { ...profile, layers: profile.layers.map((l) => ({ ...l, macs: macs.get(l.path) ?? null })) };
}
