// The typed contract between the page and the worker. The page imports its types and three plain
// constants (BACKEND_ORDER, GRANULARITIES, CRITERIA), so this module runs in the page: it imports
// core modules for their types only (`import type`, erased at build), never tfjs, and runs nothing at
// import time but those constants (and ENCRYPTED_FILE_MAGIC, GRAPH_CANNOT_TRAIN). Types the core already defines are taken from there.
import type { LayerStats, ModelStats } from '../core/graph/summary';
import type { CountTotals } from '../core/graph/macs';
import type { KernelDetail } from '../core/graph/weightStats';
import type { WeightsOverview } from '../core/graph/weightsOverview';
import type { WeightsTimeline } from '../core/graph/histogramTimeline';
import type { ModelSizes } from '../core/metrics/sizes';
import type { Precision } from '../core/model/quantize';
import type { ScanGranularity } from '../core/plan/sensitivity';
import type { Criterion } from '../core/prune/importance';
import type { ClusterInit } from '../core/compress/kmeans1d';
import type { Granularity, PruneRequest, PruneResult } from '../core/prune/pruneRequest';
import type { SparsityTarget } from '../core/prune/unstructured';
import type { FinetuneOptions, TrainProgress } from '../core/train/finetuneRecipe';
import type { SessionInfo } from '../core/session/sessionStore';
import type { DataChoices } from '../core/data/prepareData';
import type { Scaling } from '../core/data/preprocess';
import type { Fit } from '../core/data/resample';
import type { ModelGraphData } from '../core/graph/modelGraph';

export type { ClusterInit, Criterion, DataChoices, FinetuneOptions, Granularity, Scaling, SessionInfo, TrainProgress };

/** What a figure measures: accuracy (labels), fidelity (agreement with the original), mean absolute error (regression; lower is better). */
export type MetricKind = 'accuracy' | 'fidelity' | 'mae';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** What `?backend=` may ask for: one backend, or `fastest` (measure every one, even with a hardware GPU). */
export type BackendRequest = BackendName | 'fastest';

/** One backend the engine tried, in order, and what happened. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was skipped: the real error or check text. Absent when ok. */
  reason?: string;
  /** Adapter / renderer description when known, e.g. "google swiftshader (software)". */
  device?: string;
  /** True when the device is a software rasteriser (SwiftShader, llvmpipe, WebGPU fallback adapter). */
  software?: boolean;
  /** Time to initialise and pass the smoke check. */
  ms: number;
  /** Median time of one probe step (forward + backward of a small conv net), when it was measured. */
  probeMs?: number;
}

export interface BackendReport {
  active: BackendName;
  software: boolean;
  device?: string;
  /** Set when `?backend=` forced the choice. */
  forced?: BackendName;
  /** How the backend was chosen: forced by `?backend=`, first in order (a hardware GPU), measured fastest, or measured so on this device before. */
  chosenBy: 'forced' | 'order' | 'measurement' | 'remembered';
  /** The choice in one sentence, e.g. "Measured (no hardware GPU): WASM 18 ms per probe step; WebGL 95 ms; ...". */
  why: string;
  attempts: BackendAttempt[];
}

export interface DemoModelInfo {
  id: string;
  name: string;
  path: string;
  testAccuracy: number;
}

export interface DemoCatalog {
  dataset: { name: string; license: string; classes: string[]; trainCount: number; testCount: number };
  models: DemoModelInfo[];
}

/**
 * One row of the summary table: name, class, output shape (batch dimension null), weights, nonzero,
 * sparsity, float32 bytes, and whether it has a kernel the pruning engine can cut.
 */
export interface LayerSummary extends LayerStats {
  /** Multiply-accumulates per example (dense count); null when the shape is dynamic. */
  macs: number | null;
  /** MACs that multiply a nonzero kernel weight. */
  nonzeroMacs: number | null;
}

