// User intents -> engine jobs -> store updates. Components call these; they never talk to the engine.
import * as Comlink from 'comlink';
import type { BackendRequest, BaselineResult, ChannelNorm, Criterion, ExportRequest, FinetuneOptions, Granularity, ModelFile, PlanRequest, StepResult } from '../engine/api';
import { EngineBridge } from './engineBridge';
import { asksForNothing, controlsOf, coupledWith, isNM, layerLock, settingsFrom, sliderValue } from './pruneControls';
import { canAct, currentPoint, DEFAULT_CONTROLS, setStudio, useStudio, type PruneControls } from './store';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isCancelled = (e: unknown) => e instanceof Error && (e.name === 'CancelledError' || e.message === 'Cancelled');

const bridge = new EngineBridge({
  onBusyChange: (busy, acting) => setStudio((s) => ({ status: s.fatal ? 'error' : busy ? 'busy' : 'idle', acting })),
  onProgress: (progress) => setStudio((s) => {
    // A point a running job made (a pruning event of a schedule): on the chart and current at once.
    if (progress?.point && !s.history.some((p) => p.id === progress.point!.id)) {
      const moved = s.currentPointId !== null && s.currentPointId !== progress.point.id;
      return {
        progress, history: [...s.history, progress.point], currentPointId: progress.point.id, current: progress.point.metric,
        undo: moved ? [...s.undo, s.currentPointId!] : s.undo, redo: [],
      };
    }
    const t = progress?.train;
    const training = s.training;
    if (!t || !training || training.jobId !== progress.jobId) return { progress };
    const newLoss = training.losses.length < t.step;
    const newMetric = t.metricStep !== undefined && t.metric !== undefined && training.metrics[training.metrics.length - 1]?.step !== t.metricStep;
    if (!newLoss && !newMetric) return { progress };
    return {
      progress,
      training: {
        ...training,
        losses: newLoss ? [...training.losses, t.loss] : training.losses,
        metrics: newMetric ? [...training.metrics, { step: t.metricStep!, value: t.metric! }] : training.metrics,
      },
    };
  }),
  onWorkerError: (message) => setStudio({ fatal: true, status: 'error', error: `The engine stopped: ${message}` }),
});

function reportError(e: unknown) {
  if (!isCancelled(e)) setStudio({ error: messageOf(e) });
}

export function dismissError() {
  setStudio({ error: null });
}

/** A fresh model on screen: its summary and original point; every per-model state starts over. */
function showNewModel(modelId: string, { baseline, point, summary }: BaselineResult) {
  setStudio({
    summary, modelId, baseline, current: baseline, history: [point], currentPointId: point.id, undo: [], redo: [],
    controls: DEFAULT_CONTROLS, training: null, error: null, sizes: null, compare: null, scan: null, plan: null,
  });
}

async function loadAndEvaluate(id: string) {
  const summary = await bridge.run((engine, jobId, onProgress) => engine.loadDemoModel(jobId, id, onProgress)).result;
  setStudio({ summary, modelId: id, current: null, baseline: null, history: [], currentPointId: null, undo: [], redo: [], controls: DEFAULT_CONTROLS, training: null });
  showNewModel(id, await bridge.run((engine, jobId, onProgress) => engine.evaluateBaseline(jobId, onProgress)).result);
}

/**
 * Opens the user's model files. The engine swaps the model only when everything worked: a failure
 * shows its message and leaves the current model, its history and the sliders exactly as they were.
 */
export async function importModelFiles(files: ModelFile[]) {
  if (useStudio.getState().fatal) return;
  dismissError();
  cancelPendingPrune();
  try {
    const result = await bridge.run((engine, jobId, onProgress) =>
      engine.importModel(jobId, Comlink.transfer(files, files.map((f) => f.bytes.buffer as ArrayBuffer)), onProgress)).result;
    showNewModel(result.summary.id, result);
  } catch (e) {
    reportError(e);
  }
}

/** `?model=<url of a model.json>`: the same, fetched from that URL (shards relative to it). */
export async function importModelUrl(url: string) {
  dismissError();
  cancelPendingPrune();
  try {
    const result = await bridge.run((engine, jobId, onProgress) => engine.importModelUrl(jobId, url, onProgress)).result;
    showNewModel(result.summary.id, result);
  } catch (e) {
    reportError(e);
  }
}

