// The worker-side engine: owns the tfjs backend, the loaded model, its pruning session and the job
// queue, and runs every tensor operation. Exposed to the page with comlink (worker.ts); its contract
// is api.ts. Each job only orchestrates: check the request (requestValidation.ts), call the core or
// the session, and return plain data. Its dependencies (backends, how files are read, what a model
// is measured on) are injected, so it runs in Node with fake ones.
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type {
  AutosaveResult, BackendReport, BackendRequest, BaselineResult, ClassDamageView, ClusterRequest, CompareResult, DataChoices, DataResult, DemoCatalog,
  ExportBundle, ExportRequest, ExportSizes, FinetuneOptions, HistoryPoint, ImportOptions, LayerDetail, ModelFile, ModelSource, ModelSummary,
  PageSessionState, PlanRequest, PlanResult, ProgressCallback, PruneSettings, RestoredSession, ScanRequest, SessionInfo, SessionList, WeightsOverview, ModelGraphData,
  SensitivityView, StepResult, StudioEngineApi, WeightsTimeline,
} from './api';
import { PruningSession, type FinetuneRun } from './pruningSession';
import { ModelSlot, sessionHooks, type LoadedModel } from './loadedModel';
import { compareSide } from './compareSide';
import { measurePlan, scanSensitivity } from '../core/plan';
import { planView, scanView } from './planViews';
import { planMetric, unscorePlan, unscoreScan } from './planMetric';
import {
  validateBenchOptions, validateExportRequest, validateFinetuneOptions, validatePlanRequest, validatePointId, validatePruneSettings, validateRecalibration, validateScanRequest,
} from './requestValidation';
import { chooseBackend, type BackendCandidate } from './backendChoice';
import type { ChoiceMemory } from './backendMemory';
import { DemoAssets, FETCH_ASSETS, type AssetReader } from './demoAssets';
import { JobRegistry } from './jobs';
import { loadLayersModelFromArtifacts, shardPaths } from '../core/model/layersArtifacts';
import { disposeModel } from '../core/graph/disposeModel';
import { layerWeightDetail } from '../core/graph/weightStats';
import { weightsOverview } from '../core/graph/weightsOverview';
import { modelGraphView } from './modelGraphView';
import { computePruning } from '../core/prune';
import { progressBetween, UNCONTROLLED, type JobControl } from '../core/job';
import { crossEntropyLoss } from '../core/train';
import { finetuneRecipe, recipeLoss, watchTraining } from '../core/train/finetuneRecipe';
import { ImportError, isGraphImport, loadImportedModel, readAnyModelFiles } from '../core/model/importFiles';
import { graphCompare, graphExportBundle, graphPlan, graphScan, graphExportSizes, graphLayerDetail, graphWeightsOverview, importGraphModel } from './graphStudio';
import { exportBundle } from './exportBundle';
import { requestToSeal, sealBundle } from './exportSealing';
import { openSealedDrop, verifyImportedWeights } from './sealedImport';
import { browserSessionStore, historyBudget, SessionAutosave, type SessionStoreFactory } from './sessionAutosave';
import { restoreSession } from './sessionRestore';
import { savedDataTask } from './sessionDataset';
import { crashWorker, injectFault, watchDeviceLoss, type TestFault } from './deviceLoss';
import { compareMaskedStep } from '../core/train/stepBench';
import { modelSizes } from '../core/metrics/sizes';
import { chooseTask, type DemoData, type ModelTask, type TaskFactory } from './tasks';
import { clusterOptions, describeClustering, validateClusterRequest } from './clustering';
import { packedBundle, packedBytes } from './packedBundle';
import type { ImageDecoder } from '../core/data/imageDecoder';
import { defaultImageDecoder, measureData } from './dataLoading';
import { classDamage, freshHistory, type MeasureTask } from './taskSwitch';
import { liveStepWeights, prepareTimeline, weightsTimeline } from './weightsTimeline';

/** What the engine reads files with and measures models on; both default to the real ones. */
export interface EngineDependencies {
  assets?: AssetReader;
  tasks?: TaskFactory;
  /** Where sessions are saved; default IndexedDB (none in Node unless a test gives one). */
  sessions?: SessionStoreFactory;
  /** How the user's images are decoded (the worker's createImageBitmap + OffscreenCanvas by default). */
  decoder?: ImageDecoder;
  /** Where a measured backend choice is remembered for the next start-up (worker.ts: IndexedDB); absent: measured every time. */
  choiceMemory?: ChoiceMemory;
  /** The text of the packed export's decoder.mjs (bundled by Vite by default; Node reads the file). */
  packedDecoderSource?: () => Promise<string>;
}

