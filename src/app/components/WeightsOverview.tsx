import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { LayerMagnitudes } from '../../engine/api';
import { currentPoint, useStudio, type StudioState } from '../store';
import { fetchWeightsOverview } from '../studioActions';
import { controlsPending, cutPreview, previewUnavailable, type LayerCut } from '../cutPreview';
import { formatCount, formatPercent } from '../format';
import { formatWeight, PRUNED_COLOR } from '../layerDetail';
import { Tip } from './Help';
import { ChartDownload } from './ChartDownload';
import { imageOfStack } from '../chartDownload';

/** Every layer's histogram on screen, each under its label line, as one drawing. */
function overviewImage(list: HTMLElement | null) {
  const parts = [...(list?.querySelectorAll<HTMLElement>('[data-testid="layer-histogram"]') ?? [])].flatMap((li) => {
    const svg = li.querySelector('svg');
    const label = [...li.querySelectorAll('.layer-histogram-label > *')].map((e) => e.textContent?.trim()).filter(Boolean).join(' · ');
    return svg ? [{ label, svg }] : [];
  });
  return parts.length ? imageOfStack(parts) : null;
}
import { groupByParent } from '../layerGroups';

const WIDTH = 360;
const HEIGHT = 44;
/** The zero bar, then a gap, then the |w| bins. */
const ZERO_W = 14;
const GAP = 8;

/** The starting point's histograms when they are of the current step's starting point (what every prune starts from). */
function startOverview(s: StudioState) {
  const point = currentPoint(s);
  const w = s.startWeights;
  return point && w && w.modelId === s.modelId && w.pointId === point.baseId ? w.overview : null;
}

/**
 * What the sliders would cut now, per layer path, while their prune is not measured yet (null when
 * nothing is pending or no preview applies). Drawn by the weights overview and the layer table.
 */
export function useCutPreview(): Map<string, LayerCut> | null {
  const controls = useStudio((s) => s.controls);
  const point = useStudio(currentPoint);
  const layers = useStudio((s) => s.summary?.prunable);
  const start = useStudio(startOverview);
  return useMemo(() => {
    if (!layers || !controlsPending(controls, point, layers)) return null;
    const cuts = cutPreview(controls, start);
    return cuts ? new Map(cuts.map((c) => [c.path, c])) : null;
  }, [controls, point, layers, start]);
}

/**
 * One small |w| histogram per prunable layer on a shared log axis (exact zeros as their own bar at the
 * left), stacked so the layers compare. While a magnitude slider moves, each shows the threshold it
 * would cut at and the share it would cut.
 */
export function WeightsOverview() {
  const weights = useStudio((s) => (s.weights && s.weights.pointId === s.currentPointId && s.weights.modelId === s.modelId ? s.weights.overview : null));
  const pointId = useStudio((s) => s.currentPointId);
  const idle = useStudio((s) => s.status === 'idle' && !s.fatal);
  const controls = useStudio((s) => s.controls);
  const [log, setLog] = useState(true);
  const list = useRef<HTMLUListElement>(null);
  const preview = useCutPreview();
  const unavailable = previewUnavailable(controls);
  // Follows the current step; read once the studio is idle (a slider drag never waits on it).
  useEffect(() => {
    if (idle && pointId !== null && !weights) {
      const t = setTimeout(() => void fetchWeightsOverview(), 300);
      return () => clearTimeout(t);
    }
  }, [idle, pointId, weights]);
  const total = weights?.layers.reduce((n, l) => n + l.params, 0) ?? 0;
  return (
    <section className="panel weights-overview" aria-labelledby="weights-title" data-testid="weights-overview" data-preview={preview ? 'on' : 'off'}>
      <div className="panel-head">
        <h2 id="weights-title">Weights</h2>
        <span className="muted small">
          |w| of every prunable layer, log axis, one range for all; exact zeros in the bar on the left
          <Tip label="About the preview">
            {unavailable ?? 'While a slider moves, each layer shows the |w| threshold the prune would cut below (the line) and the share it would cut, read off these histograms; the measured step replaces it on release.'}
          </Tip>
        </span>
        <label className="small log-toggle">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log counts
        </label>
        <ChartDownload chart="weights" label="the weights histograms" name="weights-histograms" image={() => overviewImage(list.current)} />
      </div>
      {unavailable && <p className="muted small" data-testid="weights-preview-note">No preview for this granularity and criterion: {unavailable}</p>}
      {!weights ? (
        <p className="placeholder small">Reading the weights…</p>
      ) : (
        <>
          <ul className="layer-histograms" ref={list}>
            {groupByParent(weights.layers).map(({ parent, items }) => {
              const rows = items.map((l) => (
                <LayerHistogram key={l.path} layer={l} edges={weights.edges} share={total ? l.params / total : 0} log={log} cut={preview?.get(l.path)} />
              ));
              return parent ? <HistogramGroup key={`${parent}:${items[0].path}`} parent={parent} layers={items} total={total}>{rows}</HistogramGroup> : rows;
            })}
          </ul>
          <div className="histogram-axis small muted" aria-hidden="true">
            <span style={{ width: ZERO_W + GAP }}>0</span>
            <span>≤{formatWeight(weights.edges[0])}</span>
            <span>|w| (log) →</span>
            <span>{formatWeight(weights.edges[weights.edges.length - 1])}</span>
          </div>
        </>
      )}
    </section>
  );
}

