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
  const liveDelta = current?.subset && original ? current.value - original.metric.value : null;
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
          liveDelta === null ? '' : ` (${formatMetricChange(liveDelta, current.metric)} vs original on them${current.metric === 'mae' ? '; lower is better' : ''})`}` : undefined}>
        {current ? show(current.value) : '…'}
      </Card>
      <Card label={`Original ${metricName.toLowerCase()}`} testId="baseline-accuracy" value={baseline?.value} metric={baseline?.metric}
        note={baseline ? `on ${formatCount(baseline.count)} ${examples}, ${formatMs(baseline.ms)}${baseline.r2 !== undefined ? `; R² ${baseline.r2.toFixed(3)}` : ''}` : undefined}>
        {baseline ? show(baseline.value) : '…'}
      </Card>
    </section>
  );
}

function Card(props: { label: string; testId?: string; value?: number; metric?: string; note?: string; children: React.ReactNode }) {
  const ready = props.value !== undefined;
  return (
    <div className="card" data-testid={props.testId} data-value={ready ? props.value : undefined} data-metric={props.metric} aria-busy={!ready}>
      <div className="card-label">{props.label}</div>
      <div className="card-value">{props.children}</div>
      {props.note && <div className="card-note">{props.note}</div>}
    </div>
  );
}
