// What a graph model is measured on, chosen as for Layers models (tasks.ts): the demo's Fashion-MNIST
// test images when the model takes a 28×28×1 image and gives one score per demo class (accuracy),
// else fidelity to the original on seeded probe inputs, as many as the model's cost allows. A graph
// model has no training API, so a graph task has no trainer and no calibration data.
import * as tf from '@tensorflow/tfjs';
import type { EvalResult } from './api';
import type { JobControl } from '../core/job';
import { gatherToTensors } from '../core/data/tensors';
import {
  describeFidelity, evaluateGraphAccuracy, fidelityOf, graphFidelityKind, graphFitsDemoData, graphProbeInputs, graphProbeSpec, graphReferenceOutputs,
  type GraphModelData, type GraphProbeSpec,
} from '../core/graphModel';
import type { FidelityKind } from '../core/metrics/fidelity';
import { LIVE_SUBSET, liveSetSize, probeCount, type DemoData } from './tasks';

export interface GraphTask {
  readonly metric: 'accuracy' | 'fidelity';
  readonly note: string;
  readonly labelled: boolean;
  /** The whole held-out set, and the live set's figure from the same pass (as ModelTask.baseline). */
  baseline(model: tf.GraphModel, control: JobControl): Promise<{ baseline: EvalResult; live: EvalResult }>;
  /** On the live set (`subset` true) or the whole held-out set; `limit` caps the examples. */
  evaluate(model: tf.GraphModel, control: JobControl, subset: boolean, limit?: number): Promise<EvalResult>;
  /** One example per model input, for timing predictions; the caller disposes it. */
  latencyInput(): Promise<tf.Tensor[]>;
  dispose(): void;
}

/** Accuracy on the embedded Fashion-MNIST test images. */
class DemoGraphTask implements GraphTask {
  readonly metric = 'accuracy';
  readonly labelled = true;
  private liveCount: number;

  constructor(private readonly info: GraphModelData['info'], private readonly demo: DemoData, private readonly testCount: number) {
    this.liveCount = Math.min(LIVE_SUBSET, testCount);
  }

  get note(): string {
    const all = `${this.testCount.toLocaleString('en-US')} Fashion-MNIST test images`;
    return this.liveCount < this.testCount ? `accuracy on the first ${this.liveCount.toLocaleString('en-US')} of ${all}` : `accuracy on ${all}`;
  }

  async baseline(model: tf.GraphModel, control: JobControl) {
    const set = await this.demo.images('test');
    const t0 = performance.now();
    const r = await evaluateGraphAccuracy(model, this.info, set, control);
    const ms = performance.now() - t0;
    const baseline: EvalResult = { metric: 'accuracy', subset: false, value: r.accuracy, count: r.count, ms };
    this.liveCount = liveSetSize(ms, r.count, Math.min(LIVE_SUBSET, r.count));
    if (this.liveCount === r.count) return { baseline, live: baseline };
    return { baseline, live: await this.evaluate(model, control, true) };
  }

  async evaluate(model: tf.GraphModel, control: JobControl, subset: boolean, limit = Infinity): Promise<EvalResult> {
    const set = await this.demo.images('test');
    const t0 = performance.now();
    const r = await evaluateGraphAccuracy(model, this.info, set, control, 250, Math.min(limit, subset ? this.liveCount : set.count));
    return { metric: 'accuracy', subset: r.count < set.count, value: r.accuracy, count: r.count, ms: performance.now() - t0 };
  }

  async latencyInput(): Promise<tf.Tensor[]> {
    const { xs, ys } = gatherToTensors(await this.demo.images('test'), [0]);
    ys.dispose();
    return [xs];
  }

  dispose() {}
}

/** Fidelity to the original graph on seeded probe inputs (the same probes for every step). */
class FidelityGraphTask implements GraphTask {
  readonly metric = 'fidelity';
  readonly labelled = false;
  private readonly probes: tf.Tensor[];
  private reference: Float32Array[] | null = null;
  private kind: FidelityKind;

  constructor(private readonly data: GraphModelData, private readonly spec: GraphProbeSpec, private readonly count: number) {
    this.probes = graphProbeInputs(spec, count, 20250101);
    this.kind = 'relativeError';
  }

  get note(): string {
    return describeFidelity(this.kind, this.count);
  }

  async baseline(model: tf.GraphModel, control: JobControl) {
    const t0 = performance.now();
    const ref = await graphReferenceOutputs(model, this.data.info, this.probes, this.spec.batch, control);
    this.reference = ref.rows;
    this.kind = graphFidelityKind(this.data, ref.shapes);
    const result: EvalResult = { metric: 'fidelity', subset: false, value: 1, count: this.count, ms: performance.now() - t0 };
    return { baseline: result, live: { ...result, subset: true } };
  }

  async evaluate(model: tf.GraphModel, control: JobControl, subset: boolean, limit = Infinity): Promise<EvalResult> {
    if (!this.reference) throw new Error('internal: fidelity needs the original model\'s outputs first');
    const t0 = performance.now();
    const n = Math.min(this.count, Math.max(1, limit));
    const probes = n < this.count ? this.probes.map((p) => p.slice(0, n)) : this.probes;
    try {
      const out = await graphReferenceOutputs(model, this.data.info, probes, this.spec.batch, control);
      return { metric: 'fidelity', subset, value: fidelityOf(this.kind, out.rows, this.reference.slice(0, n)), count: n, ms: performance.now() - t0 };
    } finally {
      if (probes !== this.probes) tf.dispose(probes);
    }
  }

  async latencyInput(): Promise<tf.Tensor[]> {
    return graphProbeInputs(this.spec, this.spec.batch ?? 1, 11);
  }

  dispose() {
    tf.dispose(this.probes);
  }
}

/** The demo images when they fit the graph (read before this returns), else fidelity on probes for its cost (`macs` per example, null when unknown). */
export async function chooseGraphTask(model: tf.GraphModel, data: GraphModelData, demo: DemoData, macs: number | null): Promise<GraphTask> {
  if (await graphFitsDemoData(model, data.info, demo.classes)) {
    await demo.images('test');
    return new DemoGraphTask(data.info, demo, await demo.testCount());
  }
  return new FidelityGraphTask(data, graphProbeSpec(model, data), probeCount(macs));
}