// Every granularity and criterion, for the request checks and the page's controls. Written as records
// so that one the core adds is a type error here until it is listed.
const GRANULARITY_NAMES: Record<Granularity, true> = { unstructured: true, '2:4': true, '4:8': true, channels: true };
export const GRANULARITIES: readonly Granularity[] = Object.keys(GRANULARITY_NAMES) as Granularity[];
const CRITERION_NAMES: Record<Criterion, true> = { magnitude: true, random: true, taylor: true, merge: true };
export const CRITERIA: readonly Criterion[] = Object.keys(CRITERION_NAMES) as Criterion[];

/** Fractions 0..1: of prunable weights (unstructured), or of channels (channels). Unused by 2:4 / 4:8. */
export type PruneTarget = SparsityTarget;

export type ChannelNorm = NonNullable<PruneRequest['channelNorm']>;

export interface PruneSettings {
  granularity: Granularity;
  criterion: Criterion;
  target: PruneTarget;
  /** Channels with the magnitude criterion: rank each channel group by the L1 (default) or L2 norm of its weights. */
  channelNorm?: ChannelNorm;
  /** The random criterion's seed (default 1, the studio's): the same seed gives the same scores. */
  seed?: number;
}

/** One layer with prunable weights, as the pruning controls see it. */
export interface PrunableLayer {
  path: string;
  className: string;
  /** Prunable weights (kernels) in the current model, and how many are nonzero. */
  params: number;
  nonzero: number;
  /** zeros / prunable weights of this layer. */
  sparsity: number;
  /** Structured pruning: the dependency group this layer's filters or units belong to; null when locked. */
  group: { id: string; producers: string[]; channels: number; kept: number } | null;
  /** Why channels of this layer cannot be removed (e.g. an output layer); null when they can. */
  channelLock: string | null;
  /** Why 2:4 / 4:8 does not apply to this layer; null when it does. */
  nmSkip: string | null;
  /** Distinct values of its kernel (the most of any of its kernels); null when more than DISTINCT_LIMIT. */
  distinct: number | null;
}

/** Distinct values are counted up to this many per kernel; past it the layer table says "more than". */
export const DISTINCT_LIMIT = 1024;

/** Where the loaded model came from and what it is measured on. */
export interface ModelSource {
  kind: 'demo' | 'file' | 'url';
  /** The files it was read from (the model JSON first). */
  files: string[];
  metric: MetricKind;
  /** What the metric is, in words: "accuracy on 2,000 Fashion-MNIST test images ...", "fidelity: ...". */
  metricNote: string;
  /** Whether fine-tuning has labels; without them it distils from the original model. */
  labelled: boolean;
  /** Class names (the demo's, or a Teachable Machine metadata.json's). */
  labels: string[] | null;
  /** What import changed to make the files load (Keras 3 quirks and the like). */
  fixes: string[];
  /** Problems worth knowing that did not stop the import (NaN weights and the like). */
  warnings: string[];
}

/** One file handed to the engine: its path as dropped (folders included) and its bytes. */
export interface ModelFile {
  path: string;
  bytes: Uint8Array;
}

export interface ModelSummary extends Pick<ModelStats, 'inputShape' | 'outputShape'> {
  id: string;
  name: string;
  source: ModelSource;
  layers: LayerSummary[];
  /**
   * Every weight (params, nonzero, float32 bytes, sparsity), and the prunable weights (kernels) and
   * how many are nonzero: pruning sparsity is measured against these. MACs per example.
   */
  totals: ModelStats['totals'] & Pick<CountTotals, 'prunableParams' | 'prunableNonzero' | 'prunableSparsity' | 'macs' | 'nonzeroMacs'>;
  prunable: PrunableLayer[];
  /**
   * 'graph': a TF.js graph model (converted from a SavedModel): pruned, measured and exported, never
   * trained; its layers are read back from the graph's ops. Absent or 'layers': a Layers model.
   */
  modelKind?: 'layers' | 'graph';
}

/** Why a graph model has no fine-tune, clustering or BatchNorm recalibration here, and how to get a model that has. */
export const GRAPH_CANNOT_TRAIN =
  'Graph models cannot be trained here: TF.js gives a graph model no training API, and its weights are constants. To fine-tune, convert the Keras source to a Layers model with tensorflowjs_converter --output_format=tfjs_layers_model and open that.';

