// The model drawn as a graph (loaded on demand: dagre and this view stay out of the first paint).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { ModelGraphData, ModelGraphNode } from '../../engine/api';
import { useStudio } from '../store';
import { loadModelGraph } from '../studioActions';
import { edgePath, groupColours, layoutGraph, type LaidCluster, type LaidNode } from '../graphLayout';
import { fitView, panBy, transformOf, viewForKey, zoomAt, type View } from '../panZoom';
import { formatCount, formatShape } from '../format';
import { leafName, toggled } from '../layerGroups';
import { LayerWeights } from './LayerDetail';
import './modelGraph.css';

/** Distinct group colours (modelGraph.css --graph-c0 … --graph-c9); further groups reuse them. */
const COLOURS = 10;
/** Longest name drawn in a node (the full path is in its title and the detail). */
const NAME_CHARS = 27;
/** Groups listed in the legend before "and N more". */
const LEGEND_MAX = 16;

type Load = { state: 'loading' | 'ready'; data: ModelGraphData | null } | { state: 'error'; data: null; message: string };

/**
 * The current step's graph; fetched again whenever the summary changes (every step, every model: a
 * model's id alone is not unique, two files named model.json share it). Keeps the last graph while
 * the next one loads.
 */
function useModelGraph(): Load {
  const summary = useStudio((s) => s.summary);
  const [load, setLoad] = useState<Load>({ state: 'loading', data: null });
  useEffect(() => {
    let wanted = true;
    setLoad((l) => ({ state: 'loading', data: l.data }));
    loadModelGraph(() => wanted).then(
      (data) => {
        if (wanted && data) setLoad({ state: 'ready', data });
      },
      (e: unknown) => {
        if (wanted) setLoad({ state: 'error', data: null, message: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      wanted = false;
    };
  }, [summary]);
  return load;
}

const shapeText = (shape: ModelGraphNode['outputShape']) => (shape ? formatShape(shape) : '?');

/** Enter or Space on an SVG "button" does what a click does (and does not pan the graph). */
const pressWith = (action: () => void) => (e: KeyboardEvent) => {
  if (e.key !== 'Enter' && e.key !== ' ') return;
  e.preventDefault();
  e.stopPropagation();
  action();
};

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function nodeTitle(n: ModelGraphNode, inner: number): string {
  const parts = [`${n.path} (${n.className})`, `output ${shapeText(n.outputShape)}`, `${formatCount(n.params)} params`];
  if (n.kind === 'model') parts.push(`nested model of ${inner} layers: press Enter or click to expand`);
  if (n.group) parts.push(`channel group ${n.group}`);
  if (n.join) parts.push('joins its inputs');
  if (n.locked) parts.push(`channels locked: ${n.locked}`);
  return parts.join(' · ');
}

/**
 * The model as a graph: one node per layer (type, output shape, params), edges for the tensors,
 * channel groups in one colour each, locked layers dashed with their reason on hover. Nested models are
 * one node until expanded. Drag or arrow keys pan, Ctrl+wheel or + / - zoom, 0 fits; click or Enter on
 * a node opens its detail. Follows the current step (removed channels shrink the shapes shown).
 */
export default function ModelGraph() {
  const load = useModelGraph();
  const data = load.data;
  // Which model the graph is of, by its layers (a channel-removal step keeps them): expansions, the
  // selection and the first fit belong to it.
  const graphKey = useMemo(() => (data ? data.nodes.map((n) => n.id).join('\n') : ''), [data]);
  const [expanded, setExpanded] = useState<{ graphKey: string; paths: ReadonlySet<string> }>({ graphKey, paths: new Set() });
  const open = useMemo(() => (expanded.graphKey === graphKey ? expanded.paths : new Set<string>()), [expanded, graphKey]);
  const [selected, setSelected] = useState<{ graphKey: string; id: string } | null>(null);
  const layout = useMemo(() => (data ? layoutGraph(data, open) : null), [data, open]);
  const colours = useMemo(() => (data ? groupColours(data) : new Map<string, number>()), [data]);
  const innerCount = useMemo(() => {
    const m = new Map<string, number>();
    for (const n of data?.nodes ?? []) for (const p of n.parents) if (n.kind === 'layer') m.set(p, (m.get(p) ?? 0) + 1);
    return m;
  }, [data]);

  const viewport = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const size = () => ({ w: viewport.current?.clientWidth ?? 800, h: viewport.current?.clientHeight ?? 560 });
  const fit = useCallback((): View => {
    const { w, h } = size();
    return layout ? fitView(layout.width, layout.height, w, h) : { x: 0, y: 0, k: 1 };
  }, [layout]);
  // Fits once per model and after Expand / Collapse all; expanding one nested model or a new step keeps the user's view.
  const fitted = useRef<string | null>(null);
  const refit = useRef(false);
  useLayoutEffect(() => {
    if (layout && (fitted.current !== graphKey || refit.current)) {
      fitted.current = graphKey;
      refit.current = false;
      setView(fit());
    }
  }, [layout, graphKey, fit]);
  const expandAll = (paths: Set<string>) => {
    refit.current = true;
    setExpanded({ graphKey, paths });
  };

  // Wheel: pans; with Ctrl or Cmd (a trackpad pinch too) zooms about the pointer. Not passive, so the page does not scroll too.
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      setView((v) => (e.ctrlKey || e.metaKey ? zoomAt(v, Math.exp(-e.deltaY * 0.002), e.clientX - r.left, e.clientY - r.top) : panBy(v, -e.deltaX, -e.deltaY)));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [layout !== null]);

  // Drag to pan; a drag that moved is not a click on the node it started on.
  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | null>(null);
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) viewport.current?.setPointerCapture(e.pointerId);
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    setView((v) => panBy(v, dx, dy));
  };
  const onPointerUp = (e: PointerEvent) => {
    if (drag.current?.moved) viewport.current?.releasePointerCapture(e.pointerId);
    setTimeout(() => (drag.current = null));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const { w, h } = size();
    const next = viewForKey(view, e.key, w, h, fit);
    if (!next) return;
    e.preventDefault();
    setView(next);
  };
  /** Brings a node the keyboard focused into view. */
  const reveal = (l: { x: number; y: number }) => {
    const { w, h } = size();
    const sx = l.x * view.k + view.x;
    const sy = l.y * view.k + view.y;
    if (sx < 40 || sx > w - 40 || sy < 30 || sy > h - 30) setView({ ...view, x: w / 2 - l.x * view.k, y: h / 2 - l.y * view.k });
  };

  const activate = (n: ModelGraphNode) => {
    if (drag.current?.moved) return;
    if (n.kind === 'model') setExpanded({ graphKey, paths: toggled(open, n.path) });
    else setSelected({ graphKey, id: n.id });
  };
  const chosen = selected && selected.graphKey === graphKey ? (data?.nodes.find((n) => n.id === selected.id) ?? null) : null;

  return (
    <div className="model-graph">
      <div className="graph-tools">
        <button type="button" className="button" onClick={() => setView((v) => zoomAt(v, 1.25, size().w / 2, size().h / 2))} aria-label="Zoom in">+</button>
        <button type="button" className="button" onClick={() => setView((v) => zoomAt(v, 0.8, size().w / 2, size().h / 2))} aria-label="Zoom out">−</button>
        <button type="button" className="button" data-testid="graph-fit" onClick={() => setView(fit())}>Fit</button>
        {innerCount.size > 0 && (
          <>
            <button type="button" className="button" data-testid="graph-expand-all" onClick={() => expandAll(new Set(innerCount.keys()))}>Expand all</button>
            <button type="button" className="button" onClick={() => expandAll(new Set())}>Collapse all</button>
          </>
        )}
        <span className="muted small">
          Drag or arrow keys to pan, Ctrl+wheel or + / − to zoom, 0 to fit. Click a layer (or Tab to it and press Enter) for its detail.
        </span>
        <span className="muted small" role="status">{load.state === 'loading' ? (data ? 'Updating for the current step…' : 'Reading the model…') : ''}</span>
      </div>
      {load.state === 'error' && <p className="layer-detail-error" role="alert">Could not draw the graph: {load.message}</p>}
      <div ref={viewport} className="graph-viewport" data-testid="model-graph" data-state={load.state} data-nodes={layout?.nodes.length ?? 0}
        data-scale={view.k.toFixed(4)} tabIndex={0} role="group" aria-label="Model graph: arrow keys pan, plus and minus zoom, 0 fits"
        onKeyDown={onKeyDown} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        {layout && (
          <svg className="graph-svg" width="100%" height="100%">
            <defs>
              <marker id="graph-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L8,4 L0,8 z" className="graph-arrow" />
              </marker>
              <marker id="graph-arrow-join" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L8,4 L0,8 z" className="graph-arrow join" />
              </marker>
            </defs>
            <g data-testid="graph-canvas" transform={transformOf(view)}>
              {layout.clusters.map((c) => (
                <Cluster key={c.node.id} cluster={c} count={innerCount.get(c.node.path) ?? 0} onCollapse={() => activate(c.node)} />
              ))}
              {layout.edges.map((e) => (
                <path key={`${e.from}>${e.to}`} className={`graph-edge${e.intoJoin ? ' join' : ''}`} d={edgePath(e.points)}
                  markerEnd={`url(#${e.intoJoin ? 'graph-arrow-join' : 'graph-arrow'})`} />
              ))}
              {layout.nodes.map((l) => (
                <GraphNode key={l.node.id} laid={l} colour={l.node.group ? colours.get(l.node.group) : undefined} inner={innerCount.get(l.node.path) ?? 0}
                  selected={chosen?.id === l.node.id} onActivate={() => activate(l.node)} onFocus={() => reveal(l)} />
              ))}
            </g>
          </svg>
        )}
      </div>
      {data && <Legend data={data} colours={colours} />}
      {chosen && <NodeDetail node={chosen} data={data!} onClose={() => setSelected(null)} />}
    </div>
  );
}

