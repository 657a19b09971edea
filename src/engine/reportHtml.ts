// The export's report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched)
// that says what the exported model is and how it was made, readable offline by someone without the
// studio: the summary, the accuracy-vs-size chart of the history, per-layer sparsity bars and the steps
// that made the model. Built from the same figures as report.json (exportReport.ts).
import type { HistoryPoint } from './api';
import type { ExportReport } from './exportReport';
import { reportChartSvg } from './reportChart';
import { formatBytes } from '../core/format/bytes';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (f: number) => `${(f * 100).toFixed(1)}%`;

const CSS = `
:root { --bg: #f6f7f9; --surface: #fff; --text: #1b1f24; --muted: #5b6573; --border: #d9dee5; --accent: #17744c; --pruned: #e0457b; --soft: #e6f4ed;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; font-size: 15px; line-height: 1.45; color: var(--text); background: var(--bg); color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1318; --surface: #171c23; --text: #e6e9ee; --muted: #9aa5b4; --border: #2c3540; --accent: #3ccf8e; --soft: #163528; } }
body { margin: 0 auto; max-width: 960px; padding: 24px 16px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.15em; margin: 0 0 10px; }
section { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; margin-top: 16px; }
.muted { color: var(--muted); } .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 0; }
.cards div { border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; }
.cards dt { color: var(--muted); font-size: 0.85em; } .cards dd { margin: 0; font-size: 1.25em; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--border); } th { color: var(--muted); font-weight: 600; font-size: 0.9em; }
td.num, th.num { text-align: right; }
.bar { display: inline-block; width: 140px; height: 10px; border-radius: 3px; background: var(--accent); overflow: hidden; vertical-align: middle; margin-right: 8px; }
.bar i { display: block; height: 100%; background: var(--pruned); margin-left: auto; }
ol { margin: 0; padding-left: 1.6em; } li { margin: 4px 0; }
.chart { width: 100%; height: auto; max-width: 640px; display: block; }
.chart-grid { stroke: var(--border); stroke-dasharray: 3 3; } .chart-tick { fill: var(--muted); font-size: 11px; } .chart-title { fill: var(--muted); font-size: 12px; }
.chart-path { fill: none; stroke: var(--accent); stroke-width: 1.5; opacity: 0.7; }
.chart-dot { fill: var(--muted); stroke: var(--surface); stroke-width: 1; } .chart-original { fill: var(--text); } .chart-prune { fill: var(--pruned); }
.chart-finetune { fill: var(--accent); } .chart-cluster { fill: #7b61d1; } .chart-current { stroke: var(--text); stroke-width: 2.5; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 0.85em; color: var(--muted); margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
footer { margin-top: 20px; font-size: 0.85em; color: var(--muted); }
`;

const KIND_TEXT: Record<string, string> = { original: 'original', prune: 'prune', finetune: 'fine-tune', cluster: 'clustering' };

export interface ReportPage {
  report: ExportReport;
  /** Every history step (the chart), and the exported one. */
  history: readonly HistoryPoint[];
  currentId: number;
}

/** The whole page as one string. */
export function reportHtml({ report: r, history, currentId }: ReportPage): string {
  const mae = r.metric.kind === 'mae';
  const metric = (v: number) => (mae ? v.toPrecision(4) : pct(v));
  const metricName = mae ? 'Mean absolute error' : r.metric.kind === 'fidelity' ? 'Fidelity' : 'Accuracy';
  const cards: [string, string][] = [
    [`${metricName} (original ${metric(r.metric.original)})`, metric(r.metric.value)],
    ['Parameters', count(r.totals.params)],
    ['Nonzero parameters', count(r.totals.nonzero)],
    ['Prunable weights zero', pct(r.totals.prunableSparsity)],
    ['MACs per example (nonzero)', count(r.totals.nonzeroMacs)],
    [`Weight files (${r.precision})`, formatBytes(r.sizes.weightBytes)],
    ['Weight files gzipped', formatBytes(r.sizes.weightGzipBytes)],
  ];
  const layers = r.layers.map((l) => `<tr><td class="mono">${esc(l.path)}</td><td>${esc(l.className)}</td><td class="num">${count(l.params)}</td>`
    + `<td class="num">${count(l.nonzero)}</td><td><span class="bar" role="img" aria-label="${pct(l.sparsity)} zero"><i style="width:${(l.sparsity * 100).toFixed(1)}%"></i></span>${pct(l.sparsity)}</td></tr>`).join('\n');
  const steps = r.recipe.map((s) => `<li><strong>${esc(s.label)}</strong> <span class="muted">(${esc(KIND_TEXT[s.kind] ?? s.kind)})</span>: ${metricName.toLowerCase()} ${metric(s.metric)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.model)}: Secateur export report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(r.model)}</h1>
<p class="muted">Exported by ${esc(r.generator)} at ${esc(r.precision)} precision. ${metricName} measured on ${count(r.metric.examples)} examples: ${esc(r.metric.description)}</p>
</header>
<section aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="cards">
${cards.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('\n')}
</dl>
</section>
<section aria-labelledby="chart-title">
<h2 id="chart-title">${metricName} against size</h2>
${reportChartSvg(history, currentId)}
<div class="legend"><span><i style="background:var(--text)"></i>original</span><span><i style="background:var(--pruned)"></i>prune</span><span><i style="background:var(--accent)"></i>fine-tune</span><span><i style="background:#7b61d1"></i>clustering</span><span>line: the steps that made this model; ringed: this model</span></div>
</section>
<section aria-labelledby="layers-title">
<h2 id="layers-title">Sparsity per layer</h2>
<table>
<thead><tr><th>Layer</th><th>Type</th><th class="num">Prunable weights</th><th class="num">Nonzero</th><th>Zero (pink) / kept (green)</th></tr></thead>
<tbody>
${layers}
</tbody>
</table>
</section>
<section aria-labelledby="steps-title">
<h2 id="steps-title">How this model was made</h2>
<ol>
${steps}
</ol>
</section>
<footer>The figures are in report.json too. Load the model with <span class="mono">tf.loadLayersModel('model.json')</span> (see README.md).</footer>
</body>
</html>
`;
}
