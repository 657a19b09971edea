import { useStudio } from '../store';

/** Where the model came from, what the metric means for it, and what import fixed or found. */
export function ModelSourceNote() {
  const summary = useStudio((s) => s.summary);
  if (!summary) return null;
  const { source } = summary;
  const files = source.files.length;
  return (
    <section className="model-source small" aria-label="Model source" data-testid="model-source" data-kind={source.kind} data-metric={source.metric}>
      <div>
        <strong>{source.kind === 'demo' ? 'Demo model' : 'Your model'}</strong>
        {summary.modelKind === 'graph' && <> · <span data-testid="model-kind" data-value="graph">TF.js graph model</span> (layers read from its ops; pruned and quantized without training)</>}
        {source.kind !== 'demo' && <> · {files} file{files === 1 ? '' : 's'} read in this tab</>}
        {' · '}<span data-testid="metric-note">{source.metricNote}</span>
        {!source.labelled && summary.modelKind !== 'graph' && <> · fine-tuning distils from the original (no labels needed)</>}
        {source.labels && source.kind !== 'demo' && <> · classes: {source.labels.join(', ')}</>}
      </div>
      {source.fixes.length > 0 && (
        <div data-testid="import-fixes">
          Fixed on import:
          <ul>{source.fixes.map((f) => <li key={f}>{f}</li>)}</ul>
        </div>
      )}
      {source.warnings.length > 0 && (
        <div className="warn" data-testid="import-warnings" role="status">
          Warnings:
          <ul>{source.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </div>
      )}
    </section>
  );
}
