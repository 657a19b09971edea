// The offset view's geometry (TensorBoard's "offset" histograms): one ridge per step, each drawn from
// its own baseline, later steps lower and in front. Pure: rows in, shapes out, no React.
import { timelinePeak, type TimelineRow } from '../core/graph/histogramTimeline';

export interface RidgeLayout {
  /** Drawing width; the zero bar sits in [0, zeroWidth), the bins in [binsFrom, binsTo). */
  width: number;
  zeroWidth: number;
  binsFrom: number;
  binsTo: number;
  /** The tallest ridge, and how far each row sits below the one before. */
  rowHeight: number;
  offset: number;
}

export interface Ridge {
  row: TimelineRow;
  /** The row's baseline (y grows downwards). */
  baseline: number;
  /** The ridge outline, closed along its baseline. */
  path: string;
  /** The exact-zeros bar's height: the row's share of zeros, within its own band (so the bars never overlap). */
  zeroHeight: number;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** Ridges for `rows` (oldest first), heights on log(1 + count), all rows on one scale. */
export function ridges(rows: readonly TimelineRow[], l: RidgeLayout): { ridges: Ridge[]; height: number } {
  const scale = Math.log1p;
  const peak = timelinePeak(rows, scale);
  const h = (c: number) => (scale(c) / peak) * l.rowHeight;
  const out = rows.map((row, i) => {
    const baseline = l.rowHeight + i * l.offset + 1;
    const bins = row.counts.length;
    const bw = (l.binsTo - l.binsFrom) / Math.max(1, bins);
    let d = `M${r2(l.binsFrom)},${r2(baseline)}`;
    for (let b = 0; b < bins; b++) {
      const y = r2(baseline - h(row.counts[b]));
      d += `L${r2(l.binsFrom + b * bw)},${y}L${r2(l.binsFrom + (b + 1) * bw)},${y}`;
    }
    d += `L${r2(l.binsTo)},${r2(baseline)}Z`;
    return { row, baseline, path: d, zeroHeight: row.sparsity * Math.max(1, l.offset - 2) };
  });
  // Room under the last baseline for the step labels' descent.
  return { ridges: out, height: l.rowHeight + Math.max(0, rows.length - 1) * l.offset + 6 };
}
