// Studio state (zustand). What the user asked for (the pruning controls) is kept apart from what
// produced the numbers on screen (the current history point); the engine owns the tensors.
import { create } from 'zustand';
import type {
  BackendName, BackendReport, ChannelNorm, ClassDamageView, CompareResult, DataSummary, HistoryBudget, SessionInfo, SessionList, PlanResult, SensitivityView, Criterion, DemoCatalog, EvalResult, ExportSizes, Granularity, HistoryPoint, JobProgress, ModelSummary,
  WeightsOverview,
} from '../engine/api';

export type StudioStatus = 'idle' | 'busy' | 'error';

/** The pruning controls: targets are fractions 0..1. */
export interface PruneControls {
  granularity: Granularity;
  criterion: Criterion;
  channelNorm: ChannelNorm;
  /** 'global': one target over every layer; 'perLayer': the layer sliders. */
  mode: 'global' | 'perLayer';
  global: number;
  perLayer: Record<string, number>;
}

export const DEFAULT_CONTROLS: PruneControls = { granularity: 'unstructured', criterion: 'magnitude', channelNorm: 'l1', mode: 'global', global: 0, perLayer: {} };

export interface StudioState {
  /** `error` only when the engine cannot work at all; a failed action leaves it idle with `error` set. */
  status: StudioStatus;
  /** A job the user started is queued or running (background jobs keep `status` busy, not this). */
  acting: boolean;
  fatal: boolean;
  error: string | null;
  backend: BackendReport | null;
  catalog: DemoCatalog | null;
  modelId: string | null;
  summary: ModelSummary | null;
  /** The original model on the whole held-out set. */
  baseline: EvalResult | null;
  /** The metric shown for the current model. */
  current: EvalResult | null;
  progress: JobProgress | null;
  controls: PruneControls;
  history: HistoryPoint[];
  currentPointId: number | null;
  /** The running or last fine-tune: its loss after every step, and how it ended. */
  training: { jobId: number; losses: number[]; metrics: { step: number; value: number }[]; outcome: string | null } | null;
  /** Point ids to go back to (Ctrl+Z) and forward again (Ctrl+Shift+Z), newest last. */
  undo: number[];
  redo: number[];
  /** ms from navigation start to the demo's baseline accuracy on screen. */
  readyMs: number | null;
  /** Export sizes of a history point (measured by encoding its files in the worker). */
  sizes: { pointId: number; sizes: ExportSizes } | null;
  /** The compare panel's last measurement, for the point it was made on. */
  compare: { pointId: number; result: CompareResult } | null;
  /** The last sensitivity scan (of the starting point named in it) and the last plan. */
  scan: SensitivityView | null;
  plan: PlanResult | null;
  /** An encrypted drop waiting for its passphrase: the sealed file's name, and the last try's error. */
  unlock: { file: string; error: string | null } | null;
  /** Saved sessions (newest first) and what they take on disk. */
  sessions: SessionList | null;
  /** The saved session offered for restore at start (the newest), until restored or dismissed. */
  restoreOffer: SessionInfo | null;
  /** A `?model=` URL on another origin, waiting for the user's yes before anything is fetched from there. */
  modelUrlOffer: string | null;
  /** The last autosave: 'saving' while one runs, 'saved' with the steps written, 'error' when the disk was full. */
  autosave: { state: 'saving' | 'saved' | 'error'; steps: number; savedAt: number | null; ms: number } | null;
  /** The history's memory against its budget. */
  budget: HistoryBudget | null;
  /** The last recovery from a crashed engine: what happened, in words, and how long it took. */
  recovery: { note: string; reason: string; backend: BackendName; step: number | null; interrupted: string | null; ms: number } | null;
  /** The user's data the model is measured on; null: the demo images (or generated inputs). */
  data: DataSummary | null;
  /** Per-class damage of a step (the one named in it) against the original. */
  damage: ClassDamageView | null;
  /** Per-layer |w| histograms of a point (the current one once measured), and of the last starting point measured (what a slider's preview reads). */
  weights: PointWeights | null;
  startWeights: PointWeights | null;
  /** Every step's per-layer histograms read so far, on the original's range (the histogram timeline). */
  timeline: PageTimeline | null;
}

export interface PageTimeline {
  /** The history's original point (the object in `history`): a new history (another model, other data) has another one, and the steps here are not its. */
  original: HistoryPoint;
  range: [number, number] | null;
  steps: Record<number, WeightsOverview>;
  /** The last read failed (its message), with this many steps in the history: not tried again until a step is added. */
  failed?: { message: string; steps: number };
}

export interface PointWeights {
  modelId: string | null;
  pointId: number;
  overview: WeightsOverview;
}

/** The studio before the engine has started: busy, with nothing loaded. */
export const initialStudioState = (): StudioState => ({
  status: 'busy',
  acting: true,
  fatal: false,
  error: null,
  backend: null,
  catalog: null,
  modelId: null,
  summary: null,
  baseline: null,
  current: null,
  progress: null,
  controls: DEFAULT_CONTROLS,
  history: [],
  currentPointId: null,
  undo: [],
  redo: [],
  training: null,
  readyMs: null,
  sizes: null,
  compare: null,
  scan: null,
  plan: null,
  unlock: null,
  sessions: null,
  restoreOffer: null,
  modelUrlOffer: null,
  autosave: null,
  budget: null,
  recovery: null,
  data: null,
  damage: null,
  weights: null,
  startWeights: null,
  timeline: null,
});

export const useStudio = create<StudioState>(initialStudioState);

export const setStudio = useStudio.setState;

/** The user can start something now: the engine works, and only background work (if any) is running. */
export const canAct = (s: StudioState): boolean => !s.fatal && !s.acting;

export const currentPoint = (s: StudioState): HistoryPoint | null => s.history.find((p) => p.id === s.currentPointId) ?? null;
export const originalPoint = (s: StudioState): HistoryPoint | null => s.history.find((p) => p.kind === 'original') ?? null;
