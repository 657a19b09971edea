import { useId, useState, type ReactNode } from 'react';
import { DISTINCT_LIMIT, type LayerSummary, type ModelSummary, type PrunableLayer } from '../../engine/api';
import { useStudio, type PruneControls } from '../store';
import { setLayerSparsity } from '../studioActions';
import { coupledWith, layerLock, sliderValue } from '../pruneControls';
import { formatBytes, formatCount, formatPercent, formatShape } from '../format';
import { LayerDetailRow } from './LayerDetail';
import { Tip } from './Help';
import { useCutPreview } from './WeightsOverview';
import type { LayerCut } from '../cutPreview';
import { isShown, leafName, parentPath, toggled } from '../layerGroups';

const COLUMNS = 10;

/**
 * One row per layer, with totals. Rows of layers the pruning engine can cut carry `layer-row` and a
 * target slider (`layer-sparsity`); locked layers say why. Their expand button (`layer-expand`) opens
 * a row below with the layer's weights (`layer-detail`). A nested model is a row of its own
 * (`layer-group`) whose button (`layer-group-toggle`) shows or hides its inner layers' rows.
 */
export function SummaryTable({ summary }: { summary: ModelSummary }) {
  const { layers, totals } = summary;
  const controls = useStudio((s) => s.controls);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const prunable = new Map(summary.prunable.map((p) => [p.path, p]));
  const preview = useCutPreview();
  // Open weight views, per model: another model starts with every row closed.
  const [expanded, setExpanded] = useState<{ modelId: string; paths: ReadonlySet<string> }>({ modelId: summary.id, paths: new Set() });
  const open = expanded.modelId === summary.id ? expanded.paths : new Set<string>();
  const toggle = (path: string) => setExpanded({ modelId: summary.id, paths: toggled(open, path) });
  // Expanded nested models, per model: every group starts closed.
  const [groups, setGroups] = useState<{ modelId: string; paths: ReadonlySet<string> }>({ modelId: summary.id, paths: new Set() });
  const openGroups = groups.modelId === summary.id ? groups.paths : new Set<string>();
  const toggleGroup = (path: string) => setGroups({ modelId: summary.id, paths: toggled(openGroups, path) });
  const inner = (path: string) => layers.filter((l) => !l.nested && l.name.startsWith(`${path}/`));
  return (
    <section className="panel" aria-labelledby="summary-title">
      <div className="panel-head">
        <h2 id="summary-title">{summary.name}</h2>
        <span className="muted">
          input {formatShape(summary.inputShape)} → output {formatShape(summary.outputShape)} · {layers.filter((l) => !l.nested).length} layers
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
              <th scope="col" className="num">
                Sparsity <Tip label="About sparsity">
                  Zero weights / all weights of the layer (kernel and bias). The pruning target counts the prunable
                  kernel weights only.
                </Tip>
              </th>
              <th scope="col" className="num">
                Distinct <Tip label="About distinct values">
                  How many different values the layer's kernel holds. Weight clustering (Share weights) brings it down to
                  k, the exact zero of pruned weights included: the packed export then stores each weight as a short index.
                </Tip>
              </th>
              <th scope="col" className="num">
                MACs <Tip label="About MACs">
                  Multiply-accumulate operations for one example through the layer. Zeroed weights still cost MACs in
                  TensorFlow.js (hover a value for how many multiply a nonzero weight); removing channels removes them.
                </Tip>
              </th>
              <th scope="col" className="num">
                Bytes (float32) <Tip label="About bytes">
                  Raw size of the layer's weights at 4 bytes each. Pruning alone does not change it: the file shrinks with
                  gzip, quantization (float16, uint8) or removed channels.
                </Tip>
              </th>
              <th scope="col">{controls.granularity === 'channels' ? 'Channels removed' : 'Target sparsity'}</th>
            </tr>
          </thead>
          <tbody>
            {layers.filter((l) => isShown(l.parents, openGroups)).map((l) => (l.nested ? (
              <GroupRow key={l.name} layer={l} inner={inner(l.name)} expanded={openGroups.has(l.name)} onToggle={() => toggleGroup(l.name)} />
            ) : (
              <LayerRow key={l.name} layer={l} prunable={prunable.get(l.name)} all={summary.prunable} controls={controls} ready={ready}
                expanded={open.has(l.name)} onToggle={() => toggle(l.name)} cut={preview?.get(l.name)} />
            )))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>Total</th>
              <td className="num" data-testid="total-params">{formatCount(totals.params)}</td>
              <td className="num">{formatCount(totals.nonzero)}</td>
              <td className="num">{formatPercent(totals.sparsity)}</td>
              <td />
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

function LayerRow(props: {
  layer: LayerSummary; prunable?: PrunableLayer; all: PrunableLayer[]; controls: PruneControls; ready: boolean;
  expanded: boolean; onToggle: () => void; cut?: LayerCut;
}) {
  const { layer: l, prunable: p, controls, expanded } = props;
  const detailId = useId();
  return (
    <>
      <tr data-testid={l.prunable ? 'layer-row' : 'summary-row'} data-layer={l.name} data-params={l.params}
        data-nonzero={l.nonzero} data-distinct={p ? (p.distinct ?? 'many') : undefined} data-prunable-sparsity={p?.sparsity} data-predicted-sparsity={props.cut?.predictedSparsity} className={l.prunable ? 'prunable' : undefined}>
        <th scope="row">
          {l.prunable ? (
            // A disclosure: a native button, so Enter and Space toggle it.
            <button type="button" className="disclosure" data-testid="layer-expand" aria-expanded={expanded} aria-controls={detailId}
              aria-label={`Weights of ${l.name}`} title={expanded ? 'Hide the weights' : 'Show the weights: statistics, histogram, heatmap'}
              onClick={props.onToggle}>
              <span className="disclosure-icon" aria-hidden="true">▸</span>
            </button>
          ) : (
            <span className="disclosure-space" aria-hidden="true" />
          )}
          <LayerName path={l.name} depth={l.parents?.length ?? 0} />
        </th>
        <td>
          {l.className}
          {l.prunable && <span className="tag" title="Has a kernel the pruning engine can cut">prunable</span>}
        </td>
        <WeightCells layer={l}>
          {props.cut && (
            <span className="predicted" data-testid="layer-predicted" title="Predicted from the weight histograms while the slider moves: the share of the layer's kernel weights the cut would zero">
              kernel → {formatPercent(props.cut.predictedSparsity)}
            </span>
          )}
        </WeightCells>
        <td className="num">{p ? (p.distinct === null ? `> ${formatCount(DISTINCT_LIMIT)}` : formatCount(p.distinct)) : '—'}</td>
        <SizeCells layer={l} />
        <td>{p ? <TargetCell layer={p} all={props.all} controls={controls} ready={props.ready} /> : null}</td>
      </tr>
      {expanded && <LayerDetailRow id={detailId} path={l.name} colSpan={COLUMNS} />}
    </>
  );
}

/** Output shape, params, nonzero and sparsity (with its bar, then `children`) of a row. */
function WeightCells({ layer: l, children }: { layer: LayerSummary; children?: ReactNode }) {
  return (
    <>
      <td className="mono">{formatShape(l.outputShape)}</td>
      <td className="num">{formatCount(l.params)}</td>
      <td className="num">{formatCount(l.nonzero)}</td>
      <td className="num">
        {l.params ? formatPercent(l.sparsity) : '—'}
        {l.params > 0 && <SparsityBar sparsity={l.sparsity} />}
        {children}
      </td>
    </>
  );
}

/** MACs and float32 bytes of a row. */
function SizeCells({ layer: l }: { layer: LayerSummary }) {
  return (
    <>
      <td className="num" title={l.nonzeroMacs !== null && l.macs ? `${formatCount(l.nonzeroMacs)} multiply a nonzero weight` : undefined}>
        {l.macs ? formatCount(l.macs) : '—'}
      </td>
      <td className="num">{l.params ? formatBytes(l.bytes) : '—'}</td>
    </>
  );
}

/** A layer's name, indented by its nesting depth, after its nested models' path (muted). */
function LayerName({ path, depth }: { path: string; depth: number }) {
  const parent = parentPath(path);
  return (
    <span className="layer-name" style={depth ? { paddingLeft: `${depth * 1.1}em` } : undefined} title={path}>
      {parent && <span className="muted layer-name-parent">{parent}/</span>}
      {leafName(path)}
    </span>
  );
}

/** A nested model's row: its inner layers' sums, and the button that shows or hides their rows. */
function GroupRow({ layer: l, inner, expanded, onToggle }: { layer: LayerSummary; inner: LayerSummary[]; expanded: boolean; onToggle: () => void }) {
  const prunableCount = inner.filter((x) => x.prunable).length;
  return (
    <tr data-testid="layer-group" data-layer={l.name} data-layers={inner.length} data-params={l.params} data-nonzero={l.nonzero} className="layer-group-row">
      <th scope="row">
        <button type="button" className="disclosure" data-testid="layer-group-toggle" aria-expanded={expanded}
          aria-label={`${expanded ? 'Hide' : 'Show'} the ${inner.length} layers of ${l.name}`}
          title={expanded ? 'Hide its layers' : 'Show its layers, each with its own slider'} onClick={onToggle}>
          <span className="disclosure-icon" aria-hidden="true">▸</span>
        </button>
        <LayerName path={l.name} depth={l.parents?.length ?? 0} />
      </th>
      <td>
        {l.className} <span className="tag" title="A model inside the model: its layers are listed under it">nested model</span>
      </td>
      <WeightCells layer={l} />
      <td className="num">—</td>
      <SizeCells layer={l} />
      <td className="muted small">{inner.length} layers, {prunableCount} prunable{expanded ? '' : ': expand for their sliders'}</td>
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

/** Nonzero (left) and zero (right) shares of a layer's weights as one small bar. */
function SparsityBar({ sparsity }: { sparsity: number }) {
  return (
    <span className="sparsity-bar" data-testid="sparsity-bar" data-sparsity={sparsity} role="img"
      aria-label={`${formatPercent(1 - sparsity)} nonzero, ${formatPercent(sparsity)} zero`} title={`${formatPercent(1 - sparsity)} nonzero, ${formatPercent(sparsity)} zero`}>
      <i style={{ width: `${sparsity * 100}%` }} />
    </span>
  );
}
