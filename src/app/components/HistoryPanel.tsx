import { useEffect, useRef } from 'react';
import { useStudio } from '../store';
import { restorePoint } from '../studioActions';
import { formatCount, formatMs, formatPercent } from '../format';

/** Every applied step, oldest first; click one to make it current again. */
export function HistoryPanel() {
  const history = useStudio((s) => s.history);
  const currentId = useStudio((s) => s.currentPointId);
  const busy = useStudio((s) => s.status !== 'idle');
  const original = history.find((p) => p.kind === 'original');
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
          {original ? `accuracy on the first ${formatCount(original.metric.count)} held-out images` : ''}
        </span>
      </div>
      <ol className="history" ref={listRef}>
        {history.map((p, i) => {
          const delta = original ? p.metric.value - original.metric.value : 0;
          return (
            <li key={p.id}>
              <button type="button" className={`history-item${p.id === currentId ? ' current' : ''}`}
                data-testid="history-point" data-step={i} data-kind={p.kind} data-size={p.nonzero}
                data-accuracy={p.metric.value} aria-current={p.id === currentId ? 'step' : undefined}
                disabled={busy && p.id !== currentId} onClick={() => void restorePoint(p.id)}>
                <span className="history-label">{i === 0 ? 'Original' : `${i}. ${p.label}`}</span>
                <span className="history-nums">
                  <strong>{formatPercent(p.metric.value)}</strong>
                  {i > 0 && <span className={delta < 0 ? 'neg' : 'pos'}> {delta >= 0 ? '+' : '−'}{Math.abs(delta * 100).toFixed(1)} pts</span>}
                  <span className="muted"> · {formatCount(p.nonzero)} nonzero · {formatCount(p.params)} params{i > 0 ? ` · ${formatMs(p.ms)}` : ''}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
