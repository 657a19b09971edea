// The worker-side engine: owns the tfjs backend, the loaded model and the demo data, and runs every
// tensor operation. Exposed to the page with comlink (worker.ts); its contract is api.ts.
import * as tf from '@tensorflow/tfjs';
import type {
  BackendName, BackendReport, BaselineResult, DemoCatalog, DemoModelInfo, EvalResult, FinetuneOptions, ModelSummary, ProgressCallback,
  PruneSettings, StepResult, StudioEngineApi,
} from './api';
import { PruningSession } from './pruningSession';
import { validatePruneSettings } from './pruneSettings';
import { chooseBackend, type BackendCandidate } from './backendChoice';
import { fetchGunzipped, fetchBytes, fetchJson } from './fetchAssets';
import { JobRegistry } from './jobs';
import { decodeImageSet, FASHION_MNIST_CLASSES, type LabelledImages } from '../core/data/fashionMnist';
import { asLayersModelJson, loadLayersModelFromArtifacts, shardPaths } from '../core/model/layersArtifacts';
import { evaluateAccuracy } from '../core/metrics/accuracy';
import { modelStats } from '../core/graph/summary';
import { gatherToTensors } from '../core/data/tensors';
import { disposeModel } from '../core/prune';
import type { JobControl } from '../core/job';
import { mulberry32 } from '../core/data/seededRandom';
import { validateFinetuneOptions } from './finetuneOptions';
import { crossEntropyLoss } from '../core/train';

/** Images of the held-out set every step is measured on (its first ones: class-balanced by construction). */
export const LIVE_SUBSET = 500;
/** Training images the Taylor criterion takes its gradients from. */
const CALIBRATION_IMAGES = 256;

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
  /** Set once the baseline is measured; until then `model` is the only copy. */
  session: PruningSession | null;
  model: tf.LayersModel | null;
}

export class StudioEngine implements StudioEngineApi {
  private baseUrl = '';
  private backend: BackendReport | null = null;
  private manifest: DemoManifest | null = null;
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

  private readonly imageSets: Partial<Record<'train' | 'test', Promise<LabelledImages>>> = {};

