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
}

export interface ModelSummary {
  id: string;
  name: string;
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  layers: LayerSummary[];
  totals: { params: number; nonzero: number; bytes: number; sparsity: number };
}

export interface EvalResult {
  metric: 'accuracy' | 'fidelity';
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
}

export type ProgressCallback = (p: JobProgress) => void;

/** What the worker exposes through comlink. Every method may throw an Error with a user-facing message. */
export interface StudioEngineApi {
  init(options: { baseUrl: string; backend?: BackendName | null }): Promise<BackendReport>;
  demoCatalog(): Promise<DemoCatalog>;
  /** Loads a demo model (and the demo data on first use); returns its summary. */
  loadDemoModel(jobId: number, id: string, onProgress?: ProgressCallback): Promise<ModelSummary>;
  /** Metric of the current model on the held-out set. */
  evaluate(jobId: number, onProgress?: ProgressCallback): Promise<EvalResult>;
  /** Cooperative cancel: the job stops at its next batch boundary and rejects with a CancelledError. */
  cancel(jobId: number): Promise<void>;
  /** Live tensor count, for leak checks. */
  memory(): Promise<{ numTensors: number; numBytes: number }>;
}

export const CANCELLED_MESSAGE = 'Cancelled';
