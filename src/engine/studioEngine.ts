// The worker-side engine: owns the tfjs backend, the loaded model and the demo data, and runs every
// tensor operation. Exposed to the page with comlink (worker.ts); its contract is api.ts.
import * as tf from '@tensorflow/tfjs';
import type {
  BackendName, BackendReport, DemoCatalog, DemoModelInfo, EvalResult, ModelSummary, ProgressCallback, StudioEngineApi,
} from './api';
import { chooseBackend, type BackendCandidate } from './backendChoice';
import { fetchGunzipped, fetchBytes, fetchJson } from './fetchAssets';
import { JobRegistry } from './jobs';
import { decodeImageSet, FASHION_MNIST_CLASSES, type LabelledImages } from '../core/data/fashionMnist';
import { asLayersModelJson, loadLayersModelFromArtifacts, shardPaths } from '../core/model/layersArtifacts';
import { modelStats } from '../core/graph/summary';
import { evaluateAccuracy } from '../core/metrics/accuracy';

interface DemoManifest {
  dataset: {
    name: string;
    license: string;
    classes?: string[];
    train: { images: string; labels: string; count: number };
    test: { images: string; labels: string; count: number };
  };
  models: DemoModelInfo[];
}

interface LoadedModel {
  id: string;
  name: string;
  model: tf.LayersModel;
}

export class StudioEngine implements StudioEngineApi {
  private baseUrl = '';
  private backend: BackendReport | null = null;
  private manifest: DemoManifest | null = null;
  private testSet: LabelledImages | null = null;
  private current: LoadedModel | null = null;
  private readonly jobs = new JobRegistry();

  constructor(private readonly candidates: BackendCandidate[]) {}

  async init(options: { baseUrl: string; backend?: BackendName | null }): Promise<BackendReport> {
    this.baseUrl = options.baseUrl;
    if (!this.backend) this.backend = await chooseBackend(this.candidates, options.backend ?? null);
    return this.backend;
  }

  private url(path: string): string {
    return new URL(path, this.baseUrl).href;
  }

  private async demoManifest(): Promise<DemoManifest> {
    this.manifest ??= (await fetchJson(this.url('demo/demo.json'))) as DemoManifest;
    return this.manifest;
  }

  async demoCatalog(): Promise<DemoCatalog> {
    const m = await this.demoManifest();
    return {
      dataset: {
        name: m.dataset.name,
        license: m.dataset.license,
        classes: m.dataset.classes ?? [...FASHION_MNIST_CLASSES],
        trainCount: m.dataset.train.count,
        testCount: m.dataset.test.count,
      },
      models: m.models,
    };
  }

  private async demoTestSet(): Promise<LabelledImages> {
    if (!this.testSet) {
      const { test } = (await this.demoManifest()).dataset;
      const [images, labels] = await Promise.all([fetchGunzipped(this.url(test.images)), fetchGunzipped(this.url(test.labels))]);
      this.testSet = decodeImageSet(images, labels, test.images);
    }
    return this.testSet;
  }

  async loadDemoModel(jobId: number, id: string, onProgress?: ProgressCallback): Promise<ModelSummary> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const info = (await this.demoManifest()).models.find((m) => m.id === id);
      if (!info) throw new Error(`There is no demo model called "${id}"`);
      await control.checkpoint(0.1, `Reading ${info.path}`);
      const modelUrl = this.url(info.path);
      const json = asLayersModelJson(await fetchJson(modelUrl), info.path);
      const shards = new Map<string, ArrayBuffer>();
      await Promise.all(shardPaths(json).map(async (p) => shards.set(p, await fetchBytes(new URL(p, modelUrl).href))));
      await control.checkpoint(0.5, 'Loading weights');
      const model = await loadLayersModelFromArtifacts(json, shards);
      await control.checkpoint(0.8, 'Reading the test images');
      await this.demoTestSet();
      this.replaceModel({ id, name: info.name, model });
      return this.summary();
    });
  }

  private replaceModel(next: LoadedModel) {
    this.current?.model.dispose();
    this.current = next;
  }

  private requireModel(): LoadedModel {
    if (!this.current) throw new Error('No model is loaded');
    return this.current;
  }

  private async summary(): Promise<ModelSummary> {
    const { id, name, model } = this.requireModel();
    return { id, name, ...(await modelStats(model)) };
  }

  async evaluate(jobId: number, onProgress?: ProgressCallback): Promise<EvalResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { model } = this.requireModel();
      const set = await this.demoTestSet();
      const t0 = performance.now();
      const r = await evaluateAccuracy(model, set, control);
      return { metric: 'accuracy', value: r.accuracy, count: r.count, ms: performance.now() - t0 };
    });
  }

  async cancel(jobId: number): Promise<void> {
    this.jobs.cancel(jobId);
  }

  async memory(): Promise<{ numTensors: number; numBytes: number }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }
}
