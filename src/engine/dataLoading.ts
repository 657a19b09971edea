// The user's data as a task: prepare the drop against the original model (core/data), measure the
// original on its held-out split, and describe it for the Data panel (counts, mapping, measured
// scaling, a preview of the first held-out examples with their label and the original prediction).
import type * as tf from '@tensorflow/tfjs';
import type { DataChoices, DataExample, DataSummary, EvalResult, ModelFile } from './api';
import { progressBetween, type JobControl } from '../core/job';
import { prepareData, dataInputs, type PreparedData } from '../core/data/prepareData';
import { browserImageDecoder } from '../core/data/browserImageDecoder';
import { ImageDecodeError, type ImageDecoder } from '../core/data/imageDecoder';
import { SCALING_LABELS } from '../core/data/preprocess';
import { predictOutputs, predictedClasses } from '../core/metrics/predictions';
import { DataTask } from './dataTask';

/** Held-out examples the Data panel previews. */
export const PREVIEW_EXAMPLES = 12;

/** The worker's decoder (createImageBitmap + OffscreenCanvas); elsewhere one that says it cannot decode. */
export function defaultImageDecoder(): ImageDecoder {
  const g = globalThis as { createImageBitmap?: typeof createImageBitmap; OffscreenCanvas?: typeof OffscreenCanvas };
  if (typeof g.createImageBitmap !== 'function' || typeof g.OffscreenCanvas !== 'function') {
    return { decode: async () => { throw new ImageDecodeError('unsupported', 'no image decoder here (createImageBitmap and OffscreenCanvas are missing)'); } };
  }
  return browserImageDecoder({
    createImageBitmap: (blob, options) => g.createImageBitmap!(blob, options),
    createCanvas: (width, height) => new g.OffscreenCanvas!(width, height) as never,
  });
}

export interface MeasuredData {
  task: DataTask;
  baseline: EvalResult;
  live: EvalResult;
  summary: DataSummary;
}

/** Prepares `files` for `original` and measures it on them; throws DataError with the user's message. */
export async function measureData(
  original: tf.LayersModel,
  files: ModelFile[],
  choices: DataChoices,
  context: { classNames: readonly string[] | null; decoder: ImageDecoder; control: JobControl },
): Promise<MeasuredData> {
  const { control } = context;
  const prepared = await prepareData(files, { model: original, classNames: context.classNames, decoder: context.decoder, control: progressBetween(control, 0, 0.7) }, choices);
  const task = new DataTask(prepared);
  await control.checkpoint(0.7, 'Measuring the original model on your data');
  const { baseline, live } = await task.baseline(original, progressBetween(control, 0.7, 0.95));
  const preview = await previewExamples(original, task, control);
  return { task, baseline, live, summary: dataSummary(prepared, task, choices, preview) };
}

/** The first held-out examples with their label and the original model's prediction. */
async function previewExamples(original: tf.LayersModel, task: DataTask, control: JobControl): Promise<DataExample[]> {
  const data = task.data;
  const indices = data.split.test.subarray(0, Math.min(PREVIEW_EXAMPLES, data.split.test.length));
  if (indices.length === 0) return [];
  const outputs = await predictOutputs(original, indices.length, (s, e) => dataInputs(data, indices.subarray(s, e)), progressBetween(control, 0.95, 1), 64, 'Preview');
  const regression = data.spec.task === 'regression';
  const classes = predictedClasses(outputs);
  return task.examples(indices).map((view, k) => ({
    ...view,
    ...labelOf(data, view.index),
    prediction: regression ? outputs.values[k * outputs.units].toPrecision(4) : className(data.classNames, classes[k]),
  }));
}

export function className(names: readonly string[], c: number): string {
  return names[c] ?? `class ${c}`;
}

function labelOf(data: PreparedData, index: number): Pick<DataExample, 'label' | 'target'> {
  if (!data.labels) return { label: null };
  if (data.spec.task === 'regression') return { label: null, target: data.labels[index] };
  const c = data.labels[index];
  return { label: c < 0 ? 'left out' : className(data.classNames, c) };
}

/** The folder (or zip, or table) a drop came from: the paths' common folder. */
function sourceName(data: PreparedData): string {
  if (data.kind === 'csv') return data.table.path;
  const parts = data.set.paths.map((p) => p.split('/').slice(0, -1));
  const first = parts[0] ?? [];
  let n = first.length;
  for (const p of parts) {
    let k = 0;
    while (k < n && k < p.length && p[k] === first[k]) k++;
    n = k;
  }
  return first.slice(0, n).join('/') || 'the dropped images';
}

export function dataSummary(data: PreparedData, task: DataTask, choices: DataChoices, preview: DataExample[]): DataSummary {
  const m = data.mapping;
  const trials = data.kind === 'csv' ? null : data.scalingTrials;
  return {
    kind: data.kind,
    name: sourceName(data),
    count: data.kind === 'csv' ? data.table.count : data.set.count,
    classes: data.spec.task === 'regression' ? 0 : data.spec.classes,
    train: data.split.train.length,
    test: data.split.test.length,
    live: data.live.length,
    metric: task.metric,
    note: task.note,
    classNames: data.classNames,
    mapping: m && data.groups.length > 0 ? {
      groups: data.groups,
      paths: data.kind === 'csv' ? data.groups : data.groupPaths,
      classOf: Array.from(m.classOf),
      by: m.by,
      agreement: m.agreement,
      measured: m.measured,
    } : null,
    preprocess: data.kind === 'csv' ? null : {
      scaling: data.preprocess.scaling,
      fit: data.preprocess.fit,
      height: data.preprocess.height,
      width: data.preprocess.width,
      channels: data.preprocess.channels,
      candidates: (Object.keys(SCALING_LABELS) as (keyof typeof SCALING_LABELS)[])
        .filter((s) => data.preprocess.channels === 3 || s !== 'imagenet')
        .map((s) => {
          const t = trials?.find((x) => x.scaling === s);
          return { scaling: s, label: SCALING_LABELS[s], correct: t?.correct ?? null, count: t?.count ?? null };
        }),
      reasons: data.reasons,
    },
    table: data.kind === 'csv' ? { labelColumn: data.table.labelColumn, featureColumns: data.table.featureColumns } : null,
    warnings: data.warnings,
    skipped: data.skipped,
    ignored: data.ignored,
    preview,
    choices,
  };
}
