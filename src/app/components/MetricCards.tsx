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
  const liveDelta = current?.subset && original ? current.value - original.metric.value : null;
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
          liveDelta !== null ? ` (${liveDelta >= 0 ? '+' : '−'}${Math.abs(liveDelta * 100).toFixed(1)} pts vs original on them)` : ''}` : undefined}>
        {current ? formatPercent(current.value) : '…'}
      </Card>
      <Card label={`Original ${metricName.toLowerCase()}`} testId="baseline-accuracy" value={baseline?.value}
        note={baseline ? `on ${formatCount(baseline.count)} ${examples}, ${formatMs(baseline.ms)}` : undefined}>
        {baseline ? formatPercent(baseline.value) : '…'}
      </Card>
    </section>
  );
}

function Card(props: { label: string; testId?: string; value?: number; note?: string; children: React.ReactNode }) {
  const ready = props.value !== undefined;
  return (
    <div className="card" data-testid={props.testId} data-value={ready ? props.value : undefined} aria-busy={!ready}>
      <div className="card-label">{props.label}</div>
      <div className="card-value">{props.children}</div>
      {props.note && <div className="card-note">{props.note}</div>}
    </div>
  );
}
