// The model graph's layout, computed in the page with dagre (a maintained layered-graph layout) from
// the plain graph data the engine sends. Nested models the user has not expanded are drawn as one
// node, the edges into and out of them rerouted to it; an expanded one is a box (a dagre cluster)
// around its layers.
import dagre from '@dagrejs/dagre';
import type { ModelGraphData, ModelGraphNode } from '../engine/api';

export const NODE_WIDTH = 212;
export const NODE_HEIGHT = 58;
/** Room above an expanded nested model's layers for its label (one per nesting level whose top it shares). */
export const CLUSTER_LABEL = 22;

export type Shape = ModelGraphNode['outputShape'];
export interface Point { x: number; y: number }

export interface LaidNode {
  node: ModelGraphNode;
  /** Centre. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An expanded nested model: the box around its layers (top-left corner and size). */
export interface LaidCluster {
  node: ModelGraphNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidEdge {
  from: string;
  to: string;
  shape: Shape;
  /** Into a join (Add, Concatenate, Multiply): drawn apart so residual and concatenate joins show. */
  intoJoin: boolean;
  points: Point[];
}

export interface GraphLayout {
  nodes: LaidNode[];
  clusters: LaidCluster[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

export interface VisibleGraph {
  nodes: ModelGraphNode[];
  clusters: ModelGraphNode[];
  edges: { from: string; to: string; shape: Shape }[];
}

/**
 * What is drawn with `expanded` nested models open: the node that stands for each graph node (itself,
 * or the outermost closed nested model around it), nodes and clusters, and the edges between the
 * drawn nodes (joined where several run between the same two, none from a node to itself).
 */
export function visibleGraph(data: ModelGraphData, expanded: ReadonlySet<string>): VisibleGraph {
  const standsFor = (n: ModelGraphNode): string => n.parents.find((p) => !expanded.has(p)) ?? n.id;
  const nodes: ModelGraphNode[] = [];
  const clusters: ModelGraphNode[] = [];
  const rep = new Map<string, string>();
  for (const n of data.nodes) {
    const r = standsFor(n);
    rep.set(n.id, r);
    if (r !== n.id) continue;
    if (n.kind === 'model' && expanded.has(n.path)) clusters.push(n);
    else nodes.push(n);
  }
  const edges: VisibleGraph['edges'] = [];
  const seen = new Set<string>();
  for (const e of data.edges) {
    const from = rep.get(e.from) ?? e.from;
    const to = rep.get(e.to) ?? e.to;
    const key = `${from}\u0000${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to, shape: e.shape });
  }
  return { nodes, clusters, edges };
}

/** Lays the visible graph out top to bottom. */
export function layoutGraph(data: ModelGraphData, expanded: ReadonlySet<string>): GraphLayout {
  const visible = visibleGraph(data, expanded);
  const g = new dagre.graphlib.Graph({ compound: true });
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: visible.clusters.length ? 46 : 34, marginx: 20, marginy: 20 + CLUSTER_LABEL * depthOf(visible.clusters) });
  g.setDefaultEdgeLabel(() => ({}));
  const clusterIds = new Set(visible.clusters.map((c) => c.id));
  for (const c of visible.clusters) g.setNode(c.id, {});
  for (const n of visible.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  // Each drawn node and cluster sits in the innermost expanded model around it.
  for (const n of [...visible.nodes, ...visible.clusters]) {
    const parent = n.parents[n.parents.length - 1];
    if (parent !== undefined && clusterIds.has(parent)) g.setParent(n.id, parent);
  }
  for (const e of visible.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);

  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const nodes = visible.nodes.map((node) => {
    const l = g.node(node.id);
    return { node, x: l.x, y: l.y, width: NODE_WIDTH, height: NODE_HEIGHT };
  });
  // dagre leaves no room for a cluster's label: each box grows upwards by one label per level of
  // expanded models inside it, so nested labels that share a top stack instead of overlapping.
  const clusters = visible.clusters.map((node) => {
    const l = g.node(node.id);
    const inside = visible.clusters.filter((c) => c.parents.includes(node.id));
    const grow = CLUSTER_LABEL * (1 + depthOf(inside));
    return { node, x: l.x - l.width / 2, y: l.y - l.height / 2 - grow, width: l.width, height: l.height + grow };
  });
  const edges = visible.edges.map((e) => ({
    ...e,
    intoJoin: byId.get(e.to)?.join ?? false,
    points: ((g.edge(e.from, e.to)?.points ?? []) as Point[]).map((p) => ({ x: p.x, y: p.y })),
  }));
  const label = g.graph();
  return { nodes, clusters, edges, width: label.width ?? 0, height: label.height ?? 0 };
}

/** How many levels of nesting the given clusters span (0 for none). */
function depthOf(clusters: readonly ModelGraphNode[]): number {
  if (clusters.length === 0) return 0;
  const depths = clusters.map((c) => c.parents.length);
  return Math.max(...depths) - Math.min(...depths) + 1;
}

/** An SVG path through an edge's points. */
export function edgePath(points: readonly Point[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Group id -> colour index, in the order the groups are listed (open groups first, locked ones after). */
export function groupColours(data: ModelGraphData): Map<string, number> {
  const ids = [...data.groups.filter((g) => !g.locked), ...data.groups.filter((g) => g.locked)].map((g) => g.id);
  return new Map(ids.map((id, i) => [id, i]));
}
