// The worker-side engine: owns the tfjs backend, the loaded model and the demo data, and runs every
// tensor operation. Exposed to the page with comlink (worker.ts); its contract is api.ts.
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type {
  BackendReport, BackendRequest, BaselineResult, CompareResult, CompareSide, DemoCatalog, DemoModelInfo, EvalResult, ExportBundle, ExportRequest,
  ExportSizes, FinetuneOptions, HistoryPoint, ModelFile, ModelSource, ModelSummary, PlanRequest, PlanResult, ProgressCallback, PruneSettings,
  ScanRequest, SensitivityView, StepResult, StudioEngineApi, TrainProgress,
} from './api';
import { disposeCalibration, PruningSession, type FinetuneRun } from './pruningSession';
import { planAllocation, scanSensitivity, type SensitivityScan } from '../core/plan';
import { scanView, validatePlanRequest, validateScanRequest } from './planRequests';
import { validatePruneSettings } from './pruneSettings';
import { chooseBackend, type BackendCandidate } from './backendChoice';
import { fetchGunzipped, fetchBytes, fetchJson } from './fetchAssets';
import { JobRegistry } from './jobs';
import { decodeImageSet, FASHION_MNIST_CLASSES, type LabelledImages } from '../core/data/fashionMnist';
import { asLayersModelJson, loadLayersModelFromArtifacts, shardPaths } from '../core/model/layersArtifacts';
import { modelStats } from '../core/graph/summary';
import { applyMasks, captureWeights, computePruning, countModel, disposeModel, removeChannels, restoreWeights } from '../core/prune';
import { float32GzipBytes } from '../core/metrics/sizes';
import { progressBetween, UNCONTROLLED, type JobControl } from '../core/job';
import { validateFinetuneOptions } from './finetuneOptions';
import { bnGammaL1, crossEntropyLoss, distillationLoss, groupLasso, l1Kernels, pruneSchedule, type Regularizer } from '../core/train';
import { ImportError, loadImportedModel, readModelFiles, type InputFile } from '../core/model/importFiles';
import { exportFileName, exportModelFiles, exportReadme, exportZip } from '../core/model/exportModel';
import { exportReport } from './exportReport';
import { compareMaskedStep } from '../core/train/stepBench';
import { gzipBytes, modelSizes } from '../core/metrics/sizes';
import { measureLatency } from '../core/metrics/latency';
import { DemoTask, FidelityTask, fitsDemoData, probeCount, type ModelTask } from './tasks';
import type { LayerDetail } from './api';
import { layerWeightDetail } from '../core/graph/weightStats';

export { LIVE_SUBSET } from './tasks';

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
  source: ModelSource;
  task: ModelTask;
  /** The compare panel's original side, measured once. */
  originalSide?: CompareSide;
  /** The last sensitivity scan, and the starting point it was made on. */
  scan?: { baseId: number; scan: SensitivityScan };
  /** Set once the baseline is measured; until then `model` is the only copy. */
  session: PruningSession | null;
  model: tf.LayersModel | null;
}

/** Larger models are refused on import: training them here would not fit a browser tab's memory. */
export const MAX_IMPORT_PARAMS = 50_000_000;
/** A scan evaluates units × ladder times: on fewer examples than a step (noisier, many times faster). */
const SCAN_EXAMPLES = 250;
const SCAN_LADDER = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];
/** The fine-tune's live metric: measured every this many steps, on this many held-out examples. */
const METRIC_EVERY = 10;
const METRIC_EXAMPLES = 100;
/** BatchNorm recalibration reads this many batches of 64 inputs (no labels). */
const RECALIBRATION_BATCHES = 4;


function regularizerOf(r: NonNullable<FinetuneOptions['regularizer']>): Regularizer {
  if (r.kind === 'l1') return l1Kernels(r.strength);
  if (r.kind === 'groupLasso') return groupLasso(r.strength);
  return bnGammaL1(r.strength);
}

