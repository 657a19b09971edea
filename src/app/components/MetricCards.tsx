import type { EvalResult } from '../../engine/api';
import { originalPoint, useStudio } from '../store';
import { formatBytes, formatCount, formatMs, formatPercent } from '../format';

/** The headline numbers of the current model against the original. */
export function MetricCards() {
  const summary = useStudio((s) => s.summary);
  const current = useStudio((s) => s.current);
  const baseline = useStudio((s) => s.baseline);
  const original = useStudio(originalPoint);
  const metricName = current?.metric === 'fidelity' ? 'Fidelity' : 'Accuracy';
  const t = summary?.totals;
  const change = (now: number, before: number | undefined) =>
    before && now !== before ? `${now < before ? '−' : '+'}${formatPercent(Math.abs(now - before) / before)} vs original` : undefined;
  const delta = current && original && current.metric !== 'fidelity' ? current.value - original.metric.value : null;
  const examples = current?.metric === 'fidelity' ? 'generated inputs' : 'held-out images';
  return (
    <section className="cards" aria-label="Model metrics">
      <Card label="Parameters" testId="model-params" value={t?.params} note={t ? change(t.params, original?.params) : undefined}>
        {t ? formatCount(t.params) : '…'}
      </Card>
      <Card label="Nonzero parameters" testId="model-nonzero" value={t?.nonzero}
        note={t ? `${formatPercent(t.prunableSparsity)} of prunable weights are zero` : undefined}>
        {t ? formatCount(t.nonzero) : '…'}
      </Card>
      <Card label="MACs per example" testId="model-macs" value={t?.macs || undefined}
        note={t?.macs ? (change(t.macs, original?.macs) ?? `${formatCount(t.nonzeroMacs)} on nonzero weights`) : undefined}>
        {t?.macs ? formatCount(t.macs) : '…'}
      </Card>
      <Card label="Weights (float32, raw)" value={t?.bytes}>
        {t ? formatBytes(t.bytes) : '…'}
      </Card>
      <Card label={metricName} testId="accuracy" value={current?.value}
        note={current ? `on ${current.subset && current.metric !== 'fidelity' ? 'the first ' : ''}${formatCount(current.count)} ${examples}${
          delta ? ` (${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pts vs original)` : ''}` : undefined}>
        {current ? formatPercent(current.value) : '…'}
      </Card>
      <Card label={`Original ${metricName.toLowerCase()}`} testId="baseline-accuracy" value={original?.metric.value}
        full={baseline?.value} note={original && baseline ? originalNote(original.metric, baseline, examples) : undefined}>
        {original ? formatPercent(original.metric.value) : '…'}
      </Card>
    </section>
  );
}

/**
 * Where the original's figure comes from: the examples every step is measured on (the chart's first
 * dot), and, when those are a subset, the whole held-out set's figure beside it, named as such.
 */
function originalNote(live: EvalResult, all: EvalResult, examples: string): string {
  if (live.metric === 'fidelity' || live.count >= all.count) return `on ${formatCount(all.count)} ${examples}, ${formatMs(all.ms)}`;
  return `on the first ${formatCount(live.count)} ${examples}, as every step; on all ${formatCount(all.count)}: ${formatPercent(all.value)}`;
}

function Card(props: { label: string; testId?: string; value?: number; full?: number; note?: string; children: React.ReactNode }) {
  const ready = props.value !== undefined;
  return (
    <div className="card" data-testid={props.testId} data-value={ready ? props.value : undefined} data-full={props.full} aria-busy={!ready}>
      <div className="card-label">{props.label}</div>
      <div className="card-value">{props.children}</div>
      {props.note && <div className="card-note">{props.note}</div>}
    </div>
  );
}
