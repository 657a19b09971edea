// Test support (no test of its own): a studio store in a plain object, and the real EngineBridge in
// front of a scripted engine whose prunes end only when a test says so.
import type { ExportSizes, HistoryPoint, ModelSummary, PruneSettings, StepResult, StudioEngineApi } from '../../engine/api';
import { CancelledError, EngineBridge, type EngineRemote } from '../engineBridge';
import { initialStudioState, type StudioState } from '../store';
import type { ActionContext, StudioStore } from './actionContext';
import { studioEvents } from './studioEvents';

export function historyPoint(id: number, overrides: Partial<HistoryPoint> = {}): HistoryPoint {
  return {
    id, parentId: id === 1 ? null : 1, baseId: 1, kind: id === 1 ? 'original' : 'prune', label: `step ${id}`, settings: null,
    metric: { metric: 'accuracy', subset: true, value: 0.9 - id / 100, count: 100, ms: 1 },
    params: 1000, nonzero: 1000, prunableSparsity: 0, macs: 0, nonzeroMacs: 0, bytes: 4000, gzipBytes: 3000, skipped: [], ms: 1,
    ...overrides,
  };
}

/** Only what the pruning controls read of a summary; `name` tells which engine answer it came from. */
export const summaryNamed = (name: string) => ({ id: 'model', name, prunable: [] }) as unknown as ModelSummary;

/** A store as zustand's setState behaves: updates merge into a new state object. */
export function plainStore(initial: Partial<StudioState> = {}): StudioStore {
  let state: StudioState = { ...initialStudioState(), ...initial };
  return {
    get: () => state,
    set: (update) => {
      state = { ...state, ...(typeof update === 'function' ? update(state) : update) };
    },
  };
}

/** The demo's original model loaded, nothing pruned, nothing running. */
export function loadedStore(): StudioStore {
  const original = historyPoint(1);
  return plainStore({
    status: 'idle', acting: false, summary: summaryNamed('loaded'), modelId: 'model',
    baseline: { ...original.metric, subset: false }, current: original.metric, history: [original], currentPointId: 1,
  });
}

interface Pending<T> {
  jobId: number;
  finish(value?: T): void;
  fail(error: Error): void;
}

export interface ScriptedPrune extends Pending<StepResult> {
  settings: PruneSettings;
  /** The point this prune makes when it finishes. */
  pointId: number;
}

export const sparsityOf = (p: ScriptedPrune) => (p.settings.target.kind === 'global' ? p.settings.target.sparsity : NaN);

export function scriptedEngine({ honoursCancel = false } = {}) {
  const prunes: ScriptedPrune[] = [];
  const sizes: Pending<ExportSizes>[] = [];
  const restores: number[] = [];
  const cancels: number[] = [];
  const points = new Map<number, HistoryPoint>([[1, historyPoint(1)]]);
  let nextPointId = 2;

  function pending<T>(jobId: number, fallback: () => T, add: (p: Pending<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => add({ jobId, finish: (value) => resolve(value ?? fallback()), fail: reject }));
  }

  const engine: Partial<StudioEngineApi> = {
    prune: (jobId, settings) => {
      const pointId = nextPointId++;
      const point = historyPoint(pointId, { settings, label: `prune ${pointId}` });
      points.set(pointId, point);
      return pending(jobId, () => ({ point, summary: summaryNamed(`after prune ${pointId}`) }), (p) => prunes.push({ ...p, settings, pointId }));
    },
    restore: async (_jobId, pointId) => {
      restores.push(pointId);
      return { point: points.get(pointId)!, summary: summaryNamed(`restored ${pointId}`) };
    },
    exportSizes: (jobId) => pending(jobId, () => ({}) as ExportSizes, (p) => sizes.push(p)),
    cancel: async (jobId) => {
      cancels.push(jobId);
      if (honoursCancel) prunes.find((p) => p.jobId === jobId)?.fail(new CancelledError());
    },
  };
  return { remote: engine as unknown as EngineRemote, prunes, sizes, restores, cancels };
}

/** The page's wiring with a scripted engine: the same bridge, events and store updates as the app. */
export function fakeStudio(options: { honoursCancel?: boolean } = {}) {
  const engine = scriptedEngine(options);
  const store = loadedStore();
  const context: ActionContext = { bridge: new EngineBridge(studioEvents(store), engine.remote), store };
  return { engine, store, context };
}

/** Lets every promise chain that is ready run to its end (no timer moves). */
export async function settle() {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
