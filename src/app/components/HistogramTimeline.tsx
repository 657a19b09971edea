import { useEffect, useMemo, useRef, useState } from 'react';
import { timelineLayers, timelineRows, type TimelineStep } from '../../core/graph/histogramTimeline';
import { canAct, useStudio } from '../store';
import { fetchTimeline, restorePoint } from '../studioActions';
import { missingSteps, timelineOf } from '../actions/histogramTimeline';
import { ridges } from '../timelineRidges';
import { imageOfStack } from '../chartDownload';
import { formatCount, formatPercent } from '../format';
import { formatWeight, PRUNED_COLOR } from '../layerDetail';
import { ChartDownload } from './ChartDownload';
import './pictures.css';

const LAYOUT = { width: 360, zeroWidth: 14, binsFrom: 22, binsTo: 318, rowHeight: 34, offset: 13 };

/**
 * One layer's |w| distribution at every history step, one ridge per step offset downwards (TensorBoard's
 * offset view), all on the original's log axis, the current step in the accent colour. During a
 * schedule it grows one row per pruning event. Rows are one tab stop (arrow keys move, Enter restores).
 */
export function HistogramTimeline() {
  const history = useStudio((s) => s.history);
  const currentId = useStudio((s) => s.currentPointId);
  const timeline = useStudio(timelineOf);
  const missing = useStudio((s) => missingSteps(s).length);
  const idle = useStudio((s) => s.status === 'idle' && !s.fatal);
  const [chosen, setChosen] = useState<string | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  // Follows the history: read once the studio is idle (a slider drag never waits on it).
  useEffect(() => {
    if (idle && missing > 0) {
      const t = setTimeout(() => void fetchTimeline(), 400);
      return () => clearTimeout(t);
    }
  }, [idle, missing]);
  const steps = useMemo<TimelineStep[]>(
    () => (timeline ? history.flatMap((p) => (timeline.steps[p.id] ? [{ pointId: p.id, overview: timeline.steps[p.id] }] : [])) : []),
    [history, timeline],
  );
  const layers = useMemo(() => timelineLayers(steps), [steps]);
  const layer = chosen && layers.includes(chosen) ? chosen : layers[0] ?? null;
  const rows = useMemo(() => (layer ? timelineRows(steps, layer) : []), [steps, layer]);
  const drawn = ridges(rows, LAYOUT);
  const stepOf = new Map(history.map((p, i) => [p.id, { index: i, point: p }]));
  const focusId = active !== null && rows.some((r) => r.pointId === active) ? active : (rows.find((r) => r.pointId === currentId) ?? rows.at(-1))?.pointId ?? null;
  const shown = rows.find((r) => r.pointId === focusId);
  const shownStep = shown ? stepOf.get(shown.pointId) : undefined;
  const edges = steps[0]?.overview.edges;

  const moveFocus = (by: number) => {
    const at = rows.findIndex((r) => r.pointId === focusId);
    const next = rows[Math.max(0, Math.min(rows.length - 1, at + by))];
    if (!next) return;
    setActive(next.pointId);
    svg.current?.querySelector<SVGGElement>(`[data-point="${next.pointId}"]`)?.focus();
  };
  const restore = (id: number) => {
    if (canAct(useStudio.getState()) && id !== useStudio.getState().currentPointId) void restorePoint(id);
  };
  const onKey = (e: React.KeyboardEvent, id: number) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') moveFocus(1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') moveFocus(-1);
    else if (e.key === 'Home') moveFocus(-rows.length);
    else if (e.key === 'End') moveFocus(rows.length);
    else if (e.key === 'Enter' || e.key === ' ') restore(id);
    else return;
    e.preventDefault();
  };

  return (
    <section className="panel histogram-timeline" aria-labelledby="timeline-title" data-testid="histogram-timeline"
      data-layer={layer ?? undefined} data-steps={rows.length}>
      <div className="panel-head">
        <h2 id="timeline-title">Weights over time</h2>
        <label className="field small">
          <span className="field-label">Layer</span>
          <select data-testid="timeline-layer" value={layer ?? ''} onChange={(e) => setChosen(e.target.value)} disabled={layers.length === 0}>
            {layers.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <ChartDownload chart="timeline" label={`the ${layer ?? ''} timeline`} name={`${layer ?? 'layer'}-weights-over-time`.replace(/[^\w.-]+/g, '_')}
          image={() => (svg.current && edges ? imageOfStack([{
            svg: svg.current,
            label: `${layer}: |w| from ${formatWeight(edges[0])} to ${formatWeight(edges[edges.length - 1])} (log) at ${rows.length} steps, oldest on top; left bar: share of zeros`,
          }]) : null)} />
      </div>
      <p className="muted small timeline-note">
        |w| of the layer at every step, oldest at the top, one row per step (a schedule adds one per pruning event);
        log axis of the original model, counts on a log scale; the bar on the left of each row is its share of exact zeros.
      </p>
      {timeline?.failed && <p className="small field-error" data-testid="timeline-error">The steps' weights could not be read: {timeline.failed.message}</p>}
      {rows.length === 0 ? (
        !timeline?.failed && <p className="placeholder small">Reading the weights of each step…</p>
      ) : (
        <>
          <svg ref={svg} className="timeline-svg" width="100%" viewBox={`0 0 ${LAYOUT.width} ${drawn.height}`} role="group"
            aria-label={`|w| histograms of ${layer} at ${rows.length} steps; arrow keys move between steps, Enter restores one`}>
            {drawn.ridges.map(({ row, baseline, path, zeroHeight }) => {
              const step = stepOf.get(row.pointId);
              const current = row.pointId === currentId;
              const label = `Step ${step?.index ?? '?'}${step ? `, ${step.point.label}` : ''}: ${formatPercent(row.sparsity)} of ${formatCount(row.params)} weights exactly zero${current ? ' (current step)' : ''}`;
              return (
                <g key={row.pointId} className={`timeline-row${current ? ' current' : ''}${row.pointId === focusId ? ' active' : ''}`}
                  data-testid="timeline-row" data-point={row.pointId} data-step={step?.index} data-zeros={row.zeros} data-current={current}
                  tabIndex={row.pointId === focusId ? 0 : -1} role="img" aria-label={label}
                  onFocus={() => setActive(row.pointId)} onMouseEnter={() => setActive(row.pointId)}
                  onClick={() => restore(row.pointId)} onKeyDown={(e) => onKey(e, row.pointId)}>
                  <rect className="zero-bar" x={0} y={baseline - zeroHeight} width={LAYOUT.zeroWidth} height={zeroHeight} fill={PRUNED_COLOR} />
                  <path d={path} className="ridge" />
                  <text x={LAYOUT.binsTo + 6} y={baseline - 2} className="ridge-label">{step?.index ?? ''}</text>
                </g>
              );
            })}
          </svg>
          {edges && (
            <div className="histogram-axis small muted timeline-axis" aria-hidden="true">
              <span style={{ width: LAYOUT.binsFrom / LAYOUT.width * 100 + '%' }}>0</span>
              <span>≤{formatWeight(edges[0])}</span>
              <span>|w| (log) →</span>
              <span>{formatWeight(edges[edges.length - 1])}</span>
              <span className="timeline-axis-steps">step</span>
            </div>
          )}
          <p className="small timeline-readout" data-testid="timeline-readout" aria-live="polite">
            {shown && shownStep && (
              <>
                <strong>Step {shownStep.index}</strong> {shownStep.point.label}: {formatPercent(shown.sparsity)} exactly zero,{' '}
                {formatCount(shown.params - shown.zeros)} of {formatCount(shown.params)} weights left{shown.pointId === currentId ? ' (current step)' : ''}
              </>
            )}
          </p>
        </>
      )}
    </section>
  );
}
