import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { KernelHeatmap as Heatmap } from '../../engine/api';
import { cellSpan, formatWeight, heatmapMax, heatmapPixels, heatmapZoom, MASK_GRADIENT, PRUNED_COLOR, VIRIDIS_GRADIENT, type HeatmapView } from '../layerDetail';
import { formatCount, formatPercent } from '../format';

const span = ([a, b]: [number, number]) => (a === b ? `${a}` : `${a}–${b}`);
/** Source rows (or columns) per cell: "1", "3" or "1–2" when cells differ by one. */
const perCell = (x: number) => (Number.isInteger(x) ? formatCount(x) : `${formatCount(Math.floor(x))}–${formatCount(Math.ceil(x))}`);

/**
 * A kernel as an image: one pixel per cell (drawn at a whole-number zoom, so cells stay crisp),
 * rows = output channels or units, columns = the rest. 'magnitude' colours mean |w| (all-zero
 * cells in the pruned colour); 'mask' shows the fraction of zeros. Hovering a cell reads it out.
 */
export function KernelHeatmap({ heatmap: h, view, name }: { heatmap: Heatmap; view: HeatmapView; name: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ row: number; col: number } | null>(null);
  const zoom = heatmapZoom(h.rows, h.cols);
  const max = heatmapMax(h);
  const perRow = h.sourceRows / Math.max(1, h.rows);
  const perCol = h.sourceCols / Math.max(1, h.cols);
  const downsampled = perRow > 1 || perCol > 1;

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || h.rows === 0 || h.cols === 0) return;
    ctx.putImageData(new ImageData(heatmapPixels(h, view), h.cols, h.rows), 0, 0);
  }, [h, view]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const col = Math.floor(((e.clientX - r.left) / r.width) * h.cols);
    const row = Math.floor(((e.clientY - r.top) / r.height) * h.rows);
    setHover(row >= 0 && row < h.rows && col >= 0 && col < h.cols ? { row, col } : null);
  };
  const cell = hover ? hover.row * h.cols + hover.col : null;

  if (h.rows === 0 || h.cols === 0) return <p className="muted small">This kernel has no weights.</p>;
  return (
    <div className="heatmap">
      <div className="heatmap-axes small">
        <span><span aria-hidden="true">↓ </span>rows: {h.rowLabel} <span className="mono">0–{h.sourceRows - 1}</span></span>
        <span><span aria-hidden="true">→ </span>columns: {h.colLabel} <span className="mono">0–{h.sourceCols - 1}</span></span>
      </div>
      <div className="heatmap-scroll">
        <canvas ref={canvas} className="heatmap-canvas" data-testid="kernel-heatmap" data-rows={h.rows} data-cols={h.cols}
          data-view={view} width={h.cols} height={h.rows} style={{ width: h.cols * zoom, height: h.rows * zoom }}
          role="img" aria-label={`${name}: ${view === 'mask' ? 'fraction of zero weights' : 'mean |w|'} as colour, ${h.sourceRows} ${h.rowLabel} rows by ${h.sourceCols} columns (${h.colLabel})`}
          onMouseMove={onMove} onMouseLeave={() => setHover(null)} />
      </div>
      <p className="heatmap-readout small" aria-hidden="true">
        {hover && cell !== null ? (
          <>
            {h.rowLabel} {span(cellSpan(hover.row, h.rows, h.sourceRows))}, column {span(cellSpan(hover.col, h.cols, h.sourceCols))}:
            mean |w| {formatWeight(h.absMean[cell])}, {formatPercent(h.zeroFraction[cell])} zero
          </>
        ) : (
          <span className="muted">Hover a cell to read it.</span>
        )}
      </p>
      <div className="heatmap-legend small">
        {view === 'magnitude' ? (
          <>
            <span>mean |w| per cell</span>
            <span className="legend-ramp" style={{ background: VIRIDIS_GRADIENT }} aria-hidden="true" />
            <span className="mono">0 … {formatWeight(max)}</span>
            <span><i className="swatch" style={{ background: PRUNED_COLOR }} aria-hidden="true" /> every weight 0 (pruned)</span>
          </>
        ) : (
          <>
            <span>zero weights per cell</span>
            <span className="legend-ramp" style={{ background: MASK_GRADIENT }} aria-hidden="true" />
            <span className="mono">0% … 100%</span>
          </>
        )}
        <span className="muted">
          {downsampled
            ? `each cell averages ${perCell(perRow)} rows × ${perCell(perCol)} columns of weights`
            : 'one cell per weight'}
        </span>
      </div>
    </div>
  );
}
