// The engine's jobs on a graph model, beside the Layers ones in studioEngine.ts: import (load,
// measure, start a GraphSession), export (core/graphModel's files in the studio's .zip), the export
// sizes, the compare panel's sides and the weight views. Each one orchestrates; the graph work itself
// is core/graphModel's.
import * as tf from '@tensorflow/tfjs';
import { planMetric } from './planMetric';
import {
  GRAPH_CANNOT_TRAIN, type BackendName, type BaselineResult, type CompareResult, type CompareSide, type ExportBundle, type ExportRequest, type ExportSizes, type LayerDetail, type ModelSource,
  type PlanRequest, type PlanResult, type ScanRequest, type SensitivityView, type WeightsOverview,
} from './api';
import { progressBetween, type JobControl } from '../core/job';
import {
  exportGraphModel, graphExportReadme, graphModelData, inferShapes, loadGraphModelData, loadImportedGraphModel, runGraph, shapeNodes, groupLayers, graphModelStats,
  GRAPH_CHANNEL_SCAN, measureGraphPlan, scanGraphSensitivity, type GraphEvaluate, type GraphModelData,
} from '../core/graphModel';
import { planView, scanView } from './planViews';
import { ImportError, type ImportedGraphModel } from '../core/model/importFiles';
import { exportFileName, exportZip, type Precision } from '../core/model/exportModel';
import { describeKernel } from '../core/graph/weightStats';
import { magnitudeOverview, OVERVIEW_BINS } from '../core/graph/weightsOverview';
import { weightIntegrity } from '../core/secure/weightIntegrity';
import { exportReport } from './exportReport';
import { looseBundle, weightFileBytes } from './exportBundle';
import { GraphSession } from './graphSession';
import { chooseGraphTask, type GraphTask } from './graphTask';
import type { LoadedModel } from './loadedModel';
import type { DemoData, ModelTask } from './tasks';

/**
 * The ModelTask slot of a loaded graph model: the graph task's metric and words, and a refusal with
 * GRAPH_CANNOT_TRAIN for everything that needs a Layers model (training, calibration, data switches).
 */
function graphTaskSlot(task: GraphTask): ModelTask {
  const refuse = () => Promise.reject(new Error(GRAPH_CANNOT_TRAIN));
  return {
    get metric() { return task.metric; },
    get note() { return task.note; },
    get labelled() { return task.labelled; },
    baseline: refuse, evaluate: refuse, calibration: refuse, trainer: refuse, latencyInput: refuse,
    // The session owns the graph task and disposes it.
    dispose() {},
  };
}

/** Loads an imported graph model, measures the original and starts its session; nothing is kept on failure. */
export async function importGraphModel(
  imported: ImportedGraphModel, source: Pick<ModelSource, 'kind' | 'files'>, demo: DemoData, control: JobControl,
): Promise<{ loaded: LoadedModel; result: Omit<BaselineResult, 'summary'> }> {
  const data = graphModelData(imported);
  const model = await loadImportedGraphModel(imported);
  let task: GraphTask | null = null;
  try {
    await control.checkpoint(0.15, 'Reading the graph');
    const analysis = groupLayers(data.topology, data.weights, data.info.outputs);
    const shapes = await inferShapes(model, data.info, shapeNodes(analysis));
    const { totals } = graphModelStats(analysis, data.weights, shapes, { input: null, output: null });
    task = await chooseGraphTask(model, data, demo, totals.unknownMacs.length ? null : totals.macs || null);
    await control.checkpoint(0.2, 'Measuring the original model');
    const { baseline, live } = await task.baseline(model, progressBetween(control, 0.2, 0.95));
    if (!Number.isFinite(baseline.value)) throw new ImportError(`${imported.jsonPath}: the model's outputs are not finite numbers`);
    const session = await GraphSession.start(data, model, task, live);
    const full: ModelSource = {
      ...source, metric: task.metric, metricNote: task.note, labelled: task.labelled, labels: imported.labels, fixes: imported.fixes, warnings: imported.warnings,
    };
    const loaded: LoadedModel = { id: `file:${imported.name}`, name: imported.name, source: full, task: graphTaskSlot(task), model: null, session: null, graph: session, baseline };
    return { loaded, result: { baseline, point: session.current } };
  } catch (e) {
    task?.dispose();
    model.dispose();
    if (e instanceof ImportError || (e instanceof Error && e.name === 'CancelledError')) throw e;
    throw new ImportError(`${imported.jsonPath}: the model loaded but could not run (${e instanceof Error ? e.message : String(e)})`);
  }
}