/** Larger models are refused on import: training them here would not fit a browser tab's memory. */
export const MAX_IMPORT_PARAMS = 50_000_000;
/** A scan evaluates units × ladder times: on fewer examples than a step (noisier, many times faster). */
const SCAN_EXAMPLES = 250;
/** Past the usual targets, so that a 95% plan is not just "every layer at the cap". */
const SCAN_LADDER = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];
/** The fine-tune's live metric is measured on this many held-out examples. */
const METRIC_EXAMPLES = 100;
/** BatchNorm recalibration reads this many batches of 64 inputs (no labels). */
const RECALIBRATION_BATCHES = 4;

export class StudioEngine implements StudioEngineApi {
  private baseUrl = '';
  private backend: BackendReport | null = null;
  private readonly models = new ModelSlot();
  private readonly jobs = new JobRegistry();
  private readonly demo: DemoAssets;
  private readonly tasks: TaskFactory;
  private readonly saver: SessionAutosave;
  private readonly decoder: ImageDecoder;
  private readonly packedDecoderSource?: () => Promise<string>;

  constructor(private readonly candidates: BackendCandidate[], dependencies: EngineDependencies = {}) {
    this.demo = new DemoAssets(dependencies.assets ?? FETCH_ASSETS, (path) => new URL(path, this.baseUrl).href);
    this.tasks = dependencies.tasks ?? chooseTask;
    this.saver = new SessionAutosave(dependencies.sessions ?? browserSessionStore);
    this.decoder = dependencies.decoder ?? defaultImageDecoder();
    this.choiceMemory = dependencies.choiceMemory;
    this.packedDecoderSource = dependencies.packedDecoderSource;
  }

  private testHooks = false;
  private readonly choiceMemory?: ChoiceMemory;

  async init(options: { baseUrl: string; backend?: BackendRequest | null; testHooks?: boolean }): Promise<BackendReport> {
    this.baseUrl = options.baseUrl;
    this.testHooks = options.testHooks === true;
    if (!this.backend) {
      this.backend = await chooseBackend(this.candidates, options.backend ?? null, undefined, undefined, this.choiceMemory);
      // A lost device is a crash: the page restarts the worker and restores the last saved step.
      watchDeviceLoss(this.backend.active, crashWorker);
    }
    return this.backend;
  }

  async testFault(fault: TestFault): Promise<void> {
    if (!this.testHooks) throw new Error('Test hooks are off: open the studio with ?testhooks=1');
    injectFault(fault, this.backend?.active ?? 'cpu');
  }

  async demoCatalog(): Promise<DemoCatalog> {
    return this.demo.catalog();
  }

  private demoData(): DemoData {
    return {
      classes: this.demo.classes().length,
      testCount: async () => (await this.demo.manifest()).dataset.test.count,
      images: (which) => this.demo.imageSet(which),
    };
  }

