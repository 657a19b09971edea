// The report.json inside an exported .zip: what the model is, how it was made, and what it scores.
// Plain data, stable keys: a CI script can read it to check a pruned model before shipping it.
import type { EvalResult, HistoryPoint, ModelSource, ModelSummary, PruneSettings, StepKind } from './api';
import type { Precision } from '../core/model/exportModel';
import type { WeightIntegrity } from '../core/secure/weightIntegrity';

export interface ExportReport {
  generator: 'Secateur';
  model: string;
  source: { kind: ModelSource['kind']; files: string[]; fixes: string[] };
  precision: Precision;
  metric: { kind: 'accuracy' | 'fidelity' | 'mae'; description: string; value: number; examples: number; original: number };
  totals: { params: number; nonzero: number; prunableSparsity: number; macs: number; nonzeroMacs: number };
  sizes: { weightBytes: number; weightGzipBytes: number };
  layers: { path: string; className: string; params: number; nonzero: number; sparsity: number }[];
  recipe: { kind: StepKind; label: string; settings: PruneSettings | null; metric: number }[];
  /** SHA-256 of every weight file: re-opening the export checks them (core/secure/weightIntegrity.ts). */
  integrity?: WeightIntegrity;
}

export function exportReport(input: {
  name: string;
  precision: Precision;
  summary: ModelSummary;
  point: HistoryPoint;
  original: EvalResult;
  recipe: { kind: StepKind; label: string; settings: PruneSettings | null; metric: EvalResult }[];
  source: ModelSource;
  sizes: { weightBytes: number; weightGzipBytes: number };
  integrity?: WeightIntegrity;
}): ExportReport {
  const { summary, point } = input;
  return {
    generator: 'Secateur',
    model: input.name,
    source: { kind: input.source.kind, files: input.source.files, fixes: input.source.fixes },
    precision: input.precision,
    metric: {
      kind: point.metric.metric, description: input.source.metricNote, value: point.metric.value, examples: point.metric.count, original: input.original.value,
    },
    totals: {
      params: point.params, nonzero: point.nonzero, prunableSparsity: point.prunableSparsity, macs: point.macs, nonzeroMacs: point.nonzeroMacs,
    },
    sizes: input.sizes,
    layers: summary.prunable.map((l) => ({ path: l.path, className: l.className, params: l.params, nonzero: l.nonzero, sparsity: l.sparsity })),
    recipe: input.recipe.map((r) => ({ kind: r.kind, label: r.label, settings: r.settings, metric: r.metric.value })),
    ...(input.integrity ? { integrity: input.integrity } : {}),
  };
}