function GraphNode({ laid: l, colour, inner, selected, onActivate, onFocus }: {
  laid: LaidNode; colour?: number; inner: number; selected: boolean; onActivate: () => void; onFocus: () => void;
}) {
  const n = l.node;
  const locked = n.locked !== null;
  const stripe = colour === undefined ? undefined : `var(--graph-c${colour % COLOURS})`;
  const classes = ['graph-node', n.kind, n.join ? 'join' : '', locked ? 'locked' : '', selected ? 'selected' : ''].filter(Boolean).join(' ');
  const title = nodeTitle(n, inner);
  return (
    <g className={classes} transform={`translate(${l.x - l.width / 2},${l.y - l.height / 2})`} tabIndex={0} role="button"
      aria-label={title} aria-expanded={n.kind === 'model' ? false : undefined}
      data-testid="graph-node" data-layer={n.path} data-kind={n.kind} data-group={n.group ?? ''} data-locked={locked ? 'true' : 'false'}
      data-shape={JSON.stringify(n.outputShape)} data-params={n.params}
      onClick={onActivate} onFocus={onFocus} onKeyDown={pressWith(onActivate)}>
      <title>{title}</title>
      {n.kind === 'model' && <rect className="node-stack" x={5} y={5} width={l.width} height={l.height} rx={8} />}
      <rect className="node-box" width={l.width} height={l.height} rx={n.join ? l.height / 2 : 8} style={stripe ? { stroke: stripe } : undefined} />
      {stripe && !n.join && <rect className="node-stripe" x={0} y={0} width={7} height={l.height} rx={3} style={{ fill: stripe }} />}
      <text className="node-name" x={14} y={19}>{truncate(n.kind === 'model' ? n.path : leafName(n.path), NAME_CHARS)}</text>
      <text className="node-type" x={14} y={35}>
        {n.className}{n.kind === 'model' ? ` · ${inner} layers ▸` : ''}
      </text>
      <text className="node-shape" x={14} y={50}>
        {shapeText(n.outputShape)}{n.params ? ` · ${formatCount(n.params)} p` : ''}
      </text>
      {locked && <text className="node-lock" x={l.width - 8} y={35} textAnchor="end">locked</text>}
    </g>
  );
}