  async loadDemoModel(jobId: number, id: string, onProgress?: ProgressCallback): Promise<ModelSummary> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const info = await this.demo.modelInfo(id);
      await control.checkpoint(0.1, `Reading ${info.path}`);
      const { json, shards } = await this.demo.modelFiles(info);
      await control.checkpoint(0.5, 'Loading weights');
      const model = await loadLayersModelFromArtifacts(json, shards);
      let task: ModelTask;
      try {
        await control.checkpoint(0.8, 'Reading the test images');
        task = await this.tasks(model, this.demoData(), 'demo');
      } catch (e) {
        disposeModel(model);
        throw e;
      }
      const source: ModelSource = {
        kind: 'demo', files: [info.path, ...shardPaths(json)], metric: task.metric, metricNote: task.note, labelled: task.labelled,
        labels: [...this.demo.classes()], fixes: [], warnings: [],
      };
      this.models.replace({ id, name: info.name, source, task, model, session: null });
      return this.summary();
    });
  }

  async importModel(jobId: number, files: ModelFile[], onProgress?: ProgressCallback, options: ImportOptions = {}): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      if (options.passphrase === undefined) return this.importFiles(files, 'file', control);
      await control.checkpoint(0.01, 'Decrypting (deriving the key from the passphrase)');
      return this.importFiles(await openSealedDrop(files, options.passphrase), 'file', control);
    });
  }

  async importModelUrl(jobId: number, url: string, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      await control.checkpoint(0, `Reading ${url}`);
      return this.importFiles(await this.demo.modelFilesAt(url), 'url', control);
    });
  }

  /** Reads, checks, loads and measures a user's model; swaps it in only when all of that worked. */
  private async importFiles(files: ModelFile[], kind: 'file' | 'url', control: JobControl): Promise<BaselineResult> {
    await control.checkpoint(0.02, 'Checking the files');
    const imported = readAnyModelFiles(files, { maxParams: MAX_IMPORT_PARAMS });
    await verifyImportedWeights(imported);
    if (isGraphImport(imported)) {
      await control.checkpoint(0.1, `Loading ${imported.jsonPath}`);
      const { loaded, result } = await importGraphModel(imported, { kind, files: files.map((f) => f.path) }, this.demoData(), control);
      this.models.replace(loaded);
      return { ...result, summary: await this.summary() };
    }
    await control.checkpoint(0.1, `Loading ${imported.jsonPath}`);
    const model = await loadImportedModel(imported);
    let task: ModelTask | null = null;
    try {
      task = await this.tasks(model, this.demoData(), 'import');
      await control.checkpoint(0.2, 'Measuring the original model');
      const { baseline, live } = await task.baseline(model, progressBetween(control, 0.2, 0.95));
      if (!Number.isFinite(baseline.value)) throw new ImportError(`${imported.jsonPath}: the model's outputs are not finite numbers`);
      const source: ModelSource = {
        kind, files: files.map((f) => f.path), metric: task.metric, metricNote: task.note, labelled: task.labelled,
        labels: imported.labels, fixes: imported.fixes, warnings: imported.warnings,
      };
      const session = await PruningSession.start(model, sessionHooks(task), live);
      this.models.replace({ id: `file:${imported.name}`, name: imported.name, source, task, model: null, session, baseline });
      return { baseline, point: session.current, summary: await this.summary() };
    } catch (e) {
      task?.dispose();
      disposeModel(model);
      if (e instanceof ImportError || (e instanceof Error && e.name === 'CancelledError')) throw e;
      throw new ImportError(`${imported.jsonPath}: the model loaded but could not run (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  private summary(): Promise<ModelSummary> {
    return this.models.summary();
  }

  private async step(point: HistoryPoint): Promise<StepResult> {
    return { point, summary: await this.summary() };
  }

  async evaluateBaseline(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { loaded, model } = this.models.requireUnmeasured();
      const { baseline, live } = await loaded.task.baseline(model, control);
      // The baseline decides which examples every step is measured on; the note says which.
      loaded.source = { ...loaded.source, metricNote: loaded.task.note };
      const session = await this.models.startSession(live);
      loaded.baseline = baseline;
      return { baseline, ...(await this.step(session.current)) };
    });
  }

  async prune(jobId: number, settings: PruneSettings, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const graph = this.models.graph();
      if (graph) return this.step(await graph.prune(validatePruneSettings(settings), control));
      const { session } = this.models.requireSession();
      return this.step(await session.prune(validatePruneSettings(settings), control));
    });
  }

  async finetune(jobId: number, options: FinetuneOptions, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control, job) => {
      const { loaded: { task }, session } = this.models.requireSession();
      const o = validateFinetuneOptions(options);
      await control.checkpoint(0, 'Reading the training examples');
      const { stepsPerEpoch, batch } = await task.trainer(o.batchSize);
      const recipe = finetuneRecipe(o, { stepsPerEpoch, labelled: task.labelled });
      const teacher = recipe.distil ? await session.buildOriginal() : null;
      try {
        const watch = watchTraining({
          totalSteps: recipe.steps, control, report: (t) => job.setTrain(t),
          measure: async () => (await task.evaluate(session.model, UNCONTROLLED, true, METRIC_EXAMPLES)).value,
        });
        const run: FinetuneRun = {
          steps: recipe.steps, batch, lossFn: (!recipe.distil && task.loss) || recipeLoss(recipe, teacher), regularizer: recipe.regularizer, optimizer: recipe.optimizer,
          label: recipe.label, onStep: watch.onStep,
        };
        // Each pruning event goes to the page with its histograms: the timeline grows one row per event.
        if (recipe.schedule) await prepareTimeline(session);
        const point = recipe.schedule
          ? await session.finetuneScheduled({ ...run, ...recipe.schedule, onPoint: async (p) => job.announce(p, await liveStepWeights(session, p.id)) }, watch.control)
          : await session.finetune(run, watch.control);
        job.setTrain(undefined);
        return await this.step(point);
      } finally {
        if (teacher) disposeModel(teacher);
      }
    });
  }

  async exportSizes(jobId: number, onProgress?: ProgressCallback): Promise<ExportSizes> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      await control.checkpoint(0, 'Encoding the weight files');
      const graph = this.models.graph();
      if (graph) return graphExportSizes(graph.data);
      const model = this.models.liveModel();
      const sizes = await modelSizes(model);
      await control.checkpoint(0.6, 'Packing the weights');
      return { ...sizes, packed: await packedBytes(model) };
    });
  }

  async exportModel(jobId: number, request: ExportRequest, onProgress?: ProgressCallback): Promise<ExportBundle> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const graph = this.models.graph();
      const r = validateExportRequest(request);
      if (graph) return this.sealed(await graphExportBundle(this.models.require(), graph, r, control), r, control);
      const { loaded, session } = this.models.requireSession();
      const subject = {
        name: loaded.name, source: loaded.source, model: session.model, point: session.current, original: session.original.metric,
        recipe: session.recipe(), history: session.history(), summary: () => this.summary(),
      };
      const bundle = r.format === 'packed' ? await packedBundle(subject, session.clusters(), control, this.packedDecoderSource) : await exportBundle(subject, requestToSeal(r), control);
      return this.sealed(bundle, r, control);
    });
  }

  /** The bundle sealed with the request's passphrase when it has one, its buffers transferred to the page. */
  private async sealed(bundle: ExportBundle, request: ExportRequest, control: JobControl): Promise<ExportBundle> {
    if (request.encrypt) bundle = await sealBundle(bundle, request.encrypt.passphrase, control);
    return Comlink.transfer(bundle, bundle.files.map((f) => f.bytes.buffer as ArrayBuffer));
  }

  async compare(jobId: number, onProgress?: ProgressCallback): Promise<CompareResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const graph = this.models.graph();
      if (graph) return graphCompare(this.models.require(), graph, this.backend!.active, control);
      const { loaded, session } = this.models.requireSession();
      // The original never changes: measure it once per model.
      if (!loaded.originalSide) {
        await control.checkpoint(0, 'Measuring the original model');
        const original = await session.buildOriginal();
        try {
          loaded.originalSide = await compareSide(original, session.original, loaded.task, progressBetween(control, 0, 0.5));
        } finally {
          disposeModel(original);
        }
      }
      const current = await compareSide(session.model, session.current, loaded.task, progressBetween(control, 0.5, 1));
      return { original: loaded.originalSide, current, backend: this.backend!.active };
    });
  }

  async measureWhole(jobId: number, onProgress?: ProgressCallback): Promise<HistoryPoint> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { loaded, session } = this.models.requireSession();
      await control.checkpoint(0, 'Measuring on the whole held-out set');
      return session.measureWhole((model) => loaded.task.evaluate(model, control, false));
    });
  }

  async scanSensitivity(jobId: number, request: ScanRequest, onProgress?: ProgressCallback): Promise<SensitivityView> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const r = validateScanRequest(request);
      const graph = this.models.graph();
      if (graph) return graphScan(this.models.require(), graph, r, { ladder: SCAN_LADDER, examples: SCAN_EXAMPLES }, control);
      const { loaded, session } = this.models.requireSession();
      const score = planMetric(loaded.task.metric, session.current.metric.value);
      return session.onStartingPoint((model, ctx) => ctx.withCalibration(r.criterion, async (taylor) => {
        const scan = await scanSensitivity(model, {
          granularity: r.granularity, criterion: r.criterion, channelNorm: r.channelNorm, taylor, dependencies: ctx.dependencies,
          evaluate: async (m, c) => score.toScore((await loaded.task.evaluate(m, c, true, SCAN_EXAMPLES)).value),
          ladder: SCAN_LADDER,
          control,
        });
        loaded.scan = { baseId: ctx.baseId, scan, channelNorm: r.channelNorm, score };
        return unscoreScan(scanView(scan, ctx.baseId, loaded.task.metric), score);
      }));
    });
  }

  async planAllocation(jobId: number, request: PlanRequest, onProgress?: ProgressCallback): Promise<PlanResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const r = validatePlanRequest(request);
      const graph = this.models.graph();
      if (graph) return graphPlan(this.models.require(), graph, r, control);
      const { loaded, session } = this.models.requireSession();
      const scanned = loaded.scan;
      if (!scanned || scanned.baseId !== session.current.baseId) throw new Error('Scan the sensitivity of this starting point first');
      const { scan, channelNorm, score } = scanned;
      return session.onStartingPoint((model, ctx) => ctx.withCalibration(scan.criterion, async (taylor) => {
        const plan = await measurePlan(model, scan, r, {
          taylor, channelNorm, dependencies: ctx.dependencies, control,
          evaluate: async (m, c) => score.toScore((await loaded.task.evaluate(m, c, true)).value),
        });
        return unscorePlan(planView(r, scan, plan), score);
      }));
    });
  }

  async restore(jobId: number, pointId: number, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const id = validatePointId(pointId);
      await control.checkpoint(0, 'Restoring');
      const graph = this.models.graph();
      if (graph) return this.step(await graph.restore(id));
      const { session } = this.models.requireSession();
      return this.step(await session.restore(id));
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
      const { loaded: { task }, session } = this.models.requireSession();
      validateRecalibration(session.model);
      await control.checkpoint(0, 'Reading inputs');
      const { batch } = await task.trainer(64);
      return this.step(await session.recalibrate(Array.from({ length: RECALIBRATION_BATCHES }, (_, i) => batch(i)), control));
    });
  }

  async benchMaskedStep(jobId: number, options: { steps: number; warmup: number; batchSize: number }, onProgress?: ProgressCallback) {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { loaded: { task }, session } = this.models.requireSession();
      validateBenchOptions(options);
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

  async autosave(pageState: PageSessionState): Promise<AutosaveResult> {
    return this.saver.autosave(this.models.peek(), pageState);
  }

  async listSessions(): Promise<SessionList> {
    const store = await this.saver.store();
    return { sessions: await store.list(), bytesOnDisk: await store.sizeOnDisk(), current: this.models.peek()?.saved?.id ?? null };
  }

  async renameSession(id: string, name: string): Promise<SessionInfo> {
    const clean = String(name).trim().slice(0, 120);
    if (!clean) throw new Error('A session needs a name');
    const saved = this.models.peek()?.saved;
    if (saved?.id === id) saved.name = clean;
    return (await this.saver.store()).rename(id, clean);
  }

  async deleteSession(id: string): Promise<void> {
    await this.saver.idle();
    const loaded = this.models.peek();
    // The current model's work is saved afresh at its next step.
    if (loaded?.saved?.id === id) loaded.saved = undefined;
    await (await this.saver.store()).delete(id);
  }

  async openSession(jobId: number, id: string, onProgress?: ProgressCallback): Promise<RestoredSession> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      await control.checkpoint(0, 'Reading the saved session');
      await this.saver.idle();
      const { info, snapshot } = await this.saver.load(String(id));
      await control.checkpoint(0.2, 'Rebuilding the model');
      // The saved data, when there is some, is read again and measures the session as it did before.
      let data: LoadedModel['data'];
      let notice: string | undefined;
      const loaded = await restoreSession(snapshot, info, async (model, origin) => {
        const saved = await savedDataTask(snapshot, model, { decoder: this.decoder, control: progressBetween(control, 0.6, 0.9) });
        ({ data, notice } = saved);
        return saved.task ?? this.tasks(model, this.demoData(), origin);
      }, control);
      loaded.data = data;
      // Without its data the session goes on measured as the task now in use says (the saved steps keep their figures).
      if (notice) loaded.source = { ...loaded.source, metric: loaded.task.metric, metricNote: loaded.task.note, labelled: loaded.task.labelled };
      this.models.replace(loaded);
      const session = loaded.session!;
      return {
        info, summary: await this.summary(), baseline: loaded.baseline!, history: session.history(), currentId: session.current.id,
        pageState: snapshot.settings, budget: historyBudget(loaded), data: data?.summary ?? null, ...(notice ? { notice } : {}),
      };
    });
  }

  async loadData(jobId: number, files: ModelFile[], choices?: DataChoices | null, onProgress?: ProgressCallback): Promise<DataResult> {
    return this.jobs.run(jobId, onProgress, (control) => this.useData(files, choices ?? {}, control));
  }

  async updateData(jobId: number, choices: DataChoices, onProgress?: ProgressCallback): Promise<DataResult> {
    return this.jobs.run(jobId, onProgress, (control) => {
      const { data } = this.models.require();
      if (!data) throw new Error('No data is loaded: drop a folder, a .zip or a CSV first');
      return this.useData(data.files, choices, control);
    });
  }

  /**
   * Measures the original model on the user's data; only when that worked does the data become the
   * model's task, with a fresh history from the original model (the figures of earlier steps were
   * measured on other examples). A failure leaves the model, its history and its data as they were.
   */
  private useData(files: ModelFile[], choices: DataChoices, control: JobControl): Promise<DataResult> {
    return this.freshHistory(control, 'Reading your data', async (original, loaded) => {
      const measured = await measureData(original, files, choices, { classNames: loaded.source.labels, decoder: this.decoder, control });
      return { ...measured, data: { files, choices, summary: measured.summary } };
    }).then(({ result, data }) => ({ ...result, data: data!.summary }));
  }

  async clearData(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult> {
    return this.jobs.run(jobId, onProgress, async (control) => (await this.freshHistory(control, 'Measuring the original model', async (original, loaded) => {
      const task = await this.tasks(original, this.demoData(), loaded.source.kind === 'demo' ? 'demo' : 'import');
      try {
        return { task, ...(await task.baseline(original, control)), data: undefined };
      } catch (e) {
        task.dispose();
        throw e;
      }
    })).result);
  }

  /** The loaded model with another task and a fresh history (taskSwitch.ts). */
  private freshHistory(control: JobControl, label: string, measure: MeasureTask) {
    return freshHistory(this.models, control, label, measure, () => this.summary());
  }

  async classDamage(jobId: number, onProgress?: ProgressCallback): Promise<ClassDamageView | null> {
    // A graph model is measured without per-example classes here.
    return this.jobs.run(jobId, onProgress, async (control) => (this.models.graph() ? null : classDamage(this.models, control)));
  }

  async memory(): Promise<{ numTensors: number; numBytes: number }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  async cluster(jobId: number, request: ClusterRequest, onProgress?: ProgressCallback): Promise<StepResult> {
    return this.jobs.run(jobId, onProgress, async (control) => {
      const { session } = this.models.requireSession();
      const r = validateClusterRequest(request, session.model);
      return this.step(await session.cluster(clusterOptions(r, session.model), (clusters) => describeClustering(r, clusters), control));
    });
  }

  async layerDetail(jobId: number, path: string, onProgress?: ProgressCallback): Promise<LayerDetail> {
    // The model as it is now (after the current point's pruning or fine-tuning), read, never changed.
    return this.jobs.run(jobId, onProgress, async (control) => {
      const graph = this.models.graph();
      return graph ? graphLayerDetail(graph, String(path)) : layerWeightDetail(this.models.liveModel(), path, { control });
    });
  }

  async weightsOverview(jobId: number, range: [number, number] | null, onProgress?: ProgressCallback): Promise<WeightsOverview> {
    // The model as it is now, read, never changed.
    return this.jobs.run(jobId, onProgress, async (control) => {
      const graph = this.models.graph();
      return graph ? graphWeightsOverview(graph, range) : weightsOverview(this.models.liveModel(), { range, control });
    });
  }

  async weightsTimeline(jobId: number, pointIds: number[], onProgress?: ProgressCallback): Promise<WeightsTimeline> {
    return this.jobs.run(jobId, onProgress, (control) => weightsTimeline(this.models.requireSession().session, pointIds, control));
  }

  async modelGraph(jobId: number, onProgress?: ProgressCallback): Promise<ModelGraphData> {
    return this.jobs.run(jobId, onProgress, async () => modelGraphView(this.models.liveModel()));
  }
}
