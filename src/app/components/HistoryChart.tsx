import { useRef, useState } from 'react';
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { canAct, useStudio } from '../store';
import { restorePoint } from '../studioActions';
import { chartPoints, compactCount, paretoFrontier, percentTicks, SIZE_AXES, type ChartPoint, type SizeAxis } from '../historyChart';
import { formatBytes, formatCount } from '../format';
import { ChartDownload } from './ChartDownload';
import { imageOfStack } from '../chartDownload';

const KIND_LEGEND = [
  { kind: 'original', text: 'original' },
  { kind: 'prune', text: 'one-shot prune' },
  { kind: 'finetune', text: 'fine-tuned' },
  { kind: 'cluster', text: 'clustered (shared weights)' },
] as const;

/** Accuracy against size, one dot per history step; the Pareto frontier drawn; click a dot to restore it. */
export function HistoryChart() {
  const history = useStudio((s) => s.history);
  const currentId = useStudio((s) => s.currentPointId);
  const [axis, setAxis] = useState<SizeAxis>('nonzero');
  const box = useRef<HTMLDivElement>(null);
  if (history.length === 0) return null;
  // Mean absolute error: lower is better, so it is plotted negated (up is better, the frontier holds) and labelled as itself.
  const mae = history[0].metric.metric === 'mae';
  const points = chartPoints(history, axis, currentId).map((p) => (mae ? { ...p, y: -p.y / 100 } : p));
  const frontier = paretoFrontier(points);
  const { domain, ticks } = mae ? { domain: ['auto', 'auto'] as const, ticks: undefined } : percentTicks(points.map((p) => p.y));
  const metricName = history[0].metric.metric === 'fidelity' ? 'Fidelity' : mae ? 'Mean absolute error' : 'Accuracy';
  const onDot = (p: ChartPoint) => {
    // Read at click time: subscribing to the status would redraw the chart at every job start and end.
    if (canAct(useStudio.getState()) && !p.current) void restorePoint(p.id);
  };
  return (
    <div className="history-chart">
      <div className="chart-tools">
        <label className="field">
          <span className="field-label">Size axis</span>
          <select data-testid="chart-axis" value={axis} onChange={(e) => setAxis(e.target.value as SizeAxis)}>
            {(Object.keys(SIZE_AXES) as SizeAxis[]).map((a) => <option key={a} value={a}>{SIZE_AXES[a].label}</option>)}
          </select>
        </label>
        <span className="chart-legend" aria-hidden="true">
          <span className="chart-y-title">↑ {mae ? 'lower mean absolute error' : `${metricName} (%)`}</span>
          {KIND_LEGEND.map((k) => <span key={k.kind}><svg width="12" height="12"><Dot kind={k.kind} cx={6} cy={6} /></svg> {k.text}</span>)}
          <span><svg width="16" height="12"><line x1="1" y1="6" x2="15" y2="6" className="frontier-line" /></svg> Pareto frontier</span>
        </span>
        <ChartDownload chart="history" label="the accuracy-vs-size chart" name={`${metricName.toLowerCase().replace(/\s+/g, '-')}-vs-${axis}`}
          image={() => {
            const svg = box.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
            return svg ? imageOfStack([{ label: `${mae ? 'Mean absolute error (lower is better, up)' : `${metricName} (%)`} against ${SIZE_AXES[axis].label.toLowerCase()}, ${points.length} steps`, svg }]) : null;
          }} />
      </div>
      <div className="chart-box" ref={box} role="img" aria-label={`${metricName} against ${SIZE_AXES[axis].short} for ${points.length} steps`}>
        <ResponsiveContainer width="100%" height={230}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 22, left: 4 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis type="number" dataKey="x" name={SIZE_AXES[axis].short} domain={[0, 'auto']} tickFormatter={SIZE_AXES[axis].tick ?? compactCount}
              stroke="var(--muted)" fontSize={12}
              label={{ value: SIZE_AXES[axis].label, position: 'insideBottom', offset: -14, fill: 'var(--muted)', fontSize: 12 }} />
            <YAxis type="number" dataKey="y" name={metricName} domain={domain as [number, number]} ticks={ticks} unit={mae ? '' : '%'} width={mae ? 56 : 44} stroke="var(--muted)" fontSize={12}
              tickFormatter={mae ? (v: number) => (-v).toPrecision(3) : undefined} />
            <Tooltip content={(props) => <PointTip active={props.active} payload={props.payload as unknown as { payload: ChartPoint }[] | undefined} axis={axis} mae={mae} />} cursor={{ strokeDasharray: '3 3' }} isAnimationActive={false} />
            <Scatter data={frontier} line={{ className: 'frontier-line' }} shape={() => <g />} isAnimationActive={false} legendType="none" tooltipType="none" />
            <Scatter data={points} isAnimationActive={false}
              shape={(props: unknown) => {
                const { cx, cy, payload } = props as { cx: number; cy: number; payload: ChartPoint };
                return <Dot kind={payload.kind} cx={cx} cy={cy} point={payload} onClick={() => onDot(payload)} />;
              }} />
          </ScatterChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

function Dot({ kind, cx, cy, point, onClick }: { kind: string; cx: number; cy: number; point?: ChartPoint; onClick?: () => void }) {
  const common = {
    className: `dot dot-${kind}${point?.current ? ' dot-current' : ''}`,
    onClick,
    'data-testid': point ? 'chart-point' : undefined,
    'data-step': point?.step,
  };
  if (kind === 'original') return <path d={`M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z`} {...common} />;
  if (kind === 'cluster') return <rect x={cx - 5} y={cy - 5} width={10} height={10} {...common} />;
  if (kind === 'finetune') return <path d={`M${cx},${cy - 6} L${cx + 6},${cy + 5} L${cx - 6},${cy + 5} Z`} {...common} />;
  return <circle cx={cx} cy={cy} r={5} {...common} />;
}

function PointTip({ active, payload, axis, mae }: { active?: boolean; payload?: { payload: ChartPoint }[]; axis: SizeAxis; mae: boolean }) {
  const axisValue = (x: number) => (axis === 'gzip' ? formatBytes(x) : `${formatCount(x)} ${SIZE_AXES[axis].short}`);
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="chart-tip">
      <strong>{p.label}</strong>
      <div>{mae ? `MAE ${(-p.y).toPrecision(4)}` : `${p.y.toFixed(1)}%`} · {axisValue(p.x)}</div>
      {!p.current && <div className="muted">click to restore</div>}
    </div>
  );
}

