// Studio state (zustand). What produced the numbers on screen lives here; the engine owns tensors.
import { create } from 'zustand';
import type { BackendReport, DemoCatalog, EvalResult, JobProgress, ModelSummary } from '../engine/api';

export type StudioStatus = 'idle' | 'busy' | 'error';

export interface StudioState {
  /** `error` only when the engine cannot work at all; a failed action leaves it idle with `error` set. */
  status: StudioStatus;
  fatal: boolean;
  error: string | null;
  backend: BackendReport | null;
  catalog: DemoCatalog | null;
  modelId: string | null;
  summary: ModelSummary | null;
  baseline: EvalResult | null;
  current: EvalResult | null;
  progress: JobProgress | null;
  /** ms from navigation start to the demo's baseline accuracy on screen. */
  readyMs: number | null;
}

export const useStudio = create<StudioState>(() => ({
  status: 'busy',
  fatal: false,
  error: null,
  backend: null,
  catalog: null,
  modelId: null,
  summary: null,
  baseline: null,
  current: null,
  progress: null,
  readyMs: null,
}));

export const setStudio = useStudio.setState;
