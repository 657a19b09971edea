import type { LayerSummary, ModelSummary, PrunableLayer } from '../../engine/api';
import { useStudio, type PruneControls } from '../store';
import { setLayerSparsity } from '../studioActions';
import { coupledWith, layerLock, sliderValue } from '../pruneControls';
import { formatBytes, formatCount, formatPercent, formatShape } from '../format';

/**
 * One row per layer, with totals. Rows of layers the pruning engine can cut carry `layer-row` and a
 * target slider (`layer-sparsity`); locked layers say why.
 */
export function SummaryTable({ summary }: { summary: ModelSummary }) {
  const { layers, totals } = summary;
  const controls = useStudio((s) => s.controls);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const prunable = new Map(summary.prunable.map((p) => [p.path, p]));
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
              <th scope="col" className="num" title="zero weights / all weights of the layer">Sparsity</th>
              <th scope="col" className="num" title="multiply-accumulates per example">MACs</th>
              <th scope="col" className="num">Bytes (float32)</th>
              <th scope="col">{controls.granularity === 'channels' ? 'Channels removed' : 'Target sparsity'}</th>
            </tr>
          </thead>
          <tbody>
            {layers.map((l) => (
              <LayerRow key={l.name} layer={l} prunable={prunable.get(l.name)} all={summary.prunable} controls={controls} ready={ready} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>Total</th>
              <td className="num" data-testid="total-params">{formatCount(totals.params)}</td>
              <td className="num">{formatCount(totals.nonzero)}</td>
              <td className="num">{formatPercent(totals.sparsity)}</td>
              <td className="num" data-testid="total-macs" data-value={totals.macs}>{formatCount(totals.macs)}</td>
              <td className="num">{formatBytes(totals.bytes)}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small">
        Sparsity here = zero weights / all weights of the layer; the pruning target counts prunable weights only
        (kernels). Bytes are the raw float32 size of the weights: the downloadable file shrinks only with
        compression, quantization or removing channels. MACs are multiply-accumulates for one example.
      </p>
    </section>
  );
}

function LayerRow(props: { layer: LayerSummary; prunable?: PrunableLayer; all: PrunableLayer[]; controls: PruneControls; ready: boolean }) {
  const { layer: l, prunable: p, controls } = props;
  return (
    <tr data-testid={l.prunable ? 'layer-row' : 'summary-row'} data-layer={l.name} data-params={l.params}
      data-nonzero={l.nonzero} className={l.prunable ? 'prunable' : undefined}>
      <th scope="row">{l.name}</th>
      <td>
        {l.className}
        {l.prunable && <span className="tag" title="Has a kernel the pruning engine can cut">prunable</span>}
      </td>
      <td className="mono">{formatShape(l.outputShape)}</td>
      <td className="num">{formatCount(l.params)}</td>
      <td className="num">{formatCount(l.nonzero)}</td>
      <td className="num">{l.params ? formatPercent(l.sparsity) : '—'}</td>
      <td className="num" title={l.nonzeroMacs !== null && l.macs ? `${formatCount(l.nonzeroMacs)} multiply a nonzero weight` : undefined}>
        {l.macs ? formatCount(l.macs) : '—'}
      </td>
      <td className="num">{l.params ? formatBytes(l.bytes) : '—'}</td>
      <td>{p ? <TargetCell layer={p} all={props.all} controls={controls} ready={props.ready} /> : null}</td>
    </tr>
  );
}

function TargetCell({ layer, all, controls, ready }: { layer: PrunableLayer; all: PrunableLayer[]; controls: PruneControls; ready: boolean }) {
  const lock = layerLock(layer, controls.granularity);
  const pct = Math.round(sliderValue(controls, layer) * 100);
  const coupled = controls.granularity === 'channels' ? coupledWith(all, layer.path).filter((x) => x !== layer.path) : [];
  const channels = controls.granularity === 'channels' && layer.group ? `${layer.group.kept}/${layer.group.channels} kept` : null;
  return (
    <div className="target-cell">
      <span className="slider-row">
        <input type="range" data-testid="layer-sparsity" min={0} max={95} step={1} value={lock ? 0 : pct}
          disabled={!ready || lock !== null} aria-label={`${layer.path}: ${controls.granularity === 'channels' ? 'channels removed' : 'target sparsity'}`}
          aria-valuetext={`${pct}%`} onChange={(e) => setLayerSparsity(layer.path, Number(e.target.value) / 100)} />
        <output className="slider-value">{lock ? '—' : `${pct}%`}</output>
      </span>
      {lock && <span className="lock-note small" data-testid="layer-lock" title={lock}>Locked: {lock}</span>}
      {!lock && channels && <span className="muted small">{channels}</span>}
      {!lock && coupled.length > 0 && <span className="muted small" data-testid="layer-coupled"> · moves with {coupled.join(', ')}</span>}
    </div>
  );
}
