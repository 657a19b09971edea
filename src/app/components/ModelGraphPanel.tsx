import { lazy, Suspense, useState } from 'react';
import { useStudio } from '../store';

// The graph view and its layout library load when the graph is first opened.
const ModelGraph = lazy(() => import('./ModelGraph'));

/** The "Graph" panel: the model drawn as a graph, opened on demand (`graph-toggle`). */
export function ModelGraphPanel() {
  const hasModel = useStudio((s) => s.summary !== null);
  const [open, setOpen] = useState(false);
  if (!hasModel) return null;
  return (
    <section className="panel model-graph-panel" aria-labelledby="graph-title">
      <div className="panel-head">
        <h2 id="graph-title">Graph</h2>
        <span className="muted small">Layers as nodes, channel groups in one colour, nested models collapsed until expanded</span>
        <button type="button" className="button" data-testid="graph-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide the graph' : 'Draw the graph'}
        </button>
      </div>
      {open && (
        <Suspense fallback={<p className="placeholder small">Loading the graph view…</p>}>
          <ModelGraph />
        </Suspense>
      )}
    </section>
  );
}
