import { describe, expect, it } from 'vitest';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { reportHtml } from './reportHtml';
import { chainTo, niceTicks, reportChartSvg } from './reportChart';
import type { ExportReport } from './exportReport';
import type { HistoryPoint } from './api';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node, out: Element[] = []): Element[] {
  if ('tagName' in node) out.push(node);
  const kids = 'childNodes' in node ? node.childNodes : [];
  for (const c of kids) elements(c, out);
  if ('content' in node && node.content) elements(node.content as Node, out);
  return out;
}
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;
const textOf = (node: Node): string => ('value' in node && node.nodeName === '#text' ? node.value : '') + ('childNodes' in node ? node.childNodes.map(textOf).join('') : '');

const point = (id: number, parentId: number | null, kind: HistoryPoint['kind'], label: string, nonzero: number, value: number): HistoryPoint => ({
  id, parentId, baseId: 0, kind, label, settings: null, metric: { metric: 'accuracy', subset: true, value, count: 100, ms: 1 },
  params: 1000, nonzero, prunableSparsity: 1 - nonzero / 1000, macs: 0, nonzeroMacs: 0, bytes: 4000, gzipBytes: 3000, skipped: [], ms: 1,
});

const history = [
  point(0, null, 'original', 'Original model', 1000, 0.91),
  point(1, 0, 'prune', 'unstructured 50% global, magnitude', 500, 0.9),
  point(2, 1, 'prune', 'unstructured 90% global <fast>', 100, 0.6), // a branch left behind by undo
  point(3, 1, 'finetune', 'Fine-tuned 1 epoch', 500, 0.92),
];

const report: ExportReport = {
  generator: 'Secateur', model: 'fashion <cnn> & co', source: { kind: 'demo', files: ['model.json'], fixes: [] }, precision: 'float16',
  metric: { kind: 'accuracy', description: '1,000 held-out images', value: 0.92, examples: 1000, original: 0.91 },
  totals: { params: 1000, nonzero: 500, prunableSparsity: 0.5, macs: 20_000, nonzeroMacs: 10_000 },
  sizes: { weightBytes: 2000, weightGzipBytes: 1200 },
  layers: [
    { path: 'conv1', className: 'Conv2D', params: 200, nonzero: 150, sparsity: 0.25 },
    { path: 'features/fc1', className: 'Dense', params: 800, nonzero: 350, sparsity: 0.5625 },
  ],
  recipe: [
    { kind: 'original', label: 'Original model', settings: null, metric: 0.91 },
    { kind: 'prune', label: 'unstructured 50% global, magnitude', settings: null, metric: 0.9 },
    { kind: 'finetune', label: 'Fine-tuned 1 epoch', settings: null, metric: 0.92 },
  ],
};

describe('reportHtml', () => {
  const html = reportHtml({ report, history, currentId: 3 });
  const doc = parse(html, { onParseError: (e) => { throw new Error(`report.html does not parse: ${e.code} at line ${e.startLine}`); } });
  const all = elements(doc);

  it('is one well-formed page that fetches nothing and runs nothing', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(all.filter((e) => e.tagName === 'script')).toEqual([]);
    expect(all.filter((e) => e.tagName === 'link')).toEqual([]);
    for (const e of all) for (const a of ['src', 'href']) expect(attr(e, a), `${e.tagName} ${a}`).toBeUndefined();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/url\(/);
    expect(all.filter((e) => e.tagName === 'style')).toHaveLength(1);
    expect(textOf(all.find((e) => e.tagName === 'title')!)).toBe('fashion <cnn> & co: Secateur export report');
  });

  it('has the summary, every layer with its sparsity bar, and every step that made the model', () => {
    const body = textOf(all.find((e) => e.tagName === 'body')!);
    expect(body).toContain('Accuracy (original 91.0%)92.0%');
    expect(body).toContain('1.2 KB');
    const rows = all.filter((e) => e.tagName === 'tr').slice(1);
    expect(rows.map((r) => textOf(r.childNodes[0]))).toEqual(['conv1', 'features/fc1']);
    const bars = all.filter((e) => e.tagName === 'i' && attr(e, 'style')?.startsWith('width:'));
    expect(bars.map((b) => attr(b, 'style'))).toEqual(['width:25.0%', 'width:56.3%']);
    const steps = all.filter((e) => e.tagName === 'li').map(textOf);
    expect(steps).toEqual(['Original model (original): accuracy 91.0%', 'unstructured 50% global, magnitude (prune): accuracy 90.0%', 'Fine-tuned 1 epoch (fine-tune): accuracy 92.0%']);
  });

  it('draws one dot per history step, the exported one ringed, the steps that made it joined', () => {
    const dots = all.filter((e) => e.tagName === 'circle');
    expect(dots).toHaveLength(4);
    expect(dots.map((d) => attr(d, 'class'))).toEqual(['chart-dot chart-original', 'chart-dot chart-prune', 'chart-dot chart-prune', 'chart-dot chart-finetune chart-current']);
    expect(textOf(dots[2])).toBe('2. unstructured 90% global <fast>: 100 nonzero, 60.0%');
    const line = all.find((e) => e.tagName === 'polyline')!;
    expect(attr(line, 'points')!.split(' ')).toHaveLength(3);
    expect(chainTo(history, 3).map((p) => p.id)).toEqual([0, 1, 3]);
    expect(reportChartSvg([], 0)).toBe('');
  });

  it('puts axis ticks on round numbers that cover the values', () => {
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(60, 92)).toEqual([60, 70, 80, 90, 100]);
    expect(niceTicks(5, 5)).toEqual([4, 4.5, 5, 5.5, 6]);
  });
});
