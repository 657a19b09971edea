// What prune and replay print without --json: each step with its metric and sparsity, then the files.
import type { DataOutcome, PruneOutcome } from './pruneCommand';
import type { ReplayOutcome } from './replayCommand';
import { count, percent, textTable } from './textTable';

/** The user's data in one paragraph: what was read, how it was split, and how its folders or labels map to the model's classes. */
function dataText(d: DataOutcome): string[] {
  const what = d.kind === 'csv' ? `${count(d.count)} rows${d.labelColumn ? `, labels in column ${d.labelColumn}` : ', no labels'}` : `${count(d.count)} images${d.scaling ? `, pixels scaled ${d.scaling}` : ''}`;
  const lines = [`Data: ${d.name} (${what}; ${count(d.train)} to train on, ${count(d.test)} held out)`];
  if (d.mapping) {
    const by = d.mapping.by === 'name' ? 'by name' : d.mapping.by === 'number' ? 'by class number' : d.mapping.by === 'prediction' ? 'by the original model\'s predictions' : 'as chosen';
    lines.push(`Mapped ${by}:`, ...d.mapping.groups.map((g) => `  ${g.name} -> ${g.class ?? 'left out'}${g.agreement === null ? '' : ` (the original model agrees on ${percent(g.agreement)})`}`));
  }
  return [...lines, ''];
}

export function outcomeText(r: PruneOutcome | Omit<ReplayOutcome, 'plan'>): string {
  const metricName = r.metric.kind === 'accuracy' ? 'accuracy' : r.metric.kind === 'mae' ? 'MAE' : 'fidelity';
  const value = (v: number) => (r.metric.kind === 'mae' ? v.toPrecision(4) : percent(v));
  const steps = textTable(
    ['step', 'what', metricName, 'params', 'nonzero', 'prunable zero'],
    r.steps.map((s, i) => [String(i), s.label, value(s.metric), s.params, s.nonzero, percent(s.prunableSparsity)]),
  );
  const data = 'data' in r && r.data ? r.data : null;
  const baseline = 'baseline' in r ? [`The original model on the whole held-out set (${count(r.baseline.examples)} examples): ${metricName} ${value(r.baseline.value)}.`, ''] : [];
  const skipped = r.steps.flatMap((s) => s.skipped);
  const plan = 'plan' in r && r.plan ? r.plan : null;
  const replay = 'matches' in r ? r : null;
  return [
    `${r.model} on ${r.backend}: ${r.metric.description}`,
    '',
    ...(data ? dataText(data) : []),
    ...baseline,
    steps,
    ...(plan ? ['', `Plan (${plan.target.kind} ${plan.target.value}): ${plan.reached ? 'reached' : 'not reached'}; measured ${percent(plan.measuredMetric)} against ${percent(plan.uniform.metric)} for the same sparsity on every layer`] : []),
    ...(skipped.length ? ['', 'Left alone:', ...skipped.map((s) => `  ${s.key}: ${s.reason}`)] : []),
    '',
    r.export.format === 'packed'
      ? `Wrote the packed .zip (model.secpak: ${count(r.export.weightBytes)} bytes, the whole model):`
      : `Wrote ${r.export.format === 'zip' ? 'the .zip' : 'the files'} (${r.export.precision}; weights ${count(r.export.weightBytes)} bytes, ${count(r.export.weightGzipBytes)} gzipped):`,
    ...r.export.files.map((f) => `  ${f}`),
    ...(replay?.notes.length ? ['', ...replay.notes] : []),
    ...(replay ? ['', replay.matches ? 'Matches the report: the same parameters and nonzero weights in every layer.' : `Does not match the report:\n  ${replay.mismatches.join('\n  ')}`] : []),
  ].join('\n');
}
