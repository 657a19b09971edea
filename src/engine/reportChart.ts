// The export report's accuracy-vs-size chart as plain SVG markup (no chart library: the page it goes
// into is opened offline, with no scripts): one dot per history step at its nonzero parameters and
// metric, the steps that made the exported model joined by a line, the exported step ringed.
import type { HistoryPoint } from './api';

const W = 640;
const H = 300;
const M = { top: 14, right: 18, bottom: 44, left: 56 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;

/** About `count` round ticks (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  if (out[out.length - 1] < hi) out.push(+(out[out.length - 1] + step).toPrecision(12));
  return out;
}

const compact = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

/** The steps from the original to `currentId` (following parents), oldest first. */
export function chainTo(history: readonly HistoryPoint[], currentId: number): HistoryPoint[] {
  const byId = new Map(history.map((p) => [p.id, p]));
  const chain: HistoryPoint[] = [];
  for (let p = byId.get(currentId); p; p = p.parentId === null ? undefined : byId.get(p.parentId)) chain.unshift(p);
  return chain;
}

/** The chart as an `<svg>` element's markup, styled by the classes the report's CSS gives (chart-*). */
export function reportChartSvg(history: readonly HistoryPoint[], currentId: number): string {
  if (history.length === 0) return '';
  const mae = history[0].metric.metric === 'mae';
  const y = (p: HistoryPoint) => (mae ? p.metric.value : p.metric.value * 100);
  const xs = history.map((p) => p.nonzero);
  const ys = history.map(y);
  const xTicks = niceTicks(0, Math.max(...xs));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const px = (v: number) => r1(M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right));
  const py = (v: number) => r1(H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom));
  const metricName = mae ? 'Mean absolute error (lower is better)' : history[0].metric.metric === 'fidelity' ? 'Fidelity (%)' : 'Accuracy (%)';
  const chain = chainTo(history, currentId);
  const parts: string[] = [];
  for (const t of xTicks) {
    parts.push(`<line class="chart-grid" x1="${px(t)}" x2="${px(t)}" y1="${M.top}" y2="${H - M.bottom}"/>`);
    parts.push(`<text class="chart-tick" x="${px(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${compact(t)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line class="chart-grid" x1="${M.left}" x2="${W - M.right}" y1="${py(t)}" y2="${py(t)}"/>`);
    parts.push(`<text class="chart-tick" x="${M.left - 6}" y="${py(t) + 4}" text-anchor="end">${mae ? t.toPrecision(3) : `${t}%`}</text>`);
  }
  parts.push(`<text class="chart-title" x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">Nonzero parameters</text>`);
  parts.push(`<text class="chart-title" transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(metricName)}</text>`);
  if (chain.length > 1) parts.push(`<polyline class="chart-path" points="${chain.map((p) => `${px(p.nonzero)},${py(y(p))}`).join(' ')}"/>`);
  history.forEach((p, step) => {
    const current = p.id === currentId;
    const title = `${step === 0 ? 'Original model' : `${step}. ${p.label}`}: ${compact(p.nonzero)} nonzero, ${mae ? p.metric.value.toPrecision(4) : `${(p.metric.value * 100).toFixed(1)}%`}`;
    parts.push(`<circle class="chart-dot chart-${p.kind}${current ? ' chart-current' : ''}" cx="${px(p.nonzero)}" cy="${py(y(p))}" r="${current ? 6 : 4}"><title>${esc(title)}</title></circle>`);
  });
  const label = `${metricName} against nonzero parameters, ${history.length} steps; the exported step ringed`;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