export class StudioEngine implements StudioEngineApi {
  private baseUrl = '';
  private backend: BackendReport | null = null;
  private manifest: DemoManifest | null = null;
  private current: LoadedModel | null = null;
  private readonly jobs = new JobRegistry();

  constructor(private readonly candidates: BackendCandidate[]) {}

  async init(options: { baseUrl: string; backend?: BackendRequest | null }): Promise<BackendReport> {
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
      const manifest = await this.demoManifest();
      const info = manifest.models.find((m) => m.id === id);
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
      const task = new DemoTask((which) => this.demoImageSet(which), manifest.dataset.test.count);
      const source: ModelSource = {
        kind: 'demo', files: [info.path, ...shardPaths(json)], metric: task.metric, metricNote: task.note, labelled: true,
        labels: manifest.dataset.classes ?? [...FASHION_MNIST_CLASSES], fixes: [], warnings: [],
      };
      this.replaceModel({ id, name: info.name, source, task, model, session: null });
      return this.summary();
    });
  }

  async importModel(jobId: number, files: ModelFile[], onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, (control) => this.importFiles(files, 'file', control));
  }

  async importModelUrl(jobId: number, url: string, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      await control.checkpoint(0, `Reading ${url}`);
      const modelUrl = new URL(url, this.baseUrl).href;
      const name = decodeURIComponent(new URL(modelUrl).pathname.split('/').pop() || 'model.json');
      const jsonBytes = new Uint8Array(await fetchBytes(modelUrl));
      const files: InputFile[] = [{ path: name, bytes: jsonBytes }];
      // The shards the manifest names, relative to the JSON; a JSON that is not a model fails in readModelFiles.
      let paths: string[] = [];
      try {
        paths = shardPaths(JSON.parse(new TextDecoder().decode(jsonBytes)) as Parameters<typeof shardPaths>[0]);
      } catch {
        paths = [];
      }
      await Promise.all(paths.map(async (p) => {
        try {
          files.push({ path: p.replace(/^\.\//, ''), bytes: new Uint8Array(await fetchBytes(new URL(p, modelUrl).href)) });
        } catch {
          // Reported by the validation below, with every missing shard named.
        }
      }));
      return this.importFiles(files, 'url', control);
    });
  }

  /** Reads, checks, loads and measures a user's model; swaps it in only when all of that worked. */
  private async importFiles(files: ModelFile[], kind: 'file' | 'url', control: JobControl): Promise<BaselineResult> {
    await control.checkpoint(0.02, 'Checking the files');
    const imported = readModelFiles(files, { maxParams: MAX_IMPORT_PARAMS });
    await control.checkpoint(0.1, `Loading ${imported.jsonPath}`);
    const model = await loadImportedModel(imported);
    let task: ModelTask | null = null;
    try {
      const classes = this.manifest?.dataset.classes?.length ?? FASHION_MNIST_CLASSES.length;
      if (fitsDemoData(model, classes)) {
        await this.demoImageSet('test');
        task = new DemoTask((which) => this.demoImageSet(which), (await this.demoManifest()).dataset.test.count);
      } else {
        // Dynamic height, width or length: the MAC count misses most of the work, so it is "unknown".
        const dynamic = model.inputs.some((i) => i.shape.slice(1).some((d) => d === null));
        let macs: number | null = null;
        try {
          macs = dynamic ? null : (await countModel(model)).totals.macs || null;
        } catch {
          macs = null;
        }
        task = new FidelityTask(model, probeCount(macs));
      }
      await control.checkpoint(0.2, 'Measuring the original model');
      const { baseline, live } = await task.baseline(model, progressBetween(control, 0.2, 0.95));
      if (!Number.isFinite(baseline.value)) throw new ImportError(`${imported.jsonPath}: the model's outputs are not finite numbers`);
      const source: ModelSource = {
        kind, files: files.map((f) => f.path), metric: task.metric, metricNote: task.note, labelled: task.labelled,
        labels: imported.labels, fixes: imported.fixes, warnings: imported.warnings,
      };
      const session = await PruningSession.start(model, this.sessionHooks(task), live);
      this.replaceModel({ id: `file:${imported.name}`, name: imported.name, source, task, model: null, session });
      return { baseline, point: session.current, summary: await this.summary() };
    } catch (e) {
      task?.dispose();
      disposeModel(model);
      if (e instanceof ImportError || (e instanceof Error && e.name === 'CancelledError')) throw e;
      throw new ImportError(`${imported.jsonPath}: the model loaded but could not run (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  private sessionHooks(task: ModelTask) {
    return {
      evaluate: (m: tf.LayersModel, c: JobControl) => task.evaluate(m, c, true),
      calibration: (m: tf.LayersModel, c: JobControl) => task.calibration(c, m),
    };
  }

  private replaceModel(next: LoadedModel) {
    if (this.current?.session) this.current.session.dispose();
    else if (this.current?.model) disposeModel(this.current.model);
    if (this.current && this.current.task !== next.task) this.current.task.dispose();
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
    if (c.session) return { id: c.id, name: c.name, ...(await c.session.summary()), source: c.source };
    // Before the baseline is measured: the table without the pruning view.
    const stats = await modelStats(c.model!);
    return {
      id: c.id, name: c.name, source: c.source, ...stats,
      layers: stats.layers.map((l) => ({ ...l, macs: null, nonzeroMacs: null })),
      totals: { ...stats.totals, prunableParams: 0, prunableNonzero: 0, prunableSparsity: 0, macs: 0, nonzeroMacs: 0 },
      prunable: [],
    };
  }

  async evaluateBaseline(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      if (loaded.session) throw new Error('The baseline of this model is already measured');
      const model = loaded.model!;
      const { baseline, live } = await loaded.task.baseline(model, control);
      loaded.session = await PruningSession.start(model, this.sessionHooks(loaded.task), live);
      loaded.model = null;
      return { baseline, point: loaded.session.current, summary: await this.summary() };
    });
  }

  async evaluate(jobId: number, onProgress?: ProgressCallback): Promise<EvalResult> {
    return this.jobs.run(jobId, onProgress, (control) => this.requireModel().task.evaluate(this.liveModel(), control, false));
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
      const { session, task } = { session: this.requireSession(), task: this.requireModel().task };
      const o = validateFinetuneOptions(options);
      await control.checkpoint(0, 'Reading the training examples');
      const { stepsPerEpoch, batch } = await task.trainer(o.batchSize);
      const steps = Math.max(1, Math.round(o.epochs * stepsPerEpoch));
      // Without labels (or when asked), the pruned model learns to reproduce the original one.
      const distil = !task.labelled || o.targets === 'distill';
      const teacher = distil ? await session.buildOriginal() : null;
      const t0 = performance.now();
      try {
        const run: FinetuneRun = {
          steps, batch,
          // BatchNorm statistics frozen, Dropout off: the usual short fine-tune of a pruned model, and
          // about twice as fast on the cpu and webgl backends as a training-mode step.
          lossFn: teacher ? distillationLoss(teacher) : crossEntropyLoss({ training: false }),
          regularizer: o.regularizer ? regularizerOf(o.regularizer) : undefined,
          optimizer: o.optimizer === 'adam' ? { kind: 'adam', learningRate: o.learningRate } : { kind: 'sgd', learningRate: o.learningRate, momentum: 0.9 },
          label: `${teacher ? 'distilled' : 'fine-tuned'} ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, ${o.optimizer === 'adam' ? 'Adam' : 'SGD'} lr ${o.learningRate}`,
          onStep: (info) => {
            const zeros = Object.values(info.zerosKept);
            const elapsed = performance.now() - t0;
            last = {
              ...last,
              step: info.step, totalSteps: info.totalSteps, loss: info.loss,
              etaMs: (elapsed / info.step) * (info.totalSteps - info.step),
              zerosKept: zeros.reduce((n, z) => n + z.kept, 0), zerosPruned: zeros.reduce((n, z) => n + z.pruned, 0),
            };
            job.setTrain(last);
          },
        };
        // The live metric curve: every METRIC_EVERY steps (and after the last), between two steps,
        // the model is measured on the first METRIC_EXAMPLES held-out examples (about 2% of the time).
        let last: TrainProgress = { step: 0, totalSteps: steps, loss: NaN, etaMs: 0, zerosKept: 0, zerosPruned: 0 };
        let measuredAt = -1;
        const watched: JobControl = {
          checkpoint: async (fraction, label) => {
            if (last.step > 0 && last.step !== measuredAt && (last.step % METRIC_EVERY === 0 || last.step === last.totalSteps)) {
              measuredAt = last.step;
              const m = await task.evaluate(session.model, UNCONTROLLED, true, METRIC_EXAMPLES);
              last = { ...last, metric: m.value, metricStep: last.step };
              job.setTrain(last);
            }
            return control.checkpoint(fraction, label);
          },
        };
        const point = o.schedule
          ? await session.finetuneScheduled({
            ...run,
            events: pruneSchedule(o.schedule.kind, { final: o.schedule.final, totalSteps: steps, rounds: Math.min(o.schedule.rounds, steps) }),
            granularity: o.schedule.granularity, criterion: o.schedule.criterion,
            kindLabel: o.schedule.kind === 'agp' ? 'AGP' : 'Iterative',
            label: `${run.label}, pruning ${o.schedule.kind === 'agp' ? 'gradually (AGP)' : `in ${o.schedule.rounds} rounds`} to ${Math.round(o.schedule.final * 100)}%`,
            onPoint: (p) => job.announce(p),
          }, watched)
          : await session.finetune(run, watched);
        job.setTrain(undefined);
        return { point, summary: await this.summary() };
      } finally {
        if (teacher) disposeModel(teacher);
      }
    });
  }

  async exportSizes(jobId: number, onProgress?: ProgressCallback): Promise<ExportSizes> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      await control.checkpoint(0, 'Encoding the weight files');
      return modelSizes(this.liveModel());
    });
  }

  async exportModel(jobId: number, request: ExportRequest, onProgress?: ProgressCallback): Promise<ExportBundle> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      const session = this.requireSession();
      if (!['float32', 'float16', 'uint8'].includes(request.precision)) throw new Error(`Unknown precision "${String(request.precision)}" (use float32, float16 or uint8)`);
      if (request.format !== 'zip' && request.format !== 'files') throw new Error(`Unknown format "${String(request.format)}" (use zip or files)`);
      await control.checkpoint(0.1, `Encoding ${request.precision} weights`);
      const point = session.current;
      const exported = await exportModelFiles(session.model, { precision: request.precision });
      const weights = exported.files.filter((f) => f.name !== 'model.json');
      const weightBytes = weights.reduce((n, f) => n + f.bytes.length, 0);
      const weightGzipBytes = weights.reduce((n, f) => n + gzipBytes(f.bytes), 0);
      let bundle: ExportBundle;
      if (request.format === 'files') {
        bundle = {
          fileName: 'model.json', precision: request.precision, weightBytes, weightGzipBytes,
          files: exported.files.map((f) => ({ name: f.name, bytes: f.bytes, type: f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream' })),
        };
      } else {
        await control.checkpoint(0.6, 'Writing the .zip');
        const summary = await this.summary();
        const fileName = exportFileName(loaded.name, point.prunableSparsity, request.precision, 'zip');
        const original = session.history().find((p) => p.kind === 'original')!.metric;
        const report = exportReport({
          name: loaded.name, precision: request.precision, summary, point, original, recipe: session.recipe(), source: loaded.source,
          sizes: { weightBytes, weightGzipBytes },
        });
        const zip = exportZip(exported, { readme: exportReadme({ name: loaded.name, precision: request.precision, sparsity: point.prunableSparsity, params: point.params, nonzero: point.nonzero, metric: point.metric, recipe: session.recipe() }), report });
        bundle = { fileName, precision: request.precision, weightBytes, weightGzipBytes, files: [{ name: fileName, bytes: zip, type: 'application/zip' }] };
      }
      return Comlink.transfer(bundle, bundle.files.map((f) => f.bytes.buffer as ArrayBuffer));
    });
  }

  async compare(jobId: number, onProgress?: ProgressCallback): Promise<CompareResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      const session = this.requireSession();
      const point = session.current;
      const originalPoint = session.history().find((p) => p.kind === 'original')!;
      // The original never changes: measure it once per model.
      if (!loaded.originalSide) {
        await control.checkpoint(0, 'Measuring the original model');
        const original = await session.buildOriginal();
        try {
          loaded.originalSide = await this.side(original, originalPoint, loaded.task, progressBetween(control, 0, 0.5));
        } finally {
          disposeModel(original);
        }
      }
      const current = await this.side(session.model, point, loaded.task, progressBetween(control, 0.5, 1));
      return { original: loaded.originalSide, current, backend: this.backend!.active };
    });
  }

  /** One side of the compare panel: counts from the point, sizes by encoding, the metric on the live subset, latency. */
  private async side(model: tf.LayersModel, point: HistoryPoint, task: ModelTask, control: JobControl): Promise<CompareSide> {
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

  async scanSensitivity(jobId: number, request: ScanRequest, onProgress?: ProgressCallback): Promise<SensitivityView> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      const session = this.requireSession();
      const r = validateScanRequest(request);
      const view = await session.onStartingPoint(async (model, ctx) => {
        const taylor = r.criterion === 'taylor' ? await ctx.taylor() : undefined;
        try {
          const scan = await scanSensitivity(model, {
            granularity: r.granularity, criterion: r.criterion, channelNorm: r.channelNorm, taylor, dependencies: ctx.dependencies,
            evaluate: async (m, c) => (await loaded.task.evaluate(m, c, true, SCAN_EXAMPLES)).value,
            // Past the usual targets, so that a 95% plan is not just "every layer at the cap".
            ladder: SCAN_LADDER,
            control,
          });
          loaded.scan = { baseId: ctx.baseId, scan };
          return scanView(scan, ctx.baseId, loaded.task.metric);
        } finally {
          if (taylor) disposeCalibration(taylor);
        }
      });
      return view;
    });
  }

  async planAllocation(jobId: number, request: PlanRequest, onProgress?: ProgressCallback): Promise<PlanResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const loaded = this.requireModel();
      const session = this.requireSession();
      const r = validatePlanRequest(request);
      const scanned = loaded.scan;
      if (!scanned || scanned.baseId !== session.current.baseId) throw new Error('Scan the sensitivity of this starting point first');
      const { scan } = scanned;
      return session.onStartingPoint(async (model, ctx) => {
        const snapshot = await captureWeights(model);
        const taylor = scan.criterion === 'taylor' ? await ctx.taylor() : undefined;
        try {
          const settings = (sparsity: Record<string, number>): Parameters<typeof computePruning>[1] => ({
            granularity: scan.granularity, criterion: scan.criterion, target: { kind: 'perLayer', sparsity }, taylor,
          });
          /** Prunes the starting point to `sparsity` per layer, runs `read` on the result, and puts the weights back. */
          const withAllocation = async <T>(sparsity: Record<string, number>, read: (m: tf.LayersModel) => Promise<T>): Promise<T> => {
            const result = await computePruning(model, settings(sparsity), scan.granularity === 'channels' ? ctx.dependencies : undefined);
            try {
              if (scan.granularity === 'channels') {
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
          };
          const gzipOf = (m: tf.LayersModel) => float32GzipBytes(m);
          await control.checkpoint(0.05, 'Planning');
          const plan = await planAllocation(scan, r.kind === 'gzipBytes'
            ? { kind: 'bytes', value: r.value, measure: (sparsity) => withAllocation(sparsity, gzipOf) }
            : r.kind === 'macs' ? { kind: 'macs', value: r.value } : { kind: r.kind, value: r.value },
          { control: progressBetween(control, 0.05, 0.5) });
          await control.checkpoint(0.5, 'Measuring the plan');
          const measured = await withAllocation(plan.sparsity, async (m) => ({
            metric: (await loaded.task.evaluate(m, progressBetween(control, 0.5, 0.75), true)).value,
            gzipBytes: await gzipOf(m),
          }));
          // Uniform at the same size: every unit at the fraction that removes as many weights (or channels).
          const layers = [...new Set(scan.units.flatMap((u) => u.layers))];
          const uniformFraction = plan.achieved.sparsity;
          const uniform = Object.fromEntries(layers.map((l) => [l, uniformFraction]));
          await control.checkpoint(0.75, 'Measuring uniform pruning at the same size');
          const uniformMetric = await withAllocation(uniform, async (m) => (await loaded.task.evaluate(m, progressBetween(control, 0.75, 1), true)).value);
          return {
            target: r, granularity: scan.granularity, sparsity: plan.sparsity, reached: plan.reached,
            predictedMetric: plan.predictedMetric, measuredMetric: measured.metric,
            uniform: { sparsity: uniformFraction, metric: uniformMetric },
            achieved: { sparsity: plan.achieved.sparsity, params: plan.achieved.params, macs: plan.achieved.macs ?? null, gzipBytes: measured.gzipBytes },
          } satisfies PlanResult;
        } finally {
          if (taylor) disposeCalibration(taylor);
        }
      });
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

  async pause(jobId: number): Promise<void> {
    this.jobs.pause(jobId);
  }

  async resume(jobId: number): Promise<void> {
    this.jobs.resume(jobId);
  }

  async recalibrateBatchNorm(jobId: number, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { task } = this.requireModel();
      const session = this.requireSession();
      if (!session.model.layers.some(function hasBn(l): boolean {
        return l.getClassName() === 'BatchNormalization' || ((l as tf.LayersModel).layers?.some(hasBn) ?? false);
      })) throw new Error('This model has no BatchNormalization layer to recalibrate');
      await control.checkpoint(0, 'Reading inputs');
      const { batch } = await task.trainer(64);
      const point = await session.recalibrate(Array.from({ length: RECALIBRATION_BATCHES }, (_, i) => batch(i)), control);
      return { point, summary: await this.summary() };
    });
  }

  async benchMaskedStep(jobId: number, options: { steps: number; warmup: number; batchSize: number }, onProgress?: ProgressCallback) {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { task } = this.requireModel();
      const session = this.requireSession();
      const [plain, masked] = [await session.buildOriginal(), await session.buildOriginal()];
      try {
        const { masks } = await computePruning(masked, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.9 } });
        const { batch } = await task.trainer(options.batchSize);
        const r = await compareMaskedStep(plain, masked, masks, {
          steps: options.steps, warmup: options.warmup, batch, lossFn: crossEntropyLoss({ training: false }), control,
        });
        return { backend: this.backend!.active, plainMedianMs: r.plainMedian, maskedMedianMs: r.maskedMedian, ratio: r.ratio, steps: r.plainMs.length };
      } finally {
        disposeModel(plain);
        disposeModel(masked);
      }
    });
  }

  async memory(): Promise<{ numTensors: number; numBytes: number }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  async layerDetail(jobId: number, path: string, onProgress?: ProgressCallback): Promise<LayerDetail> {
    // The model as it is now (after the current point's pruning or fine-tuning), read, never changed.
    return this.jobs.run(jobId, onProgress, (control) => layerWeightDetail(this.liveModel(), path, { control }));
  }
}
