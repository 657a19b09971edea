import { lazy, Suspense } from 'react';
import type { CompareResult, LayerTimes as Profile } from '../../engine/api';
import { formatCount, formatPercent } from '../format';

// recharts is most of the page's code: the chart loads with the first comparison.
const LayerTimesChart = lazy(() => import('./LayerTimesChart').then((m) => ({ default: m.LayerTimesChart })));

export interface LayerTimesRow {
  path: string;
  className: string;
  macs: number | null;
  original?: Profile['layers'][number];
  current?: Profile['layers'][number];
}

/** Layers in the original's order, each with its time on both sides (a layer may be gone in one). */
export function layerTimesRows(result: CompareResult): LayerTimesRow[] {
  const current = new Map(result.current.profile.layers.map((l) => [l.path, l]));
  const rows: LayerTimesRow[] = result.original.profile.layers.map((o) => {
    const c = current.get(o.path);
    return { path: o.path, className: o.className, macs: c?.macs ?? o.macs, original: o, current: c };
  });
  const seen = new Set(rows.map((r) => r.path));
  for (const c of result.current.profile.layers) if (!seen.has(c.path)) rows.push({ path: c.path, className: c.className, macs: c.macs, current: c });
  return rows;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v < 0.01 ? '< 0.01 ms' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
/** Below this, a layer's time is too small to compare (a few clock ticks over hundreds of calls). */
const TOO_SMALL_MS = 0.02;

/**
 * Where one prediction's time goes, layer by layer, for the original and the current step: time,
 * share of the total and MACs beside it, as a table and as bars. After channel removal it shows
 * which layers got faster.
 */
export function LayerTimes({ result }: { result: CompareResult }) {
  const rows = layerTimesRows(result);
  return (
    <details className="layer-times" data-testid="layer-times" open>
      <summary>Where the time goes, layer by layer</summary>
      <table className="compare">
        <thead>
          <tr>
            <th scope="col">Layer</th><th scope="col" className="num">MACs (current)</th>
            <th scope="col" className="num">Original</th><th scope="col" className="num">Current</th><th scope="col" className="num">Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const change = r.original && r.current && r.original.ms > 0 && Math.max(r.original.ms, r.current.ms) >= TOO_SMALL_MS ? ((r.current.ms - r.original.ms) / r.original.ms) * 100 : null;
            return (
              <tr key={r.path} data-testid="profile-row" data-layer={r.path} data-original-ms={r.original?.ms} data-current-ms={r.current?.ms} data-macs={r.macs ?? undefined}>
                <th scope="row">{r.path} <span className="muted small">{r.className}</span></th>
                <td className="num">{r.macs === null ? '—' : formatCount(r.macs)}</td>
                <td className="num">{ms(r.original?.ms)} <span className="muted small">{r.original ? formatPercent(r.original.share) : ''}</span></td>
                <td className="num">{ms(r.current?.ms)} <span className="muted small">{r.current ? formatPercent(r.current.share) : ''}</span></td>
                <td className={`num ${change === null || Math.abs(change) < 5 ? 'muted' : change < 0 ? 'pos' : 'neg'}`}>
                  {change === null ? '—' : Math.abs(change) < 5 ? '≈' : `${change > 0 ? '+' : '−'}${Math.abs(change).toFixed(0)}%`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Suspense fallback={<div className="layer-times-chart" />}>
        <LayerTimesChart rows={rows} />
      </Suspense>
      <p className="muted small">
        Each layer is run alone on one example: the fastest of {result.current.profile.runs} timed runs after warm-up. A layer's time
        includes its kernels and one wait for its output, so the layers add up to more than one whole prediction
        (original {ms(result.original.profile.totalMs)}, current {ms(result.current.profile.totalMs)} in all). Changes under 5% are within the noise.
      </p>
    </details>
  );
}