function Cluster({ cluster: c, count, onCollapse }: { cluster: LaidCluster; count: number; onCollapse: () => void }) {
  return (
    <g className="graph-cluster" data-testid="graph-cluster" data-layer={c.node.path}>
      <rect x={c.x} y={c.y} width={c.width} height={c.height} rx={10} />
      <g className="cluster-label" role="button" tabIndex={0} aria-expanded={true} aria-label={`Collapse ${c.node.path} (${count} layers)`}
        onClick={onCollapse} onKeyDown={pressWith(onCollapse)}>
        <title>{`${c.node.path} (${c.node.className}, ${formatCount(c.node.params)} params): click to collapse`}</title>
        <text x={c.x + 10} y={c.y + 17}>▾ {c.node.path} · {c.node.className}</text>
      </g>
    </g>
  );
}

function Legend({ data, colours }: { data: ModelGraphData; colours: Map<string, number> }) {
  const open = data.groups.filter((g) => !g.locked);
  const locked = data.groups.length - open.length;
  return (
    <ul className="graph-legend small" aria-label="Channel groups">
      {open.slice(0, LEGEND_MAX).map((g) => (
        <li key={g.id} title={`${g.id}: removed together: ${g.producers.join(', ')}`}>
          <i style={{ background: `var(--graph-c${(colours.get(g.id) ?? 0) % COLOURS})` }} aria-hidden="true" />
          <span className="mono">{leafName(g.id)}</span> <span className="muted">{g.channels} ch{g.producers.length > 1 ? ` · ${g.producers.length} layers` : ''}</span>
        </li>
      ))}
      {open.length > LEGEND_MAX && <li className="muted">and {open.length - LEGEND_MAX} more groups</li>}
      {locked > 0 && (
        <li className="muted">
          <i className="locked-swatch" aria-hidden="true" /> dashed: locked ({locked} group{locked > 1 ? 's' : ''}; hover a layer for why)
        </li>
      )}
      <li className="muted"><i className="join-swatch" aria-hidden="true" /> joins (residual Add, Concatenate)</li>
    </ul>
  );
}