/** 'cluster': the kernels' weights share k values each (weight clustering). */
export type StepKind = 'original' | 'prune' | 'finetune' | 'cluster';

/**
 * Weight clustering of the current model: each prunable kernel keeps at most k shared values (the
 * exact zero of pruned weights among them), found by 1-D k-means. Biases and BatchNorm stay as they are.
 */
export interface ClusterRequest {
  /** Shared values per kernel, 2..256. */
  k: number;
  init: ClusterInit;
  /** Layer path -> that layer's own k (overrides `k`); 0 leaves the layer as it is. */
  perLayer?: Record<string, number>;
}

/** One applied step: what the history list, the chart and undo/redo read. Plain data. */
export interface HistoryPoint {
  id: number;
  parentId: number | null;
  /** The starting point sliders prune from while this point is current (itself for original and fine-tuned points). */
  baseId: number;
  kind: StepKind;
  label: string;
  settings: PruneSettings | null;
  /** Metric on the live subset (the same images for every point). */
  metric: EvalResult;
  /** The same step on the whole held-out set, once asked for ("measure on all"); the live figure stays the step's number everywhere else. */
  whole?: EvalResult;
  params: number;
  nonzero: number;
  prunableSparsity: number;
  macs: number;
  nonzeroMacs: number;
  /** Raw float32 bytes of the weights. */
  bytes: number;
  /** The float32 weight files gzipped, as a web server would send them (what pruning really saves in transfer). */
  gzipBytes: number;
  /** What the step left alone and why (N:M not applicable, locked channel groups). */
  skipped: PruneResult['skipped'];
  ms: number;
}

export interface StepResult {
  point: HistoryPoint;
  summary: ModelSummary;
}

export interface BaselineResult {
  /** The original model on the whole held-out set. */
  baseline: EvalResult;
  /** The original model as the first history point (its metric on the live subset). */
  point: HistoryPoint;
  /** The summary again, now with MACs and the pruning view of every layer. */
  summary: ModelSummary;
}

export interface EvalResult {
  metric: MetricKind;
  /** true: the live subset (first images of the held-out set); false: all of it. */
  subset: boolean;
  /** 0..1; mean absolute error (any size, lower is better) for 'mae'. */
  value: number;
  /** Regression: R² on the same examples. */
  r2?: number;
  count: number;
  ms: number;
}

export interface JobProgress {
  jobId: number;
  /** 0..1 */
  fraction: number;
  label: string;
  /** Training jobs: the step just finished. */
  train?: TrainProgress;
  /** Set while the job is held by pause(). */
  paused?: boolean;
  /** A history point the job has just added (a pruning event of a schedule), before the job ends. */
  point?: HistoryPoint;
  /** With `point` during a schedule: its per-layer histograms on the timeline's range (weightsTimeline). */
  weights?: WeightsOverview;
}

export type ProgressCallback = (p: JobProgress) => void;

/** A sensitivity scan: each layer (or channel group) pruned alone along a ladder of sparsities. */
export interface ScanRequest {
  granularity: ScanGranularity;
  criterion: Criterion;
  channelNorm?: ChannelNorm;
}

export interface SensitivityView {
  /** The history point whose starting point was scanned. */
  baseId: number;
  granularity: ScanGranularity;
  criterion: Criterion;
  metric: MetricKind;
  baseline: number;
  ladder: number[];
  units: {
    id: string;
    layers: string[];
    params: number;
    curve: { sparsity: number; metric: number; estimated?: boolean }[];
    /** Largest sparsity within one point of the baseline, and the mean drop over the ladder. */
    robustness: { maxSparsity: number; area: number };
  }[];
  /** Unit ids, most robust first. */
  ranking: string[];
  skipped: { id: string; layers: string[]; reason: string }[];
  evaluations: number;
  ms: number;
}

/** What "Plan for me" aims at. Fractions 0..1 for sparsity and maxDrop; bytes are float32 weights gzipped. */
export type PlanTargetKind = 'sparsity' | 'gzipBytes' | 'macs' | 'maxDrop';
export interface PlanRequest {
  kind: PlanTargetKind;
  value: number;
}

