// What prune and replay print without --json: each step with its metric and sparsity, then the files.
import type { PruneOutcome } from './pruneCommand';
import type { ReplayOutcome } from './replayCommand';
import { count, percent, textTable } from './textTable';

export function outcomeText(r: PruneOutcome | Omit<ReplayOutcome, 'plan'>): string {
  const metricName = r.metric.kind === 'accuracy' ? 'accuracy' : 'fidelity';
  const steps = textTable(
    ['step', 'what', metricName, 'params', 'nonzero', 'prunable zero'],
    r.steps.map((s, i) => [String(i), s.label, percent(s.metric), s.params, s.nonzero, percent(s.prunableSparsity)]),
  );
  const skipped = r.steps.flatMap((s) => s.skipped);
  const plan = 'plan' in r && r.plan ? r.plan : null;
  const replay = 'matches' in r ? r : null;
  return [
    `${r.model} on ${r.backend}: ${r.metric.description}`,
    '',
    steps,
    ...(plan ? ['', `Plan (${plan.target.kind} ${plan.target.value}): ${plan.reached ? 'reached' : 'not reached'}; measured ${percent(plan.measuredMetric)} against ${percent(plan.uniform.metric)} for the same sparsity on every layer`] : []),
    ...(skipped.length ? ['', 'Left alone:', ...skipped.map((s) => `  ${s.key}: ${s.reason}`)] : []),
    '',
    `Wrote ${r.export.format === 'zip' ? 'the .zip' : 'the files'} (${r.export.precision}; weights ${count(r.export.weightBytes)} bytes, ${count(r.export.weightGzipBytes)} gzipped):`,
    ...r.export.files.map((f) => `  ${f}`),
    ...(replay?.notes.length ? ['', ...replay.notes] : []),
    ...(replay ? ['', replay.matches ? 'Matches the report: the same parameters and nonzero weights in every layer.' : `Does not match the report:\n  ${replay.mismatches.join('\n  ')}`] : []),
  ].join('\n');
}
