import { describe, expect, it } from 'vitest';
import type { ModelGraphData, ModelGraphNode } from '../engine/api';
import { CLUSTER_LABEL, edgePath, groupColours, layoutGraph, NODE_HEIGHT, NODE_WIDTH, visibleGraph } from './graphLayout';
import { fitView, panBy, transformOf, viewForKey, zoomAt } from './panZoom';

function n(id: string, parents: string[] = [], extra: Partial<ModelGraphNode> = {}): ModelGraphNode {
  return {
    id, path: id, className: 'Dense', kind: 'layer', parents, outputShape: [null, 4], params: 10, prunable: true,
    group: null, locked: null, join: false, ...extra,
  };
}

/** input -> body{ conv -> inner{ a, b -> add } } -> head -> out, with a residual conv -> add. */
const NESTED: ModelGraphData = {
  nodes: [
    n('input', [], { kind: 'input', className: 'InputLayer', prunable: false }),
    n('body', [], { kind: 'model', className: 'Sequential', prunable: false }),
    n('body/inner', ['body'], { kind: 'model', className: 'Functional', prunable: false }),
    n('body/inner/conv', ['body', 'body/inner'], { group: 'body/inner/conv' }),
    n('body/inner/a', ['body', 'body/inner'], { group: 'body/inner/a' }),
    n('body/inner/b', ['body', 'body/inner'], { group: 'body/inner/conv' }),
    n('body/inner/add', ['body', 'body/inner'], { join: true, className: 'Add', prunable: false }),
    n('out', [], { locked: 'reaches the model output' }),
  ],
  edges: [
    { from: 'input', to: 'body/inner/conv', shape: [null, 4] },
    { from: 'body/inner/conv', to: 'body/inner/a', shape: [null, 4] },
    { from: 'body/inner/a', to: 'body/inner/b', shape: [null, 4] },
    { from: 'body/inner/conv', to: 'body/inner/add', shape: [null, 4] },
    { from: 'body/inner/b', to: 'body/inner/add', shape: [null, 4] },
    { from: 'body/inner/add', to: 'out', shape: [null, 4] },
  ],
  groups: [
    { id: 'out', channels: 3, producers: ['out'], locked: 'reaches the model output' },
    { id: 'body/inner/conv', channels: 4, producers: ['body/inner/conv', 'body/inner/b'], locked: null },
    { id: 'body/inner/a', channels: 4, producers: ['body/inner/a'], locked: null },
  ],
  problems: [],
};

