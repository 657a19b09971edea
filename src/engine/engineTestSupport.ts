// Test support (no test of its own): the engine's fake dependencies. The demo files come from memory
// (an AssetReader), and every model is measured by a fake task whose metric moves with the weights.
import * as tf from '@tensorflow/tfjs';
import type { AssetReader, DemoManifest } from './demoAssets';
import type { ModelTask } from './tasks';
import { StudioEngine, type EngineDependencies } from './studioEngine';
import type { EvalResult, ModelFile } from './api';
import type { JobControl } from '../core/job';
import type { TaylorOptions } from '../core/prune';
import { exportModelFiles } from '../core/model/exportModel';
import { fashionCnn, randomizeWeights } from '../core/prune/testModels';

export const BASE = 'http://studio.test/';
const input = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3);
const labels = () => tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3).toFloat());

/** A task on a fixed input: the metric is the mean first-class probability, so it moves whenever the weights do. */
export class FakeTask implements ModelTask {
  readonly metric = 'accuracy';
  readonly labelled = true;
  readonly note = 'a fake metric';
  evaluations = 0;
  /** Set to make the next evaluation fail. */
  failNext = false;
  /** Called before each training batch is made (step index). */
  onBatch: (step: number) => void = () => {};
  readonly calibrations: TaylorOptions[] = [];

  private measure(model: tf.LayersModel, subset: boolean): EvalResult {
    this.evaluations++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('evaluation failed');
    }
    const value = tf.tidy(() => (model.predict(input) as tf.Tensor).slice([0, 0], [-1, 1]).mean().arraySync() as number);
    return { metric: 'accuracy', subset, value, count: 4, ms: 1 };
  }

  async baseline(model: tf.LayersModel) {
    return { baseline: this.measure(model, false), live: this.measure(model, true) };
  }

  async evaluate(model: tf.LayersModel, control: JobControl, subset: boolean) {
    await control.checkpoint(0.5, 'Evaluating');
    return this.measure(model, subset);
  }

  async calibration(control: JobControl): Promise<TaylorOptions> {
    const t: TaylorOptions = { batches: [{ xs: input.clone(), ys: labels() }], loss: 'categoricalCrossentropy', control };
    this.calibrations.push(t);
    return t;
  }

  async trainer() {
    return {
      stepsPerEpoch: 12,
      batch: (step: number) => {
        this.onBatch(step);
        return tf.tidy(() => ({ xs: tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', step), ys: labels() }));
      },
    };
  }

  async latencyInput() {
    return [tf.zeros([1, 8, 8, 1])];
  }

  dispose() {}
}

export async function tinyModelFiles(): Promise<ModelFile[]> {
  const model = fashionCnn();
  randomizeWeights(model);
  const { files } = await exportModelFiles(model, { precision: 'float32' });
  model.dispose();
  return files.map((f) => ({ path: f.name, bytes: f.bytes }));
}

/** The demo as files in memory: one manifest, one model ("tiny") under demo/tiny/. */
export function memoryAssets(files: ModelFile[]): AssetReader {
  const manifest: DemoManifest = {
    dataset: { name: 'Fake', license: 'MIT', classes: ['a', 'b', 'c'], train: { images: 'x', labels: 'y', count: 12 }, test: { images: 'x', labels: 'y', count: 4 } },
    models: [{ id: 'tiny', name: 'Tiny CNN', path: 'demo/tiny/model.json', testAccuracy: 0.5 }],
  };
  const byUrl = new Map<string, Uint8Array>(files.map((f) => [`${BASE}demo/tiny/${f.path}`, f.bytes]));
  byUrl.set(`${BASE}demo/demo.json`, new TextEncoder().encode(JSON.stringify(manifest)));
  const bytes = async (url: string) => {
    const b = byUrl.get(url);
    if (!b) throw new Error(`Could not read ${url}: not in the fake demo`);
    return b.slice().buffer as ArrayBuffer;
  };
  return {
    bytes,
    json: async (url) => JSON.parse(new TextDecoder().decode(await bytes(url))),
    gunzipped: async (url) => new Uint8Array(await bytes(url)),
  };
}

/** An engine on the cpu backend over the fake demo ("tiny") and one FakeTask for every model. */
export async function startTestEngine(dependencies: Omit<EngineDependencies, 'assets' | 'tasks'> = {}) {
  const files = await tinyModelFiles();
  const task = new FakeTask();
  const engine = new StudioEngine([{ name: 'cpu', gpu: false, activate: async () => ({ device: 'test' }) }], {
    ...dependencies, assets: memoryAssets(files), tasks: async () => task,
  });
  await engine.init({ baseUrl: BASE });
  return { engine, task, files };
}