export interface PlanResult {
  target: PlanRequest;
  granularity: ScanGranularity;
  /** Layer path -> fraction, for the layer sliders. */
  sparsity: Record<string, number>;
  reached: boolean;
  predictedMetric: number;
  /** The planned allocation, measured (live subset). */
  measuredMetric: number;
  /** Every layer at the same fraction, for the same global sparsity, measured the same way. */
  uniform: { sparsity: number; metric: number };
  achieved: { sparsity: number; params: number; macs: number | null; gzipBytes: number };
}

export type ExportPrecision = Precision;
/** 'packed': one .secpak file (nonzero positions, shared-value indices, entropy-coded) in a .zip with its decoder. */
export type ExportFormat = 'zip' | 'files' | 'packed';

/**
 * Bytes of the weight files at each precision, raw and gzipped, by actually encoding (and compressing)
 * them; `packed`: the whole model as one packed file (the export panel's sizes have it).
 */
export type ExportSizes = ModelSizes & { packed?: number };

export interface ExportRequest {
  precision: ExportPrecision;
  format: ExportFormat;
  /**
   * Seal the export with a passphrase (PBKDF2-SHA256 + AES-256-GCM, core/secure/encryptedFile.ts):
   * the download is one `.enc` file holding the .zip (loose files are zipped first).
   */
  encrypt?: { passphrase: string };
}

/** The first bytes of a file the studio encrypted (core/secure/encryptedFile.ts ENCRYPTED_MAGIC): the page sniffs them to ask for a passphrase. */
export const ENCRYPTED_FILE_MAGIC = 'SCTR-ENC';

/** How to open a drop: the passphrase of its encrypted file, when it holds one. */
export interface ImportOptions {
  passphrase?: string;
}

/** What the page downloads: one .zip, or the loose files (model.json first). */
export interface ExportBundle {
  fileName: string;
  files: { name: string; bytes: Uint8Array; type: string }[];
  precision: ExportPrecision;
  /** Weight bytes at the chosen precision, raw and gzipped. */
  weightBytes: number;
  weightGzipBytes: number;
}

/** One side of the compare panel. */
export interface CompareSide {
  params: number;
  nonzero: number;
  macs: number;
  nonzeroMacs: number;
  sizes: ExportSizes;
  metric: EvalResult;
  /** Median ms of one single-example prediction in the worker, after warm-up. */
  latencyMs: number;
  latencyRuns: number;
  /** The same prediction layer by layer (core/metrics/layerProfile.ts says what a layer's time includes). */
  profile: LayerTimes;
}

/** Where one single-example prediction's time goes, per layer call in execution order. */
export interface LayerTimes {
  layers: { path: string; className: string; ms: number; share: number; macs: number | null }[];
  totalMs: number;
  runs: number;
}

export interface CompareResult {
  original: CompareSide;
  current: CompareSide;
  backend: BackendName;
}

export type { KernelDetail, KernelHeatmap, WeightHistogram, WeightStats } from '../core/graph/weightStats';
/** Every prunable layer's |w| histogram over shared log-spaced bins, zeros apart (plain data). */
export type { LayerMagnitudes, WeightsOverview } from '../core/graph/weightsOverview';
/** Some history steps' per-layer histograms on the original model's range: the histogram timeline's data. */
export type { TimelineStep, WeightsTimeline } from '../core/graph/histogramTimeline';
/** The model as a graph: layer nodes (nested models too), tensor edges, channel groups (plain data). */
export type { ModelGraphData, ModelGraphEdge, ModelGraphGroup, ModelGraphNode } from '../core/graph/modelGraph';

/** The weight views of one layer of the current model: one entry per prunable kernel (plain data). */
export interface LayerDetail {
  /** The layer's path, as in LayerSummary.name ("conv1", "features/conv_1"). */
  path: string;
  className: string;
  /** Stats, histogram of the nonzero values (zeros counted apart) and a downsampled |w| / zeros heatmap per kernel. */
  kernels: KernelDetail[];
}

/** The page's side of a saved session (sliders, undo/redo, the fine-tune curves): plain data the engine stores as it is. */
export type PageSessionState = unknown;

