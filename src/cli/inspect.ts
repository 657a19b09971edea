// `secateur inspect <model>`: the studio's summary of a model (its layer table, parameters, MACs,
// what can be pruned and what is locked, and why), as text or as JSON.
import type { BaselineResult, BackendReport, MetricKind, ModelSummary } from '../engine/api';
import { count, percent, shape, textTable } from './textTable';

export interface InspectResult {
  model: string;
  backend: BackendReport['active'];
  source: ModelSummary['source'];
  inputShape: ModelSummary['inputShape'];
  outputShape: ModelSummary['outputShape'];
  totals: ModelSummary['totals'];
  /** The original model's metric on its whole held-out set (what the studio's baseline shows). */
  metric: { kind: MetricKind; value: number; examples: number; description: string };
  layers: (ModelSummary['layers'][number] & { channelGroup: string | null; channelLock: string | null; nmSkip: string | null })[];
  /** Prunable layers whose channels cannot be removed, and why. */
  locks: { layer: string; reason: string }[];
}

export function inspectResult(imported: BaselineResult, backend: BackendReport): InspectResult {
  const { summary, baseline } = imported;
  const prunable = new Map(summary.prunable.map((p) => [p.path, p]));
  return {
    model: summary.name,
    backend: backend.active,
    source: summary.source,
    inputShape: summary.inputShape,
    outputShape: summary.outputShape,
    totals: summary.totals,
    metric: { kind: baseline.metric, value: baseline.value, examples: baseline.count, description: summary.source.metricNote },
    layers: summary.layers.map((l) => {
      const p = prunable.get(l.name);
      return { ...l, channelGroup: p?.group?.id ?? null, channelLock: p?.channelLock ?? null, nmSkip: p?.nmSkip ?? null };
    }),
    locks: summary.prunable.filter((p) => p.channelLock).map((p) => ({ layer: p.path, reason: p.channelLock! })),
  };
}

export function inspectText(r: InspectResult): string {
  const t = r.totals;
  const table = textTable(
    ['layer', 'class', 'output', 'params', 'nonzero', 'MACs', 'prunable', 'channels'],
    r.layers.map((l) => [
      l.name, l.className, shape(l.outputShape), l.params, l.nonzero, l.macs, l.prunable ? 'yes' : 'no',
      l.channelGroup ? `group ${l.channelGroup}` : l.channelLock ? 'locked' : '',
    ]),
  );
  const nm = r.layers.filter((l) => l.nmSkip);
  return [
    `${r.model}: input ${shape(r.inputShape)} -> output ${shape(r.outputShape)}`,
    '',
    table,
    '',
    `Parameters: ${count(t.params)} (${count(t.nonzero)} nonzero, ${count(t.bytes)} bytes as float32)`,
    `Prunable weights: ${count(t.prunableParams)} (${percent(t.prunableSparsity)} zero)`,
    `MACs per example: ${count(t.macs)} (${count(t.nonzeroMacs)} on nonzero weights)`,
    `${r.metric.kind === 'accuracy' ? 'Accuracy' : 'Fidelity'}: ${percent(r.metric.value)} (${r.metric.description})`,
    ...(r.locks.length ? ['', 'Channels locked:', ...r.locks.map((l) => `  ${l.layer}: ${l.reason}`)] : []),
    ...(nm.length ? ['', 'N:M (2:4, 4:8) does not apply:', ...nm.map((l) => `  ${l.name}: ${l.nmSkip}`)] : []),
    ...(r.source.fixes.length ? ['', 'Fixed on import:', ...r.source.fixes.map((f) => `  ${f}`)] : []),
    ...(r.source.warnings.length ? ['', 'Warnings:', ...r.source.warnings.map((w) => `  ${w}`)] : []),
  ].join('\n');
}