const weightShards = (files: readonly { name: string; bytes: Uint8Array }[]) => files.filter((f) => f.name !== 'model.json');

/** The current graph's files at the chosen precision, loose or in a .zip with a README and report.json (the steps listed). */
export async function graphExportBundle(loaded: LoadedModel, session: GraphSession, request: ExportRequest, control: JobControl): Promise<ExportBundle> {
  const { precision } = request;
  if (request.format === 'packed') throw new Error('The packed format holds Layers models only: export a graph model as a .zip or as files (uint8 is the smallest).');
  await control.checkpoint(0.1, `Encoding ${precision} weights`);
  const point = session.current;
  const recipe = session.recipe();
  const out = exportGraphModel(session.data, { precision, steps: recipe.map((r) => r.label) });
  const weights = weightShards(out.files);
  const { weightBytes, weightGzipBytes } = weightFileBytes(weights);
  if (request.format === 'files') return looseBundle(out.files, precision, weights);
  await control.checkpoint(0.6, 'Writing the .zip');
  const summary = { id: loaded.id, name: loaded.name, source: loaded.source, ...session.summary() };
  const report = {
    ...exportReport({
      name: loaded.name, precision, summary, point, original: session.original.metric, recipe, source: loaded.source,
      sizes: { weightBytes, weightGzipBytes }, integrity: await weightIntegrity(weights),
    }),
    format: 'graph-model',
    steps: out.report.steps,
  };
  const readme = graphExportReadme({ name: loaded.name, precision, params: out.report.params, nonzero: out.report.nonzero, steps: out.report.steps, metric: point.metric });
  const fileName = exportFileName(loaded.name, point.prunableSparsity, precision, 'zip');
  return { fileName, precision, weightBytes, weightGzipBytes, files: [{ name: fileName, bytes: exportZip(out, { readme, report }), type: 'application/zip' }] };
}

/** Weight shard bytes of `data` at one precision, raw and gzipped; null when it cannot be encoded (NaN for uint8). */
function shardSizes(data: GraphModelData, precision: Precision): { raw: number; gzip: number } | null {
  try {
    const { weightBytes, weightGzipBytes } = weightFileBytes(weightShards(exportGraphModel(data, { precision }).files));
    return { raw: weightBytes, gzip: weightGzipBytes };
  } catch {
    return null;
  }
}

/** The export panel's sizes of a graph: its weight shards at each precision, as exported. */
export function graphExportSizes(data: GraphModelData): ExportSizes {
  const f32 = shardSizes(data, 'float32')!;
  const f16 = shardSizes(data, 'float16')!;
  const u8 = shardSizes(data, 'uint8');
  return { raw: f32.raw, gzip: f32.gzip, float16: f16.raw, float16Gzip: f16.gzip, uint8: u8?.raw ?? null, uint8Gzip: u8?.gzip ?? null };
}

/** Median ms of one prediction on `inputs`, after `warmup` runs. */
async function graphLatency(model: tf.GraphModel, info: GraphModelData['info'], inputs: tf.Tensor[], control: JobControl, warmup = 3, runs = 15) {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const ys = await runGraph(model, info, inputs);
    await Promise.all(ys.map((y) => y.data()));
    tf.dispose(ys);
    if (i >= warmup) times.push(performance.now() - t0);
    await control.checkpoint((i + 1) / (warmup + runs), 'Timing predictions');
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], runs };
}

/** One side of the compare panel for a graph: counts of the point, sizes, the metric and the latency (no per-layer profile: a graph runs as one). */
export async function graphCompareSide(
  model: tf.GraphModel, data: GraphModelData, point: { params: number; nonzero: number; macs: number; nonzeroMacs: number }, task: GraphTask, control: JobControl,
): Promise<CompareSide> {
  await control.checkpoint(0, 'Encoding the weight files');
  const sizes = graphExportSizes(data);
  await control.checkpoint(0.2, 'Evaluating');
  const metric = await task.evaluate(model, progressBetween(control, 0.2, 0.6), true);
  const inputs = await task.latencyInput();
  try {
    const latency = await graphLatency(model, data.info, inputs, progressBetween(control, 0.6, 1));
    return {
      params: point.params, nonzero: point.nonzero, macs: point.macs, nonzeroMacs: point.nonzeroMacs, sizes, metric,
      latencyMs: latency.medianMs, latencyRuns: latency.runs, profile: { layers: [], totalMs: latency.medianMs, runs: latency.runs },
    };
  } finally {
    tf.dispose(inputs);
  }
}