/** The history's memory: what its steps hold now, against the budget (bytes). */
export interface HistoryBudget {
  used: number;
  limit: number;
}

export interface AutosaveResult {
  /** The session as saved; null when there was nothing to save yet (only the original model). */
  saved: SessionInfo | null;
  budget: HistoryBudget;
  /** ms the save took in the worker (serialising and writing). */
  ms: number;
  /** Why it was not saved (a full disk: how much is used and what to delete); the studio goes on in memory. */
  error?: string;
}

export interface SessionList {
  sessions: SessionInfo[];
  /** Bytes every saved session takes on disk. */
  bytesOnDisk: number;
  /** The session the current model is saved as, if it has been saved. */
  current: string | null;
}

/** A saved session opened again: the model, its whole history and the page's state as they were saved. */
export interface RestoredSession {
  info: SessionInfo;
  summary: ModelSummary;
  baseline: EvalResult;
  history: HistoryPoint[];
  currentId: number;
  pageState: PageSessionState;
  budget: HistoryBudget;
  /** The user's data the session was measured on, read again from the session; null: the demo data or generated inputs. */
  data: DataSummary | null;
  /** Said when the saved data could not be used (the session then opens measured without it). */
  notice?: string;
}

/** The kind of data a model is measured on: the demo's, or what the user dropped. */
export type DataKind = 'demo' | 'images' | 'tm' | 'csv' | 'unlabelled';

/** One example as the page shows it: pixels as the model sees them (uint8, before scaling), or a table row. */
export interface DataExample {
  index: number;
  /** The file, or "row 12". */
  name: string;
  image?: { width: number; height: number; channels: number; pixels: Uint8Array };
  row?: number[];
  /** Its class name (null: unlabelled, or a regression target given in `target`). */
  label: string | null;
  target?: number;
  /** The original model's prediction (class name, or the value of a regression model). */
  prediction: string;
}

/** The user's data set as the Data panel shows it. */
export interface DataSummary {
  kind: Exclude<DataKind, 'demo'>;
  /** The folder, zip or table it came from. */
  name: string;
  /** Examples used (images decoded, or table rows). */
  count: number;
  /** The model's classes (0 for regression). */
  classes: number;
  train: number;
  test: number;
  live: number;
  metric: MetricKind;
  /** What the metric is, in words. */
  note: string;
  classNames: string[];
  /** Class folders (or a table's label names) and what each maps to, with the original model's agreement on it. */
  mapping: {
    groups: string[];
    paths: string[];
    classOf: number[];
    by: 'name' | 'number' | 'prediction' | 'user';
    agreement: (number | null)[];
    measured: (number | null)[];
  } | null;
  /** Images: the preprocessing, the measured scaling trials and why. */
  preprocess: {
    scaling: Scaling;
    fit: Fit;
    height: number;
    width: number;
    channels: number;
    candidates: { scaling: Scaling; label: string; correct: number | null; count: number | null }[];
    reasons: string[];
  } | null;
  /** Tables: the label column and the features. */
  table: { labelColumn: string | null; featureColumns: string[] } | null;
  /** Things skipped or left out, as sentences. */
  warnings: string[];
  skipped: number;
  /** Dropped files that are not data (the model's own files, a README). */
  ignored: string[];
  /** The first held-out examples, as the model sees them, with their label and the original model's prediction. */
  preview: DataExample[];
  /** The choices the data was read with (what the panel's controls show). */
  choices: DataChoices;
}

/** A data set loaded: the model measured on it from a fresh history (its original point first). */
export interface DataResult extends BaselineResult {
  data: DataSummary;
}

/** What the current step did to each class against the original model, on the live subset. */
export interface ClassDamageView {
  pointId: number;
  metric: MetricKind;
  /** Most hurt first. Accuracy (or agreement) 0..1. */
  classes: { class: number; name: string; count: number; original: number; current: number; change: number }[];
  /** Confusion matrix change (current − original), n × n row-major: rows the true class, columns the predicted one. */
  confusion: { names: string[]; change: number[] };
  /** Examples right before and wrong now (broken), and the reverse (fixed); at most FLIPS_SHOWN of each. */
  flips: { broken: FlipView[]; fixed: FlipView[]; brokenCount: number; fixedCount: number };
}

