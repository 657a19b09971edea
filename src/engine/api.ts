// The typed contract between the page and the worker. The app imports this file for types only
// (`import type`), so nothing here may pull in tfjs or run code at import time.

export type BackendName = 'webgpu' | 'webgl' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

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
  ms: number;
}

export interface BackendReport {
  active: BackendName;
  software: boolean;
  device?: string;
  /** Set when `?backend=` forced the choice. */
  forced?: BackendName;
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

export interface LayerSummary {
  name: string;
  className: string;
  /** Output shape with the batch dimension as null, e.g. [null, 28, 28, 16]. */
  outputShape: (number | null)[];
  params: number;
  nonzero: number;
  /** zeros / params of this layer's weights (0 when it has none). */
  sparsity: number;
  /** float32 bytes of this layer's weights. */
  bytes: number;
  /** Has a kernel the pruning engine can cut (Dense, Conv*, Embedding, recurrent). */
  prunable: boolean;
  /** Multiply-accumulates per example (dense count); null when the shape is dynamic. */
  macs: number | null;
  /** MACs that multiply a nonzero kernel weight. */
  nonzeroMacs: number | null;
}

export type Granularity = 'unstructured' | '2:4' | '4:8' | 'channels';
export const GRANULARITIES: readonly Granularity[] = ['unstructured', '2:4', '4:8', 'channels'];
export type Criterion = 'magnitude' | 'random' | 'taylor';
export const CRITERIA: readonly Criterion[] = ['magnitude', 'random', 'taylor'];

/** Fractions 0..1: of prunable weights (unstructured), or of channels (channels). Unused by 2:4 / 4:8. */
export type PruneTarget = { kind: 'global'; sparsity: number } | { kind: 'perLayer'; sparsity: Record<string, number> };

export type ChannelNorm = 'l1' | 'l2';

export interface PruneSettings {
  granularity: Granularity;
  criterion: Criterion;
  target: PruneTarget;
  /** Channels with the magnitude criterion: rank each channel group by the L1 (default) or L2 norm of its weights. */
  channelNorm?: ChannelNorm;
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
}

export interface ModelSummary {
  id: string;
  name: string;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  layers: LayerSummary[];
  totals: {
    params: number;
    nonzero: number;
    bytes: number;
    sparsity: number;
    /** Prunable weights (kernels) and how many are nonzero: sparsity is measured against these. */
    prunableParams: number;
    prunableNonzero: number;
    prunableSparsity: number;
    macs: number;
    nonzeroMacs: number;
  };
  prunable: PrunableLayer[];
}

export type StepKind = 'original' | 'prune' | 'finetune';

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
  params: number;
  nonzero: number;
  prunableSparsity: number;
  macs: number;
  nonzeroMacs: number;
  /** Raw float32 bytes of the weights. */
  bytes: number;
  /** What the step left alone and why (N:M not applicable, locked channel groups). */
  skipped: { key: string; reason: string }[];
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
  metric: 'accuracy' | 'fidelity';
  /** true: the live subset (first images of the held-out set); false: all of it. */
  subset: boolean;
  /** 0..1 */
  value: number;
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
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  /** ms left at the current pace. */
  etaMs: number;
  /** Pruned weights still exactly 0, counted after this step (all of them, when the masks hold). */
  zerosKept: number;
  zerosPruned: number;
}

export interface FinetuneOptions {
  /** Passes over the demo training images; fractions allowed (0.25 = a quarter). */
  epochs: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd';
  batchSize: number;
}

export type ProgressCallback = (p: JobProgress) => void;

/** What the worker exposes through comlink. Every method may throw an Error with a user-facing message. */
export interface StudioEngineApi {
  init(options: { baseUrl: string; backend?: BackendName | null }): Promise<BackendReport>;
  demoCatalog(): Promise<DemoCatalog>;
  /** Loads a demo model (and the demo data on first use); returns its summary. */
  loadDemoModel(jobId: number, id: string, onProgress?: ProgressCallback): Promise<ModelSummary>;
  /** Evaluates the freshly loaded model on the whole held-out set; starts the history. */
  evaluateBaseline(jobId: number, onProgress?: ProgressCallback): Promise<BaselineResult>;
  /** Metric of the current model on the whole held-out set. */
  evaluate(jobId: number, onProgress?: ProgressCallback): Promise<EvalResult>;
  /** One-shot prune of the step's starting point with these settings, evaluated on the live subset. */
  prune(jobId: number, settings: PruneSettings, onProgress?: ProgressCallback): Promise<StepResult>;
  /**
   * Fine-tunes the current model on the demo training images, keeping every pruned weight at exactly
   * 0; the result is a new history point and the starting point of later prunes. Cancel stops it
   * after the running batch and leaves the model as it was.
   */
  finetune(jobId: number, options: FinetuneOptions, onProgress?: ProgressCallback): Promise<StepResult>;
  /** Makes a history point current again. */
  restore(jobId: number, pointId: number, onProgress?: ProgressCallback): Promise<StepResult>;
  /** Cooperative cancel: the job stops at its next batch boundary and rejects with a CancelledError. */
  cancel(jobId: number): Promise<void>;
  /** Live tensor count, for leak checks. */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}

export const CANCELLED_MESSAGE = 'Cancelled';
