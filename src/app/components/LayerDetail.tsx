import { lazy, Suspense, useEffect, useState } from 'react';
import type { KernelDetail, LayerDetail as Detail, WeightStats } from '../../engine/api';
import { useStudio } from '../store';
import { loadLayerDetail } from '../studioActions';
import { formatWeight, type HeatmapView } from '../layerDetail';
import { formatCount, formatPercent, formatShape } from '../format';
import { KernelHeatmap } from './KernelHeatmap';
import { Tip } from './Help';
import './layerDetail.css';

// recharts is most of the page's code: the histogram loads when a layer is first opened.
const WeightHistogram = lazy(() => import('./WeightHistogram').then((m) => ({ default: m.WeightHistogram })));

type Load =
  | { state: 'loading'; detail: Detail | null }
  | { state: 'ready'; detail: Detail }
  | { state: 'error'; detail: null; message: string };

/**
 * The layer's weight views for the current history point. Fetches again whenever the current point
 * (or the model) changes, so the views follow pruning, fine-tuning and undo; keeps showing the last
 * views while the new ones load, and drops replies a newer request has superseded.
 */
function useLayerDetail(path: string): Load {
  const pointId = useStudio((s) => s.currentPointId);
  const modelId = useStudio((s) => s.summary?.id ?? null);
  const [load, setLoad] = useState<Load>({ state: 'loading', detail: null });
  useEffect(() => {
    let wanted = true;
    setLoad((l) => ({ state: 'loading', detail: l.detail }));
    loadLayerDetail(path, () => wanted).then(
      (detail) => {
        if (wanted && detail) setLoad({ state: 'ready', detail });
      },
      (e: unknown) => {
        if (wanted) setLoad({ state: 'error', detail: null, message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      wanted = false;
    };
  }, [path, pointId, modelId]);
  return load;
}

/** The table row under a layer's row that its expand button opens: stats, histogram and heatmap of each kernel. */
export function LayerDetailRow({ id, path, colSpan }: { id: string; path: string; colSpan: number }) {
  return (
    <tr id={id} className="layer-detail-row">
      <td colSpan={colSpan}>
        <LayerWeights path={path} />
      </td>
    </tr>
  );
}

/** Stats, histogram and heatmap of each kernel of one layer, for the current step (`layer-detail`). */
export function LayerWeights({ path }: { path: string }) {
  const load = useLayerDetail(path);
  const [log, setLog] = useState(false);
  const [view, setView] = useState<HeatmapView>('magnitude');
  const { detail } = load;
  return (
    <div className="layer-detail" aria-busy={load.state === 'loading'} data-testid="layer-detail" data-layer={path} data-state={load.state}>
      <div className="layer-detail-tools">
        <label className="check">
          <input type="checkbox" data-testid="histogram-log" checked={log} onChange={(e) => setLog(e.target.checked)} />
          Log count axis
        </label>
        <label className="check">
          <input type="checkbox" data-testid="heatmap-mask" checked={view === 'mask'}
            onChange={(e) => setView(e.target.checked ? 'mask' : 'magnitude')} />
          Show the pruning mask (share of zeros per cell)
        </label>
        <span className="muted small" role="status">
          {load.state === 'loading' ? (detail ? 'Updating for the current step…' : `Reading the weights of ${path}…`) : ''}
        </span>
      </div>
      {load.state === 'error' && (
        <p className="layer-detail-error" role="alert" data-testid="layer-detail-error">
          Could not read the weights of {path}: {load.message}
        </p>
      )}
      {detail?.kernels.map((k) => <KernelView key={k.key} kernel={k} log={log} view={view} />)}
    </div>
  );
}

function KernelView({ kernel: k, log, view }: { kernel: KernelDetail; log: boolean; view: HeatmapView }) {
  return (
    <section className="kernel-view" data-testid="kernel-view" data-key={k.key} data-count={k.stats.count} data-zeros={k.stats.zeros}
      aria-label={`Weights of ${k.key}`}>
      <h3 className="kernel-title">
        {k.key} <span className="muted mono">{formatShape(k.shape)}</span>
      </h3>
      <div className="kernel-grid">
        <StatsList stats={k.stats} />
        <figure className="kernel-figure histogram-figure">
          <figcaption>Weight values</figcaption>
          <Suspense fallback={<div className="histogram-loading muted small">Loading the chart…</div>}>
            <WeightHistogram histogram={k.histogram} log={log} name={k.key} />
          </Suspense>
        </figure>
        <figure className="kernel-figure">
          <figcaption>Kernel as a matrix</figcaption>
          <KernelHeatmap heatmap={k.heatmap} view={view} name={k.key} />
        </figure>
      </div>
    </section>
  );
}

function StatsList({ stats: s }: { stats: WeightStats }) {
  const nonzero = s.count - s.zeros - s.nonFinite;
  return (
    <dl className="weight-stats" data-testid="weight-stats">
      <dt>Weights</dt>
      <dd>{formatCount(s.count)}</dd>
      <dt>Exact zeros <Tip label="About exact zeros">Weights stored as exactly 0: what pruning leaves. They are not in the histogram's bins but in its own bar.</Tip></dt>
      <dd data-testid="weight-zeros" data-value={s.zeros}>
        {formatCount(s.zeros)} <span className="muted">({s.count ? formatPercent(s.zeros / s.count) : '—'} of weights)</span>
      </dd>
      <dt>Min … max (weight value)</dt>
      <dd className="mono">{formatWeight(s.min)} … {formatWeight(s.max)}</dd>
      <dt>Mean ± std (all weights)</dt>
      <dd className="mono">{formatWeight(s.mean)} ± {formatWeight(s.std)}</dd>
      <dt>Mean ± std (nonzero only)</dt>
      <dd className="mono">{nonzero > 0 ? `${formatWeight(s.nonzeroMean)} ± ${formatWeight(s.nonzeroStd)}` : '— (every weight is 0)'}</dd>
      {s.nonFinite > 0 && (
        <>
          <dt className="warn">Not a number / infinite</dt>
          <dd className="warn">{formatCount(s.nonFinite)} weights (left out of the figures)</dd>
        </>
      )}
    </dl>
  );
}
