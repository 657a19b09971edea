// What an export hands the page: the current model's files at the chosen precision, loose or in one
// .zip with a README, the JSON report (exportReport.ts, with the weight files' SHA-256) and its page
// (reportHtml.ts), and the weight bytes raw and gzipped.
import type * as tf from '@tensorflow/tfjs';
import type { EvalResult, ExportBundle, ExportRequest, HistoryPoint, ModelSource, ModelSummary } from './api';
import type { JobControl } from '../core/job';
import { exportFileName, exportModelFiles, exportReadme, exportZip, weightFiles } from '../core/model/exportModel';
import { gzipBytes } from '../core/metrics/sizes';
import { exportReport } from './exportReport';
import { reportHtml } from './reportHtml';
import { weightIntegrity } from '../core/secure/weightIntegrity';
import type { PruningSession } from './pruningSession';

export interface ExportSubject {
  name: string;
  source: ModelSource;
  model: tf.LayersModel;
  /** The point the model is at. */
  point: HistoryPoint;
  /** The original model's point metric, for the report. */
  original: EvalResult;
  recipe: ReturnType<PruningSession['recipe']>;
  /** Every history step, for the report page's chart. */
  history: HistoryPoint[];
  /** The model's summary (read only for a .zip). */
  summary: () => Promise<ModelSummary>;
}

/** Bytes of weight files, raw and gzipped one by one (as a server sends them). */
export function weightFileBytes(weights: readonly { bytes: Uint8Array }[]): Pick<ExportBundle, 'weightBytes' | 'weightGzipBytes'> {
  return { weightBytes: weights.reduce((n, f) => n + f.bytes.length, 0), weightGzipBytes: weights.reduce((n, f) => n + gzipBytes(f.bytes), 0) };
}

/** An export as loose files (model.json first), downloaded one by one. */
export function looseBundle(files: readonly { name: string; bytes: Uint8Array }[], precision: ExportBundle['precision'], weights: readonly { bytes: Uint8Array }[]): ExportBundle {
  return {
    fileName: 'model.json', precision, ...weightFileBytes(weights),
    files: files.map((f) => ({ name: f.name, bytes: f.bytes, type: f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream' })),
  };
}

export async function exportBundle(subject: ExportSubject, request: ExportRequest, control: JobControl): Promise<ExportBundle> {
  const { precision } = request;
  await control.checkpoint(0.1, `Encoding ${precision} weights`);
  const exported = await exportModelFiles(subject.model, { precision });
  const weights = weightFiles(exported);
  const { weightBytes, weightGzipBytes } = weightFileBytes(weights);
  if (request.format === 'files') return looseBundle(exported.files, precision, weights);
  await control.checkpoint(0.6, 'Writing the .zip');
  const { name, point, recipe } = subject;
  const report = exportReport({
    name, precision, summary: await subject.summary(), point, original: subject.original, recipe, source: subject.source,
    sizes: { weightBytes, weightGzipBytes }, integrity: await weightIntegrity(weights),
  });
  const readme = exportReadme({ name, precision, sparsity: point.prunableSparsity, params: point.params, nonzero: point.nonzero, metric: point.metric, recipe });
  const fileName = exportFileName(name, point.prunableSparsity, precision, 'zip');
  const html = reportHtml({ report, history: subject.history, currentId: point.id });
  return { fileName, precision, weightBytes, weightGzipBytes, files: [{ name: fileName, bytes: exportZip(exported, { readme, report, html }), type: 'application/zip' }] };
}