  /** A demo image set, fetched and decoded once (a failed fetch is retried on the next call). */
  private demoImageSet(which: 'train' | 'test'): Promise<LabelledImages> {
    this.imageSets[which] ??= (async () => {
      const files = (await this.demoManifest()).dataset[which];
      const [images, labels] = await Promise.all([fetchGunzipped(this.url(files.images)), fetchGunzipped(this.url(files.labels))]);
      return decodeImageSet(images, labels, files.images);
    })().catch((e: unknown) => {
      delete this.imageSets[which];
      throw e;
    });
    return this.imageSets[which];
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
      await this.demoImageSet('test');
      this.replaceModel({ id, name: info.name, model, session: null });
      return this.summary();
    });
  }

  private replaceModel(next: LoadedModel) {
    if (this.current?.session) this.current.session.dispose();
    else if (this.current?.model) disposeModel(this.current.model);
    this.current = next;
  }

  private requireModel(): LoadedModel {
    if (!this.current) throw new Error('No model is loaded');
    return this.current;
  }

  private liveModel(): tf.LayersModel {
    const c = this.requireModel();
    return c.session ? c.session.model : c.model!;
  }

  private requireSession(): PruningSession {
    const s = this.requireModel().session;
    if (!s) throw new Error('The original model has not been measured yet');
    return s;
  }

  private async summary(): Promise<ModelSummary> {
    const c = this.requireModel();
    if (c.session) return { id: c.id, name: c.name, ...(await c.session.summary()) };
    // Before the baseline is measured: the table without the pruning view.
    const stats = await modelStats(c.model!);
    return {
      id: c.id, name: c.name, ...stats,
      layers: stats.layers.map((l) => ({ ...l, macs: null, nonzeroMacs: null })),
      totals: { ...stats.totals, prunableParams: 0, prunableNonzero: 0, prunableSparsity: 0, macs: 0, nonzeroMacs: 0 },
      prunable: [],
    };
  }

  private async measure(model: tf.LayersModel, control: JobControl, subset: boolean, prefixes: number[] = []) {
    const set = await this.demoImageSet('test');
    const t0 = performance.now();
    const r = await evaluateAccuracy(model, set, control, 250, prefixes, subset ? LIVE_SUBSET : set.count);
    const result: EvalResult = { metric: 'accuracy', subset, value: r.accuracy, count: r.count, ms: performance.now() - t0 };
    return { result, prefixCorrect: r.prefixCorrect };
  }

  async evaluateBaseline(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      if (loaded.session) throw new Error('The baseline of this model is already measured');
      const model = loaded.model!;
      const live = Math.min(LIVE_SUBSET, (await this.demoImageSet('test')).count);
      const { result: baseline, prefixCorrect } = await this.measure(model, control, false, [live]);
      const liveMetric: EvalResult = { metric: 'accuracy', subset: true, value: prefixCorrect[live] / live, count: live, ms: baseline.ms * (live / baseline.count) };
      loaded.session = await PruningSession.start(model, {
        evaluate: async (m, c) => (await this.measure(m, c, true)).result,
        calibration: async (_model, stepControl) => {
          const train = await this.demoImageSet('train');
          const indices = Array.from({ length: Math.min(CALIBRATION_IMAGES, train.count) }, (_, i) => i);
          const { xs, ys } = gatherToTensors(train, indices);
          return { batches: [{ xs, ys }], loss: 'categoricalCrossentropy', control: stepControl };
        },
      }, liveMetric);
      loaded.model = null;
      return { baseline, point: loaded.session.current, summary: await this.summary() };
    });
  }

  async evaluate(jobId: number, onProgress?: ProgressCallback): Promise<EvalResult> {
    return this.jobs.run(jobId, onProgress, async (control) => (await this.measure(this.liveModel(), control, false)).result);
  }

  async prune(jobId: number, settings: PruneSettings, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const session = this.requireSession();
      const point = await session.prune(validatePruneSettings(settings), control);
      return { point, summary: await this.summary() };
    });
  }

  async finetune(jobId: number, options: FinetuneOptions, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control, job) => {
      const session = this.requireSession();
      const o = validateFinetuneOptions(options);
      await control.checkpoint(0, 'Reading the training images');
      const train = await this.demoImageSet('train');
      const stepsPerEpoch = Math.ceil(train.count / o.batchSize);
      const steps = Math.max(1, Math.round(o.epochs * stepsPerEpoch));
      // A fresh seeded shuffle per epoch; the last batch of an epoch may be short.
      const order = new Int32Array(train.count);
      const rnd = mulberry32(20171101);
      let epochShuffled = -1;
      const batch = (step: number) => {
        const epoch = Math.floor(step / stepsPerEpoch);
        if (epoch !== epochShuffled) {
          for (let i = 0; i < order.length; i++) order[i] = i;
          for (let i = order.length - 1; i > 0; i--) {
            const j = Math.floor(rnd() * (i + 1));
            [order[i], order[j]] = [order[j], order[i]];
          }
          epochShuffled = epoch;
        }
        const start = (step % stepsPerEpoch) * o.batchSize;
        return gatherToTensors(train, order.subarray(start, Math.min(train.count, start + o.batchSize)));
      };
      const t0 = performance.now();
      const point = await session.finetune({
        steps, batch,
        // BatchNorm statistics frozen, Dropout off: the usual short fine-tune of a pruned model, and
        // about twice as fast on the cpu and webgl backends as a training-mode step.
        lossFn: crossEntropyLoss({ training: false }),
        optimizer: o.optimizer === 'adam' ? { kind: 'adam', learningRate: o.learningRate } : { kind: 'sgd', learningRate: o.learningRate, momentum: 0.9 },
        label: `fine-tuned ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, ${o.optimizer === 'adam' ? 'Adam' : 'SGD'} lr ${o.learningRate}`,
        onStep: (info) => {
          const zeros = Object.values(info.zerosKept);
          const elapsed = performance.now() - t0;
          job.setTrain({
            step: info.step, totalSteps: info.totalSteps, loss: info.loss,
            etaMs: (elapsed / info.step) * (info.totalSteps - info.step),
            zerosKept: zeros.reduce((n, z) => n + z.kept, 0), zerosPruned: zeros.reduce((n, z) => n + z.pruned, 0),
          });
        },
      }, control);
      job.setTrain(undefined);
      return { point, summary: await this.summary() };
    });
  }

  async restore(jobId: number, pointId: number, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const session = this.requireSession();
      await control.checkpoint(0, 'Restoring');
      const point = await session.restore(pointId);
      return { point, summary: await this.summary() };
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