function NodeDetail({ node: n, data, onClose }: { node: ModelGraphNode; data: ModelGraphData; onClose: () => void }) {
  const group = n.group ? data.groups.find((g) => g.id === n.group) : undefined;
  const from = data.edges.filter((e) => e.to === n.id).map((e) => e.from);
  const to = data.edges.filter((e) => e.from === n.id).map((e) => e.to);
  return (
    <section className="graph-detail" data-testid="graph-detail" data-layer={n.path} aria-label={`Layer ${n.path}`}>
      <div className="graph-detail-head">
        <h3 className="mono">{n.path}</h3>
        <button type="button" className="button" onClick={onClose}>Close</button>
      </div>
      <dl className="graph-facts">
        <dt>Type</dt>
        <dd>{n.className}{n.join ? ' (joins its inputs)' : ''}</dd>
        <dt>Output shape</dt>
        <dd className="mono" data-testid="graph-detail-shape">{shapeText(n.outputShape)}</dd>
        <dt>Params</dt>
        <dd>{formatCount(n.params)}</dd>
        {from.length > 0 && (<><dt>Inputs from</dt><dd className="mono">{from.join(', ')}</dd></>)}
        {to.length > 0 && (<><dt>Feeds</dt><dd className="mono">{to.join(', ')}</dd></>)}
        {group && (
          <>
            <dt>Channel group</dt>
            <dd><span className="mono">{group.id}</span>: {group.channels} channels, removed together with {group.producers.join(', ')}</dd>
          </>
        )}
        {n.locked && (
          <>
            <dt>Channels locked</dt>
            <dd data-testid="graph-detail-lock">{n.locked}</dd>
          </>
        )}
      </dl>
      {n.prunable && <LayerWeights path={n.path} />}
    </section>
  );
}
