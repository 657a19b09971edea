import { describe, expect, it } from 'vitest';
import { stackedSvgMarkup, svgMarkup, type MarkupNode, type StyleOf } from './svgExport';

const el = (nodeName: string, attributes: Record<string, string>, ...childNodes: MarkupNode[]): MarkupNode => ({
  nodeType: 1, nodeName, nodeValue: null, attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })), childNodes,
});
const text = (s: string): MarkupNode => ({ nodeType: 3, nodeName: '#text', nodeValue: s, childNodes: [] });
const comment: MarkupNode = { nodeType: 8, nodeName: '#comment', nodeValue: 'x', childNodes: [] };

// What a page would compute: the CSS variables resolved.
const styleOf: StyleOf = (n) => {
  const fill = n.attributes && Array.from(n.attributes).find((a) => a.name === 'fill')?.value;
  if (n.nodeName === 'g' && n.attributes && Array.from(n.attributes).some((a) => a.value === 'tip')) return { display: 'none' };
  return fill === 'var(--accent)' ? { fill: 'rgb(23, 116, 76)' } : n.nodeName === 'text' ? { fill: 'rgb(27, 31, 36)', 'font-size': '12px' } : {};
};

describe('svgMarkup', () => {
  const chart = el('svg', { viewBox: '0 0 100 40', class: 'recharts-surface', role: 'img', 'aria-label': 'a chart', width: '100%' },
    el('rect', { x: '0', y: '10', width: '5', height: '30', fill: 'var(--accent)', 'data-step': '1', tabindex: '0', onclick: 'steal()' }),
    comment,
    el('text', { x: '2', y: '8' }, text('a < b & "c"')),
    el('g', { class: 'tip' }, el('text', {}, text('hover'))));

  it('inlines computed colours, drops page-only attributes and hidden parts, paints the background', () => {
    expect(svgMarkup(chart, { width: 200, height: 80, background: 'rgb(15, 19, 24)', styleOf })).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80" viewBox="0 0 100 40">'
      + '<rect x="0" y="0" width="100" height="40" fill="rgb(15, 19, 24)"/>'
      + '<rect x="0" y="10" width="5" height="30" fill="rgb(23, 116, 76)"/>'
      + '<text x="2" y="8" fill="rgb(27, 31, 36)" font-size="12px">a &lt; b &amp; &quot;c&quot;</text>'
      + '</svg>',
    );
  });

  it('gives a drawing with no view box its own, and nests a part where it is placed', () => {
    const bare = el('svg', {}, el('line', { x1: '0', x2: '10', y1: '0', y2: '0' }));
    expect(svgMarkup(bare, { width: 10.004, height: 5, x: 3, y: 4, styleOf })).toBe(
      '<svg x="3" y="4" width="10" height="5" viewBox="0 0 10 5"><line x1="0" x2="10" y1="0" y2="0"/></svg>',
    );
  });

  it('writes an inherited property only where it differs from the parent, and non-inherited ones unless default', () => {
    const tree = el('svg', {}, el('g', { id: 'g' }, el('text', { id: 't' }, text('a')), el('rect', { id: 'r' })));
    const computed: Record<string, ReturnType<StyleOf>> = {
      svg: { fill: 'rgb(0, 0, 0)', 'font-size': '12px', opacity: '1' },
      g: { fill: 'rgb(1, 2, 3)', 'font-size': '12px', opacity: '0.5' },
      t: { fill: 'rgb(1, 2, 3)', 'font-size': '10px', opacity: '1' },
      r: { fill: 'rgb(0, 0, 0)', 'font-size': '12px', opacity: '1' },
    };
    const id = (n: MarkupNode) => (n.attributes && Array.from(n.attributes).find((x) => x.name === 'id')?.value) ?? 'svg';
    expect(svgMarkup(tree, { width: 4, height: 4, styleOf: (n) => computed[id(n)] })).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" viewBox="0 0 4 4" fill="rgb(0, 0, 0)" font-size="12px">'
      + '<g id="g" fill="rgb(1, 2, 3)" opacity="0.5"><text id="t" font-size="10px">a</text><rect id="r" fill="rgb(0, 0, 0)"/></g></svg>',
    );
  });

  it('stacks drawings under their labels on one background, wide enough for every label', () => {
    const part = el('svg', { viewBox: '0 0 50 10' }, el('rect', { width: '1', height: '1' }));
    const out = stackedSvgMarkup([{ label: 'conv1 <Conv2D>', node: part, width: 50, height: 10 }, { label: 'fc1', node: part, width: 60, height: 10 }],
      { background: '#fff', color: '#111', fontFamily: 'system-ui', styleOf: () => ({}) });
    // 14 characters of label (104 px) are wider than either drawing.
    expect(out.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="124" height="86" viewBox="0 0 124 86"><rect x="0" y="0" width="124" height="86" fill="#fff"/>')).toBe(true);
    expect(out).toContain('<text x="10" y="23" fill="#111" font-size="13px" font-family="system-ui">conv1 &lt;Conv2D&gt;</text>');
    expect(out).toContain('<svg x="10" y="28" width="50" height="10" viewBox="0 0 50 10">');
    expect(out).toContain('<svg x="10" y="66" width="60" height="10" viewBox="0 0 50 10">');
    expect(out.match(/<svg/g)).toHaveLength(3);
  });
});
