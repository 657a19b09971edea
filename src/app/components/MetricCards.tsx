import type { EvalResult } from '../../engine/api';
import { originalPoint, useStudio } from '../store';
import { formatBytes, formatCount, formatMetric, formatMetricChange, formatMs, formatPercent } from '../format';

/** The headline numbers of the current model against the original. */
export function MetricCards() {
  const summary = useStudio((s) => s.summary);
  const current = useStudio((s) => s.current);
  const baseline = useStudio((s) => s.baseline);
  const original = useStudio(originalPoint);
  const hasData = useStudio((s) => s.data !== null);
  const metricName = current?.metric === 'fidelity' ? 'Fidelity' : current?.metric === 'mae' ? 'Mean absolute error' : 'Accuracy';
  const show = (v: number) => formatMetric(v, current?.metric);
  const t = summary?.totals;
  const change = (now: number, before: number | undefined) =>
    before && now !== before ? `${now < before ? '−' : '+'}${formatPercent(Math.abs(now - before) / before)} vs original` : undefined;
  const delta = current && original && current.metric !== 'fidelity' ? current.value - original.metric.value : null;
  const examples = hasData ? 'held-out examples' : current?.metric === 'fidelity' ? 'generated inputs' : 'held-out images';
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
      <Card label={metricName} testId="accuracy" value={current?.value} metric={current?.metric}
        note={current ? `on ${current.subset && (hasData || current.metric !== 'fidelity') ? 'the first ' : ''}${formatCount(current.count)} ${examples}${
          delta ? ` (${formatMetricChange(delta, current.metric)} vs original${current.metric === 'mae' ? '; lower is better' : ''})` : ''}` : undefined}>
        {current ? show(current.value) : '…'}
      </Card>
      <Card label={`Original ${metricName.toLowerCase()}`} testId="baseline-accuracy" value={original?.metric.value} metric={original?.metric.metric}
        full={baseline?.value} note={original && baseline ? originalNote(original.metric, baseline, examples) : undefined}>
        {original ? show(original.metric.value) : '…'}
      </Card>
    </section>
  );
}

/**
 * Where the original's figure comes from: the examples every step is measured on (the chart's first
 * dot), and, when those are a subset, the whole held-out set's figure beside it, named as such.
 */
function originalNote(live: EvalResult, all: EvalResult, examples: string): string {
  const r2 = all.r2 !== undefined ? `; R² ${all.r2.toFixed(3)}` : '';
  if (live.metric === 'fidelity' || live.count >= all.count) return `on ${formatCount(all.count)} ${examples}, ${formatMs(all.ms)}${r2}`;
  return `on the first ${formatCount(live.count)} ${examples}, as every step; on all ${formatCount(all.count)}: ${formatMetric(all.value, all.metric)}${r2}`;
}

function Card(props: { label: string; testId?: string; value?: number; full?: number; metric?: string; note?: string; children: React.ReactNode }) {
  const ready = props.value !== undefined;
  return (
    <div className="card" data-testid={props.testId} data-value={ready ? props.value : undefined} data-full={props.full} data-metric={props.metric} aria-busy={!ready}>
      <div className="card-label">{props.label}</div>
      <div className="card-value">{props.children}</div>
      {props.note && <div className="card-note">{props.note}</div>}
    </div>
  );
}
