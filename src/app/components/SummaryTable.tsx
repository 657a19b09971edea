import type { ModelSummary } from '../../engine/api';
import { formatBytes, formatCount, formatPercent, formatShape } from '../format';

/** One row per layer, with totals. Rows of layers the pruning engine can cut carry `layer-row`. */
export function SummaryTable({ summary }: { summary: ModelSummary }) {
  const { layers, totals } = summary;
  return (
    <section className="panel" aria-labelledby="summary-title">
      <div className="panel-head">
        <h2 id="summary-title">{summary.name}</h2>
        <span className="muted">
          input {formatShape(summary.inputShape)} → output {formatShape(summary.outputShape)} · {layers.length} layers
        </span>
      </div>
      <div className="table-scroll">
        <table className="summary" data-testid="model-summary">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Type</th>
              <th scope="col">Output shape</th>
              <th scope="col" className="num">Params</th>
              <th scope="col" className="num">Nonzero</th>
              <th scope="col" className="num">Sparsity</th>
              <th scope="col" className="num">Bytes (float32)</th>
            </tr>
          </thead>
          <tbody>
            {layers.map((l) => (
              <tr key={l.name} data-testid={l.prunable ? 'layer-row' : 'summary-row'} data-layer={l.name}
                data-params={l.params} className={l.prunable ? 'prunable' : undefined}>
                <th scope="row">{l.name}</th>
                <td>
                  {l.className}
                  {l.prunable && <span className="tag" title="Has a kernel the pruning engine can cut">prunable</span>}
                </td>
                <td className="mono">{formatShape(l.outputShape)}</td>
                <td className="num">{formatCount(l.params)}</td>
                <td className="num">{formatCount(l.nonzero)}</td>
                <td className="num">{l.params ? formatPercent(l.sparsity) : '—'}</td>
                <td className="num">{l.params ? formatBytes(l.bytes) : '—'}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>Total</th>
              <td className="num" data-testid="total-params">{formatCount(totals.params)}</td>
              <td className="num">{formatCount(totals.nonzero)}</td>
              <td className="num">{formatPercent(totals.sparsity)}</td>
              <td className="num">{formatBytes(totals.bytes)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small">
        Sparsity = zero weights / all weights of the layer. Bytes are the raw float32 size of the weights; the
        downloadable file shrinks only with compression, quantization or removing channels.
      </p>
    </section>
  );
}
