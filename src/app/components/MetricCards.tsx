import { useStudio } from '../store';
import { formatBytes, formatCount, formatMs, formatPercent } from '../format';

/** The headline numbers of the current model against the original. */
export function MetricCards() {
  const summary = useStudio((s) => s.summary);
  const current = useStudio((s) => s.current);
  const baseline = useStudio((s) => s.baseline);
  const metricName = current?.metric === 'fidelity' ? 'Fidelity' : 'Accuracy';
  return (
    <section className="cards" aria-label="Model metrics">
      <Card label="Parameters" testId="model-params" value={summary?.totals.params}>
        {summary ? formatCount(summary.totals.params) : '…'}
      </Card>
      <Card label="Nonzero parameters" testId="model-nonzero" value={summary?.totals.nonzero}
        note={summary ? `${formatPercent(summary.totals.sparsity)} sparse` : undefined}>
        {summary ? formatCount(summary.totals.nonzero) : '…'}
      </Card>
      <Card label="Weights (float32, raw)" value={summary?.totals.bytes}>
        {summary ? formatBytes(summary.totals.bytes) : '…'}
      </Card>
      <Card label={metricName} testId="accuracy" value={current?.value}
        note={current ? `on ${formatCount(current.count)} held-out images` : undefined}>
        {current ? formatPercent(current.value) : '…'}
      </Card>
      <Card label={`Original ${metricName.toLowerCase()}`} testId="baseline-accuracy" value={baseline?.value}
        note={baseline ? `on ${formatCount(baseline.count)} held-out images, ${formatMs(baseline.ms)}` : undefined}>
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