/** The histograms of one nested model's layers, behind a disclosure named by the model's path. */
function HistogramGroup({ parent, layers, total, children }: { parent: string; layers: LayerMagnitudes[]; total: number; children: ReactNode }) {
  const params = layers.reduce((n, l) => n + l.params, 0);
  const zeros = layers.reduce((n, l) => n + l.zeros, 0);
  return (
    <li className="layer-histogram-group" data-testid="layer-histogram-group" data-layer={parent} data-count={layers.length}>
      <details>
        <summary className="small">
          <strong className="mono">{parent}</strong> · {layers.length} layers · {formatPercent(params ? zeros / params : 0)} zero ·{' '}
          <span className="muted">{formatPercent(total ? params / total : 0)} of weights</span>
        </summary>
        <ul className="layer-histograms">{children}</ul>
      </details>
    </li>
  );
}

function LayerHistogram({ layer: l, edges, share, log, cut }: {
  layer: LayerMagnitudes; edges: Float64Array; share: number; log: boolean; cut?: LayerCut;
}) {
  const bins = l.counts.length;
  const scale = (c: number) => (log ? Math.log1p(c) : c);
  const top = Math.max(scale(l.zeros), ...Array.from(l.counts, scale), 1);
  const h = (c: number) => (scale(c) / top) * (HEIGHT - 2);
  const x0 = ZERO_W + GAP;
  const bw = (WIDTH - x0) / bins;
  const [a, b] = [Math.log(edges[0]), Math.log(edges[bins])];
  const xOf = (w: number) => x0 + Math.max(0, Math.min(1, (Math.log(w) - a) / (b - a))) * (WIDTH - x0);
  const sparsity = l.params ? l.zeros / l.params : 0;
  const title = `${l.path}: ${formatCount(l.params)} prunable weights, ${formatCount(l.zeros)} exactly zero (${formatPercent(sparsity)})`;
  return (
    <li className="layer-histogram" data-testid="layer-histogram" data-layer={l.path} data-zeros={l.zeros} data-params={l.params}
      data-sparsity={sparsity} data-threshold={cut?.threshold} data-predicted-sparsity={cut?.predictedSparsity} data-bin-share={cut?.binShare}>
      <div className="layer-histogram-label small">
        <strong className="mono">{l.path}</strong>
        <span className="muted">{l.className}</span>
        <span>{formatPercent(sparsity)} zero</span>
        <span className="muted">{formatPercent(share)} of weights</span>
        {cut && <span className="cut-note" data-testid="layer-cut">cut → {formatPercent(cut.predictedSparsity)} below |w| {formatWeight(cut.threshold)}</span>}
      </div>
      <svg width="100%" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={title} height={HEIGHT}>
        <title>{title}</title>
        <rect x={0} y={HEIGHT - h(l.zeros)} width={ZERO_W} height={h(l.zeros)} fill={PRUNED_COLOR} />
        {Array.from(l.counts, (c, i) => (c ? <rect key={i} x={x0 + i * bw} y={HEIGHT - h(c)} width={Math.max(bw - 0.5, 0.5)} height={h(c)} fill="var(--accent)" /> : null))}
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} stroke="var(--border)" />
        {cut && cut.threshold > 0 && (
          <>
            <rect x={x0} y={0} width={xOf(cut.threshold) - x0} height={HEIGHT} fill={PRUNED_COLOR} opacity={0.18} />
            <line x1={xOf(cut.threshold)} x2={xOf(cut.threshold)} y1={0} y2={HEIGHT} stroke={PRUNED_COLOR} strokeWidth={2} vectorEffect="non-scaling-stroke" />
          </>
        )}
      </svg>
    </li>
  );
}