/** Picks a backend, reads the demo catalog and opens the first demo model (then `modelUrl`, when given). */
export async function startStudio(forcedBackend: BackendRequest | null, modelUrl: string | null = null) {
  try {
    const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
    const backend = await bridge.run((engine) => engine.init({ baseUrl, backend: forcedBackend })).result;
    setStudio({ backend });
    const catalog = await bridge.run((engine) => engine.demoCatalog()).result;
    setStudio({ catalog });
    await loadAndEvaluate(catalog.models[0].id);
    setStudio({ readyMs: Math.round(performance.now()) });
    // The demo stays underneath: a model URL that fails to load leaves a working studio and says why.
    if (modelUrl) await importModelUrl(modelUrl);
  } catch (e) {
    // Without a backend or a model nothing else can work: say so and stay in the error state.
    const { backend, summary } = useStudio.getState();
    const fatal = !backend || !summary;
    setStudio({ fatal, status: fatal ? 'error' : 'idle', error: messageOf(e) });
  }
}

export async function switchDemoModel(id: string) {
  if (id === useStudio.getState().modelId) return;
  try {
    dismissError();
    cancelPendingPrune();
    await loadAndEvaluate(id);
  } catch (e) {
    reportError(e);
  }
}

/**
 * How a change of the current step enters undo/redo: 'step' is a user action (a new step, a click on
 * a point): the old step can be undone to; 'undo' / 'redo' move along the stacks; 'quiet' (a resync)
 * leaves them alone.
 */
type Nav = 'step' | 'undo' | 'redo' | 'quiet';

/** A step's numbers on screen: the original point shows the whole-set baseline. */
function showStep({ point, summary }: StepResult, nav: Nav) {
  setStudio((s) => {
    const prev = s.currentPointId;
    const moved = prev !== null && prev !== point.id;
    let { undo, redo } = s;
    if (moved && nav === 'step') [undo, redo] = [[...undo, prev], []];
    if (moved && nav === 'undo') redo = [...redo, prev];
    if (moved && nav === 'redo') undo = [...undo, prev];
    return {
      summary,
      currentPointId: point.id,
      undo,
      redo,
      history: s.history.some((p) => p.id === point.id) ? s.history : [...s.history, point],
      current: point.kind === 'original' && s.baseline ? s.baseline : point.metric,
    };
  });
}

// ---- Live pruning: debounce slider motion, run at most one prune at a time, drop superseded ones.

const DEBOUNCE_MS = 150;
let debounce: ReturnType<typeof setTimeout> | null = null;
let running: number | null = null;
let wanted = false;

function cancelPendingPrune() {
  if (debounce) clearTimeout(debounce);
  debounce = null;
  wanted = false;
  if (running !== null) void bridge.cancel(running);
}

function scheduleApply(immediately = false) {
  if (debounce) clearTimeout(debounce);
  debounce = setTimeout(() => {
    debounce = null;
    wanted = true;
    if (running !== null) void bridge.cancel(running); // superseded: its result would be stale
    else void pump();
  }, immediately ? 0 : DEBOUNCE_MS);
}

async function pump() {
  while (wanted) {
    wanted = false;
    const { controls, summary } = useStudio.getState();
    if (!summary) return;
    const base = currentPoint(useStudio.getState())?.baseId;
    if (asksForNothing(controls) && base !== undefined) {
      await restorePoint(base, { sliders: false });
      continue;
    }
    const settings = settingsFrom(controls, summary.prunable);
    const job = bridge.run((engine, jobId, onProgress) => engine.prune(jobId, settings, onProgress));
    running = job.jobId;
    try {
      const step = await job.result;
      // A newer request is waiting: this result is already stale, so it never reaches the screen.
      if (!wanted) showStep(step, 'step');
    } catch (e) {
      reportError(e);
      // The engine is back on its current point, which may be a dropped stale one: show what it holds.
      const { currentPointId } = useStudio.getState();
      if (!isCancelled(e) && currentPointId !== null) await restorePoint(currentPointId, { sliders: false, nav: 'quiet' });
    } finally {
      running = null;
    }
  }
}

function updateControls(next: Partial<PruneControls>, apply: 'debounced' | 'now' | 'no') {
  setStudio((s) => ({ controls: { ...s.controls, ...next }, error: null }));
  if (apply !== 'no') scheduleApply(apply === 'now');
}

export function setGlobalSparsity(fraction: number) {
  updateControls({ mode: 'global', global: fraction, perLayer: {} }, 'debounced');
}

/** Moves one layer's slider; in channels mode the layers of its dependency group move with it. */
export function setLayerSparsity(path: string, fraction: number) {
  const { controls, summary } = useStudio.getState();
  if (!summary) return;
  const layers = summary.prunable;
  const perLayer: Record<string, number> = {};
  if (controls.mode === 'global') {
    for (const l of layers) if (!layerLock(l, controls.granularity)) perLayer[l.path] = round2(sliderValue(controls, l));
  } else Object.assign(perLayer, controls.perLayer);
  const moved = controls.granularity === 'channels' ? coupledWith(layers, path) : [path];
  for (const p of moved) perLayer[p] = fraction;
  updateControls({ mode: 'perLayer', perLayer }, 'debounced');
}

