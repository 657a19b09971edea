import { lazy, Suspense, useEffect, useRef } from 'react';
import { canAct, useStudio } from '../store';
import { measureWhole, redo, restorePoint, undo } from '../studioActions';

// recharts is most of the page's code: load it after the studio is up, not before.
const HistoryChart = lazy(() => import('./HistoryChart').then((m) => ({ default: m.HistoryChart })));
import { formatBytes, formatCount, formatMetric, formatMetricChange, formatMs, metricImproved } from '../format';
import { HistoryBudget } from './HistoryBudget';

/** Every applied step, oldest first; click one to make it current again. */
export function HistoryPanel() {
  const history = useStudio((s) => s.history);
  const currentId = useStudio((s) => s.currentPointId);
  const busy = !useStudio(canAct);
  const canUndo = useStudio((s) => s.undo.length > 0);
  const canRedo = useStudio((s) => s.redo.length > 0);
  const original = history.find((p) => p.kind === 'original');
  const hasData = useStudio((s) => s.data !== null);
  const wholeCount = useStudio((s) => s.baseline?.count ?? 0);
  const current = history.find((p) => p.id === currentId);
  const graphModel = useStudio((s) => s.summary?.modelKind === 'graph');
  const listRef = useRef<HTMLOListElement>(null);
  // A new step is the newest and current: scroll the list (only the list, never the page) to it.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [history.length]);
  return (
    <section className="panel history-panel" aria-labelledby="history-title">
      <div className="panel-head">
        <h2 id="history-title">History</h2>
        <span className="muted small">
          {original ? ({ fidelity: `fidelity on ${formatCount(original.metric.count)} ${hasData ? 'held-out examples' : 'generated inputs'}`, mae: `mean absolute error on the first ${formatCount(original.metric.count)} held-out examples (lower is better)`, accuracy: `accuracy on the first ${formatCount(original.metric.count)} held-out ${hasData ? 'examples' : 'images'}` })[original.metric.metric] : ''}
        </span>
        <span className="history-nav">
          <button type="button" className="small-button" data-testid="undo" onClick={undo} disabled={busy || !canUndo}
            aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">↶ Undo</button>
          <button type="button" className="small-button" data-testid="redo" onClick={redo} disabled={busy || !canRedo}
            aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">↷ Redo</button>
        </span>
      </div>
      <HistoryBudget />
      <Suspense fallback={<div className="history-chart chart-loading" />}>
        <HistoryChart />
      </Suspense>
      <ol className="history" ref={listRef}>
        {history.map((p, i) => {
          const delta = original ? p.metric.value - original.metric.value : 0;
          return (
            <li key={p.id}>
              <button type="button" className={`history-item${p.id === currentId ? ' current' : ''}`}
                data-testid="history-point" data-step={i} data-kind={p.kind} data-size={p.nonzero} data-params={p.params} data-gzip={p.gzipBytes}
                data-accuracy={p.metric.value} aria-current={p.id === currentId ? 'step' : undefined}
                disabled={busy && p.id !== currentId} onClick={() => void restorePoint(p.id)}>
                <span className="history-label">{i === 0 ? 'Original' : `${i}. ${p.label}`}</span>
                <span className="history-nums">
                  <strong>{formatMetric(p.metric.value, p.metric.metric)}</strong>
                  {i > 0 && <span className={metricImproved(delta, p.metric.metric) ? 'pos' : 'neg'}> {formatMetricChange(delta, p.metric.metric)}</span>}
                  {p.whole && <span className="muted" data-testid="point-whole" data-value={p.whole.value}> · on all {formatCount(p.whole.count)}: {formatMetric(p.whole.value, p.whole.metric)}</span>}
                  <span className="muted"> · {formatCount(p.nonzero)} nonzero · {formatCount(p.params)} params · {formatBytes(p.gzipBytes)} gzip{i > 0 ? ` · ${formatMs(p.ms)}` : ''}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {current && !graphModel && current.metric.subset && !current.whole && current.kind !== 'original' && wholeCount > current.metric.count && (
        <p className="small measure-all">
          This step is measured on the first {formatCount(current.metric.count)} held-out examples, like every step.{' '}
          <button type="button" className="small-button" data-testid="measure-all" disabled={busy} onClick={() => void measureWhole()}>
            Measure it on all {formatCount(wholeCount)}
          </button>
        </p>
      )}
    </section>
  );
}