/** The compare panel for a graph: the original side measured once per model, the current one each time. */
export async function graphCompare(loaded: LoadedModel, graph: GraphSession, backend: BackendName, control: JobControl): Promise<CompareResult> {
  if (!loaded.originalSide) {
    const original = await loadGraphModelData(graph.originalData);
    try {
      loaded.originalSide = await graphCompareSide(original, graph.originalData, graph.original, graph.task, progressBetween(control, 0, 0.5));
    } finally {
      original.dispose();
    }
  }
  const current = await graphCompareSide(graph.model, graph.data, graph.current, graph.task, progressBetween(control, 0.5, 1));
  return { original: loaded.originalSide, current, backend };
}

/** The graph task's metric of a graph with these weights on at most `limit` examples (the weights loaded, measured, freed). */
function graphEvaluate(task: GraphTask, limit?: number): GraphEvaluate {
  return async (data, control) => {
    const model = await loadGraphModelData(data);
    try {
      return (await task.evaluate(model, control, true, limit)).value;
    } finally {
      model.dispose();
    }
  };
}

/** A sensitivity scan of the original graph (every graph step starts there), kept on the loaded model for the plan. */
export async function graphScan(loaded: LoadedModel, graph: GraphSession, request: ScanRequest, options: { ladder: readonly number[]; examples: number }, control: JobControl): Promise<SensitivityView> {
  if (request.granularity === 'channels') throw new Error(GRAPH_CHANNEL_SCAN);
  const scan = await scanGraphSensitivity(graph.originalData, graph.analysis, graph.originalStats, {
    criterion: request.criterion, evaluate: graphEvaluate(graph.task, options.examples), ladder: options.ladder, control,
  });
  // A graph is measured by accuracy or fidelity: higher is better as it stands.
  loaded.scan = { baseId: 0, scan, score: planMetric(graph.task.metric, 1) };
  return scanView(scan, 0, graph.task.metric);
}

/** Per-layer sparsities for `request` from the last scan, measured against uniform pruning. */
export async function graphPlan(loaded: LoadedModel, graph: GraphSession, request: PlanRequest, control: JobControl): Promise<PlanResult> {
  if (!loaded.scan) throw new Error('Scan the sensitivity of this starting point first');
  const plan = await measureGraphPlan(graph.originalData, graph.analysis, loaded.scan.scan, request, { evaluate: graphEvaluate(graph.task), control });
  return planView(request, loaded.scan.scan, plan);
}

/** The kernel class weightStats.kernelLayout reads a graph layer's kernel as. */
const LAYOUT_CLASS = { conv: 'Conv2D', depthwise: 'DepthwiseConv2D', transposeConv: 'Conv2DTranspose', matmul: 'Dense' } as const;

/** The current graph's prunable kernels as the layer-detail view shows them. */
export function graphLayerDetail(session: GraphSession, path: string): LayerDetail {
  const layer = session.liveAnalysis.layers.find((l) => l.name === path && l.prunable);
  if (!layer) throw new Error(`The model has no prunable layer "${path}"`);
  const w = session.data.weights.find((x) => x.name === layer.kernel.name)!;
  const kernel = describeKernel(w.values, {
    key: w.name, weight: layer.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel', shape: [...w.shape], layerClass: LAYOUT_CLASS[layer.kind],
  });
  return { path, className: layer.op, kernels: [kernel] };
}

/** |w| histograms of the current graph's prunable kernels (weightsOverview.ts), over `range` or their own. */
export function graphWeightsOverview(session: GraphSession, range: [number, number] | null): WeightsOverview {
  const weights = new Map(session.data.weights.map((w) => [w.name, w]));
  const layers = session.liveAnalysis.layers.filter((l) => l.prunable).map((l) => ({ path: l.name, className: l.op, values: [weights.get(l.kernel.name)!.values] }));
  return magnitudeOverview(layers, OVERVIEW_BINS, range);
}