export function setCriterion(criterion: Criterion) {
  const { controls } = useStudio.getState();
  updateControls({ criterion }, asksForNothing(controls) ? 'no' : 'now');
}

export function setChannelNorm(channelNorm: ChannelNorm) {
  const { controls } = useStudio.getState();
  updateControls({ channelNorm }, asksForNothing(controls) ? 'no' : 'now');
}

export function setGranularity(granularity: Granularity) {
  const { controls } = useStudio.getState();
  // Targets mean something else per granularity (weights vs channels): start the new one from the global slider.
  const next: Partial<PruneControls> = { granularity, mode: 'global', perLayer: {} };
  updateControls(next, isNM(granularity) || !asksForNothing({ ...controls, ...next }) ? 'now' : 'no');
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ---- History

/** Makes a history step current again; by default the sliders show the settings that produced it. */
export async function restorePoint(id: number, options: { sliders?: boolean; nav?: Nav } = {}) {
  try {
    const step = await bridge.run((engine, jobId, onProgress) => engine.restore(jobId, id, onProgress)).result;
    showStep(step, options.nav ?? 'step');
    if (options.sliders ?? true) setStudio((s) => ({ controls: controlsOf(step.point, s.controls) }));
  } catch (e) {
    reportError(e);
  }
}

/** Ctrl+Z: back to the step that was current before the last change. */
export function undo() {
  const { undo: stack } = useStudio.getState();
  if (!canAct(useStudio.getState()) || stack.length === 0) return;
  setStudio({ undo: stack.slice(0, -1) });
  void restorePoint(stack[stack.length - 1], { nav: 'undo' });
}

/** Ctrl+Shift+Z: forward again after an undo. */
export function redo() {
  const { redo: stack } = useStudio.getState();
  if (!canAct(useStudio.getState()) || stack.length === 0) return;
  setStudio({ redo: stack.slice(0, -1) });
  void restorePoint(stack[stack.length - 1], { nav: 'redo' });
}

/** Measures the current model on the whole held-out set (the live subset is smaller). */
export async function evaluateFully() {
  try {
    const result = await bridge.run((engine, jobId, onProgress) => engine.evaluate(jobId, onProgress)).result;
    setStudio({ current: result });
  } catch (e) {
    reportError(e);
  }
}

// ---- Fine-tuning

/** Trains the current model on the demo training images; pruned weights stay 0. Cancel with cancelFinetune. */
export async function startFinetune(options: FinetuneOptions) {
  cancelPendingPrune();
  const job = bridge.run((engine, jobId, onProgress) => engine.finetune(jobId, options, onProgress));
  setStudio({ training: { jobId: job.jobId, losses: [], metrics: [], outcome: null }, error: null });
  const t0 = performance.now();
  try {
    const step = await job.result;
    showStep(step, 'step');
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    setStudio((s) => ({ training: s.training && { ...s.training, outcome: `Done in ${secs} s; every pruned weight is still exactly 0.` } }));
  } catch (e) {
    const steps = useStudio.getState().training?.losses.length ?? 0;
    const outcome = isCancelled(e)
      ? options.schedule
        ? `Cancelled after ${steps} steps; the pruning steps made so far stay in the history, the model is at the last of them.`
        : `Cancelled after ${steps} steps; the model is as it was before.`
      : `Failed: ${messageOf(e)}`;
    setStudio((s) => ({ training: s.training && { ...s.training, outcome } }));
    reportError(e);
    // The engine is at its current point (the last pruning event of a cancelled schedule): show exactly that.
    const { currentPointId } = useStudio.getState();
    if (options.schedule && currentPointId !== null) await restorePoint(currentPointId, { sliders: false, nav: 'quiet' });
  }
}

export function cancelFinetune() {
  const t = useStudio.getState().training;
  if (t && t.outcome === null) void bridge.cancel(t.jobId);
}

/** Holds the running fine-tune between two batches; nothing is lost. */
export function pauseFinetune() {
  const t = useStudio.getState().training;
  if (t && t.outcome === null) void bridge.engine.pause(t.jobId);
}

export function resumeFinetune() {
  const t = useStudio.getState().training;
  if (t && t.outcome === null) void bridge.engine.resume(t.jobId);
}

/** Re-estimates BatchNorm statistics of the current model (no labels, no gradients): a new step. */
export async function recalibrateBatchNorm() {
  cancelPendingPrune();
  try {
    const step = await bridge.run((engine, jobId, onProgress) => engine.recalibrateBatchNorm(jobId, onProgress)).result;
    showStep(step, 'step');
  } catch (e) {
    reportError(e);
  }
}

// ---- Export and compare

/** Measures the current step's export sizes (each precision, raw and gzip), once per step. */
export async function measureSizes() {
  const { currentPointId, sizes } = useStudio.getState();
  if (currentPointId === null || sizes?.pointId === currentPointId) return;
  try {
    const measured = await bridge.run((engine, jobId, onProgress) => engine.exportSizes(jobId, onProgress), { background: true }).result;
    setStudio({ sizes: { pointId: currentPointId, sizes: measured } });
  } catch (e) {
    reportError(e);
  }
}

/** Saves bytes made in the worker through a temporary link (the worker cannot download). */
function download(name: string, bytes: Uint8Array, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports the current model: the worker encodes, the page downloads. Returns the names saved. */
export async function exportCurrent(request: ExportRequest): Promise<string[]> {
  try {
    const bundle = await bridge.run((engine, jobId, onProgress) => engine.exportModel(jobId, request, onProgress)).result;
    for (const f of bundle.files) download(f.name, f.bytes, f.type);
    return bundle.files.map((f) => f.name);
  } catch (e) {
    reportError(e);
    return [];
  }
}

/** Original against current: counts, sizes, metric and latency measured in the worker. */
export async function compareWithOriginal() {
  const { currentPointId } = useStudio.getState();
  if (currentPointId === null) return;
  try {
    const result = await bridge.run((engine, jobId, onProgress) => engine.compare(jobId, onProgress)).result;
    setStudio({ compare: { pointId: currentPointId, result } });
  } catch (e) {
    reportError(e);
  }
}

/**
 * Per-layer weight views (stats, histogram, heatmap) of the current model. Queued like every engine
 * call; the caller shows its own loading and error states, so a failure here does not touch the
 * studio's error banner. When its turn in the queue comes and `stillWanted()` is false (a newer
 * request replaced it), it resolves to null without asking the engine.
 */
export function loadLayerDetail(path: string, stillWanted: () => boolean = () => true): Promise<import('../engine/api').LayerDetail | null> {
  return bridge.run((engine, jobId, onProgress) => (stillWanted() ? engine.layerDetail(jobId, path, onProgress) : Promise.resolve(null))).result;
}

// ---- Sensitivity scan and plan

/** The job running a scan or a plan, so that the panel can cancel it. */
let planJob: number | null = null;

export function cancelPlanning() {
  if (planJob !== null) void bridge.cancel(planJob);
}

/** Scans the current starting point with the current granularity and criterion. */
export async function runScan(): Promise<boolean> {
  const { controls } = useStudio.getState();
  if (controls.granularity !== 'unstructured' && controls.granularity !== 'channels') {
    setStudio({ error: '2:4 and 4:8 have no sparsity to plan: choose unstructured or channels first' });
    return false;
  }
  cancelPendingPrune();
  const job = bridge.run((engine, jobId, onProgress) =>
    engine.scanSensitivity(jobId, { granularity: controls.granularity as 'unstructured' | 'channels', criterion: controls.criterion, channelNorm: controls.channelNorm }, onProgress));
  planJob = job.jobId;
  try {
    setStudio({ scan: await job.result, plan: null, error: null });
    return true;
  } catch (e) {
    reportError(e);
    return false;
  } finally {
    planJob = null;
  }
}

/** Is the last scan one of the current starting point, with the current controls? */
function scanFits(): boolean {
  const s = useStudio.getState();
  const base = currentPoint(s)?.baseId;
  return s.scan !== null && s.scan.baseId === base && s.scan.granularity === s.controls.granularity && s.scan.criterion === s.controls.criterion;
}

/** "Plan for me": scans when needed, plans per-layer sparsities for the target, and sets the layer sliders to them. */
export async function planForMe(target: PlanRequest) {
  if (!scanFits() && !(await runScan())) return;
  const job = bridge.run((engine, jobId, onProgress) => engine.planAllocation(jobId, target, onProgress));
  planJob = job.jobId;
  try {
    const plan = await job.result;
    setStudio({ plan });
    updateControls({ granularity: plan.granularity, mode: 'perLayer', perLayer: { ...plan.sparsity } }, 'now');
  } catch (e) {
    reportError(e);
  } finally {
    planJob = null;
  }
}

// ---- Benchmarks (bench/browserBackends.ts), reachable only with ?bench in the URL

export function installBenchHooks() {
  (window as unknown as { __secateurBench: unknown }).__secateurBench = {
    maskedStep: (options: { steps: number; warmup: number; batchSize: number }) =>
      bridge.run((engine, jobId, onProgress) => engine.benchMaskedStep(jobId, options, onProgress)).result,
    scan: (granularity: 'unstructured' | 'channels') =>
      bridge.run((engine, jobId, onProgress) => engine.scanSensitivity(jobId, { granularity, criterion: 'magnitude' }, onProgress)).result,
  };
}