describe('graph layout adapter', () => {
  it('draws a closed nested model as one node, its edges rerouted to it', () => {
    const v = visibleGraph(NESTED, new Set());
    expect(v.nodes.map((x) => x.id)).toEqual(['input', 'body', 'out']);
    expect(v.clusters).toEqual([]);
    expect(v.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['input>body', 'body>out']);
  });

  it('an expanded model is a cluster around its layers; a closed one inside it stays one node', () => {
    const outer = visibleGraph(NESTED, new Set(['body']));
    expect(outer.nodes.map((x) => x.id)).toEqual(['input', 'body/inner', 'out']);
    expect(outer.clusters.map((x) => x.id)).toEqual(['body']);
    const all = visibleGraph(NESTED, new Set(['body', 'body/inner']));
    expect(all.nodes.map((x) => x.id)).toEqual(['input', 'body/inner/conv', 'body/inner/a', 'body/inner/b', 'body/inner/add', 'out']);
    expect(all.clusters.map((x) => x.id)).toEqual(['body', 'body/inner']);
    expect(all.edges).toHaveLength(NESTED.edges.length);
  });

  it('lays every drawn node out without overlaps, top to bottom, inside its cluster', () => {
    const layout = layoutGraph(NESTED, new Set(['body', 'body/inner']));
    expect(layout.nodes).toHaveLength(6);
    const at = new Map(layout.nodes.map((l) => [l.node.id, l]));
    for (const a of layout.nodes) {
      expect(a.width).toBe(NODE_WIDTH);
      expect(a.height).toBe(NODE_HEIGHT);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= NODE_WIDTH || Math.abs(a.y - b.y) >= NODE_HEIGHT;
        expect(apart, `${a.node.id} overlaps ${b.node.id}`).toBe(true);
      }
    }
    // Data flows downwards: every edge ends below where it starts.
    for (const e of NESTED.edges) expect(at.get(e.to)!.y, `${e.from} -> ${e.to}`).toBeGreaterThan(at.get(e.from)!.y);
    const inner = layout.clusters.find((c) => c.node.id === 'body/inner')!;
    const body = layout.clusters.find((c) => c.node.id === 'body')!;
    for (const id of ['body/inner/conv', 'body/inner/a', 'body/inner/b', 'body/inner/add']) {
      const l = at.get(id)!;
      expect(l.x - l.width / 2).toBeGreaterThanOrEqual(inner.x);
      expect(l.x + l.width / 2).toBeLessThanOrEqual(inner.x + inner.width);
      expect(l.y - l.height / 2).toBeGreaterThanOrEqual(inner.y);
      expect(l.y + l.height / 2).toBeLessThanOrEqual(inner.y + inner.height);
    }
    expect(inner.x).toBeGreaterThanOrEqual(body.x);
    // Nested labels stack: the outer box starts above the inner one, and the input sits above both.
    expect(body.y).toBeLessThanOrEqual(inner.y - CLUSTER_LABEL);
    expect(at.get('input')!.y + NODE_HEIGHT / 2).toBeLessThanOrEqual(body.y);
    expect(body.y).toBeGreaterThanOrEqual(0);
    expect(inner.y + inner.height).toBeLessThanOrEqual(body.y + body.height);
    expect(at.get('out')!.y - NODE_HEIGHT / 2).toBeGreaterThanOrEqual(body.y + body.height);
    // Edges into the residual join are marked, and every edge has a path.
    expect(layout.edges.filter((e) => e.intoJoin).map((e) => e.from).sort()).toEqual(['body/inner/b', 'body/inner/conv']);
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(layout.width).toBeGreaterThan(NODE_WIDTH);
    expect(layout.height).toBeGreaterThan(6 * NODE_HEIGHT);
  });

  it('lays out 150+ layers, every node and edge', () => {
    const count = 160;
    const nodes = Array.from({ length: count }, (_, i) => n(`l${i}`, [], { join: i % 5 === 4 }));
    const edges = nodes.slice(1).map((x, i) => ({ from: `l${i}`, to: x.id, shape: [null, 4] }));
    for (let i = 4; i < count; i += 5) edges.push({ from: `l${i - 3}`, to: `l${i}`, shape: [null, 4] });
    const layout = layoutGraph({ nodes, edges, groups: [], problems: [] }, new Set());
    expect(layout.nodes).toHaveLength(count);
    expect(layout.edges).toHaveLength(edges.length);
  });

  it('gives open groups the first colours, and writes edge paths', () => {
    expect([...groupColours(NESTED)]).toEqual([['body/inner/conv', 0], ['body/inner/a', 1], ['out', 2]]);
    expect(edgePath([{ x: 0, y: 1 }, { x: 2.25, y: 3 }])).toBe('M0.0,1.0 L2.3,3.0');
  });
});

describe('pan and zoom', () => {
  it('zooms about a point: the drawing point under it stays put', () => {
    const v = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 120);
    expect(v.k).toBe(2);
    // Drawing point (100, 100) was at screen (110, 120) and still is.
    expect(100 * v.k + v.x).toBe(110);
    expect(100 * v.k + v.y).toBe(120);
    expect(zoomAt({ x: 0, y: 0, k: 2.9 }, 2, 0, 0).k).toBe(3);
  });

  it('keys: + and - zoom, arrows pan, 0 fits, others do nothing', () => {
    const v = { x: 0, y: 0, k: 1 };
    const fit = () => ({ x: 5, y: 5, k: 0.5 });
    expect(viewForKey(v, '+', 800, 600, fit)!.k).toBeCloseTo(1.25);
    expect(viewForKey(v, '-', 800, 600, fit)!.k).toBeCloseTo(0.8);
    expect(viewForKey(v, 'ArrowDown', 800, 600, fit)).toEqual({ x: 0, y: -80, k: 1 });
    expect(viewForKey(v, 'ArrowLeft', 800, 600, fit)).toEqual({ x: 80, y: 0, k: 1 });
    expect(viewForKey(v, '0', 800, 600, fit)).toEqual(fit());
    expect(viewForKey(v, 'a', 800, 600, fit)).toBeNull();
    expect(panBy(v, 3, 4)).toEqual({ x: 3, y: 4, k: 1 });
    expect(transformOf({ x: 1, y: 2, k: 0.5 })).toBe('translate(1.0,2.0) scale(0.5000)');
  });

  it('fits a small graph whole and centred, a tall one readable from its top', () => {
    const small = fitView(400, 300, 800, 600);
    expect(small).toEqual({ x: 200, y: 150, k: 1 });
    const tall = fitView(400, 12000, 800, 600);
    expect(tall.k).toBeCloseTo(0.85);
    expect(tall.y).toBe(0);
    expect(tall.x).toBeCloseTo((800 - 400 * 0.85) / 2);
    const wide = fitView(4000, 300, 800, 600);
    expect(wide.k).toBeCloseTo(0.2);
  });
});