export interface FlipView {
  index: number;
  label: string;
  original: string;
  current: string;
  example: DataExample;
}

/** What the worker exposes through comlink. Every method may throw an Error with a user-facing message. */
export interface StudioEngineApi {
  /** `testHooks` (the page's `?testhooks=1`) lets testFault work; it refuses otherwise. */
  init(options: { baseUrl: string; backend?: BackendRequest | null; testHooks?: boolean }): Promise<BackendReport>;
  /** Test hooks only: crash the worker (uncaught error, unhandled rejection, close) or lose the GPU device. */
  testFault(fault: 'throw' | 'reject' | 'exit' | 'lose-device'): Promise<void>;
  demoCatalog(): Promise<DemoCatalog>;
  /** Loads a demo model (and the demo data on first use); returns its summary. */
  loadDemoModel(jobId: number, id: string, onProgress?: ProgressCallback): Promise<ModelSummary>;
  /**
   * Reads a model from the user's files (loose files, a folder's files, or a .zip), checks it, loads it
   * and measures it. Only when all of that worked does it replace the current model; a failure
   * rejects with a message naming the file and the problem and leaves everything as it was.
   */
  importModel(jobId: number, files: ModelFile[], onProgress?: ProgressCallback, options?: ImportOptions): Promise<BaselineResult>;
  /** The same from a URL of a model JSON; shards are fetched relative to it. */
  importModelUrl(jobId: number, url: string, onProgress?: ProgressCallback): Promise<BaselineResult>;
  /** Evaluates the freshly loaded model on the whole held-out set; starts the history. */
  evaluateBaseline(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult>;
  /** One-shot prune of the step's starting point with these settings, evaluated on the live subset. */
  prune(jobId: number, settings: PruneSettings, onProgress?: ProgressCallback): Promise<StepResult>;
  /**
   * Fine-tunes the current model, keeping every pruned weight at exactly 0: on the demo training
   * images against their labels when the demo data fits the model, otherwise (or with targets
   * 'distill') by distillation from the original model on generated inputs. The result is a new
   * history point and the starting point of later prunes. With a schedule, each pruning event is a
   * point too, sent with the progress as it happens. Cancel stops it after the running batch: a plain
   * fine-tune leaves the model as it was; a schedule keeps the pruning points made so far, and the
   * model is the last of them.
   */
  finetune(jobId: number, options: FinetuneOptions, onProgress?: ProgressCallback): Promise<StepResult>;
  /** Sizes of the current model's weight files at each precision, raw and gzipped. */
  exportSizes(jobId: number, onProgress?: ProgressCallback): Promise<ExportSizes>;
  /** The current model's files (or a .zip of them, with a README and a JSON report), made in the worker. */
  exportModel(jobId: number, request: ExportRequest, onProgress?: ProgressCallback): Promise<ExportBundle>;
  /** The original and the current model side by side: counts, sizes, metric and measured latency. */
  compare(jobId: number, onProgress?: ProgressCallback): Promise<CompareResult>;
  /** Measures the current step on the whole held-out set (when the live set is a subset); the step keeps it (saved with the session). */
  measureWhole(jobId: number, onProgress?: ProgressCallback): Promise<HistoryPoint>;
  /** Scans the current starting point's sensitivity per layer (or channel group). Cancellable within one evaluation. */
  scanSensitivity(jobId: number, request: ScanRequest, onProgress?: ProgressCallback): Promise<SensitivityView>;
  /** Per-layer sparsities that meet `request` from the last scan, measured against uniform pruning; the model is left as it was. */
  planAllocation(jobId: number, request: PlanRequest, onProgress?: ProgressCallback): Promise<PlanResult>;
  /** Makes a history point current again. */
  restore(jobId: number, pointId: number, onProgress?: ProgressCallback): Promise<StepResult>;
  /** Cooperative cancel: the job stops at its next batch boundary and rejects with a CancelledError. */
  cancel(jobId: number): Promise<void>;
  /** Holds a running job at its next batch boundary (nothing is lost); resume lets it go on. */
  pause(jobId: number): Promise<void>;
  resume(jobId: number): Promise<void>;
  /**
   * Re-estimates every BatchNormalization layer's moving mean and variance on a few hundred inputs
   * (no labels, no gradients): a one-click recovery after pruning. The result is a new step.
   */
  recalibrateBatchNorm(jobId: number, onProgress?: ProgressCallback): Promise<StepResult>;
  /**
   * Benchmark: a masked training step (90% global magnitude masks) against the same step without
   * masks, on two copies of the original model and this backend, steps alternating; medians in ms.
   */
  benchMaskedStep(jobId: number, options: { steps: number; warmup: number; batchSize: number }, onProgress?: ProgressCallback): Promise<{
    backend: BackendName; plainMedianMs: number; maskedMedianMs: number; ratio: number; steps: number;
  }>;
  /**
   * Saves the session (model, every step, current step, `pageState`) to IndexedDB, off the page's
   * thread. Not queued as a job: it reads the history as it is now. Never throws for a full disk: the
   * result says why it was not saved.
   */
  autosave(pageState: PageSessionState): Promise<AutosaveResult>;
  /** Saved sessions, newest first, with their size on disk. */
  listSessions(): Promise<SessionList>;
  renameSession(id: string, name: string): Promise<SessionInfo>;
  deleteSession(id: string): Promise<void>;
  /** Opens a saved session: the current model is replaced only when all of it was read and rebuilt. */
  openSession(jobId: number, id: string, onProgress?: ProgressCallback): Promise<RestoredSession>;
  /**
   * Reads the user's data (image folders, zips, .tm projects, unlabelled images, a CSV), decodes it in
   * the worker and measures the original model on it. On success the data becomes the model's task and
   * the history starts afresh from the original model measured on it; a failure rejects with the
   * data's message and leaves the model, its history and the data it had as they were.
   */
  loadData(jobId: number, files: ModelFile[], choices?: DataChoices | null, onProgress?: ProgressCallback): Promise<DataResult>;
  /** The loaded data read again with other choices (scaling, class mapping, label column, split); a fresh history again. */
  updateData(jobId: number, choices: DataChoices, onProgress?: ProgressCallback): Promise<DataResult>;
  /** Back to what the model was measured on before any data was dropped (the demo images or generated inputs); a fresh history. */
  clearData(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult>;
  /** Per-class damage of the current step against the original (null when the task has no classes: regression). */
  classDamage(jobId: number, onProgress?: ProgressCallback): Promise<ClassDamageView | null>;
  /** Live tensor count, for leak checks. */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
  /**
   * Clusters the current model's kernels (weight sharing, sparsity-preserving): a new step of kind
   * 'cluster' that later prunes start from. Fine-tuning a clustered step keeps the sharing.
   */
  cluster(jobId: number, request: ClusterRequest, onProgress?: ProgressCallback): Promise<StepResult>;
  /** The weight views (stats, histogram, heatmap) of one layer's prunable kernels in the current model. */
  layerDetail(jobId: number, path: string, onProgress?: ProgressCallback): Promise<LayerDetail>;
  /**
   * |w| histograms of every prunable layer of the current model over one shared log-spaced range
   * (`range` [lo, hi], or null: the model's smallest to largest nonzero |w|); zeros counted apart.
   */
  weightsOverview(jobId: number, range: [number, number] | null, onProgress?: ProgressCallback): Promise<WeightsOverview>;
  /**
   * The per-layer |w| histograms of the history steps `pointIds` (in that order), all on the original
   * model's range, for the histogram timeline; each step is read once and kept.
   */
  weightsTimeline(jobId: number, pointIds: number[], onProgress?: ProgressCallback): Promise<WeightsTimeline>;
  /** The current model as a graph (layers, tensors between them, channel groups, locks), for the graph view to lay out. */
  modelGraph(jobId: number, onProgress?: ProgressCallback): Promise<ModelGraphData>;
}
