// Loaded lazily (see LayerDetail.tsx): recharts stays out of the page's first bundle.
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { WeightHistogram as Histogram } from '../../engine/api';
import { countAtLogHeight, formatWeight, histogramBars, logTicks, PRUNED_COLOR, type HistogramBar } from '../layerDetail';
import { formatCount } from '../format';
import { useRef } from 'react';
import { ChartDownload } from './ChartDownload';
import { imageOfStack } from '../chartDownload';

/**
 * Bars of the nonzero weight values, plus one bar of exact zeros (in the pruned colour) where 0 sits
 * on the value axis: pruning shows as an empty gap with a spike in it. `log` draws heights on a log
 * scale, so the few large weights stay visible next to a tall zero bar.
 */
export function WeightHistogram({ histogram, log, name }: { histogram: Histogram; log: boolean; name: string }) {
  // The zero bar carries its count on top; the value bars carry none (too narrow to read).
  const bars = histogramBars(histogram, log).map((b) => ({ ...b, top: b.kind === 'zeros' ? compact(b.count) : '' }));
  const byKey = new Map(bars.map((b) => [b.key, b]));
  const ticks = logTicks(bars.reduce((m, b) => Math.max(m, b.count), 0));
  const nonzero = bars.reduce((n, b) => (b.kind === 'values' ? n + b.count : n), 0);
  const lo = histogram.edges[0];
  const hi = histogram.edges[histogram.edges.length - 1];
  const yLabel = log ? 'count (log scale)' : 'count';
  const root = useRef<HTMLDivElement>(null);
  return (
    <div ref={root} className="weight-histogram" data-testid="weight-histogram" data-log={log} data-zeros={histogram.zeros} data-bins={histogram.counts.length}>
      <ResponsiveContainer width="100%" height={210} initialDimension={{ width: 360, height: 210 }}>
        <BarChart data={bars} margin={{ top: 18, right: 12, bottom: 24, left: 8 }} barCategoryGap={1}
          title={`Histogram of ${name}`}
          desc={`${formatCount(nonzero)} nonzero weights from ${formatWeight(lo)} to ${formatWeight(hi)} in ${histogram.counts.length} bins, and ${formatCount(histogram.zeros)} exact zeros`}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="key" interval={0} tickLine={false} stroke="var(--muted)" height={24}
            tick={(props: { x: number | string; y: number | string; payload: { value: unknown } }) => <BarTick x={props.x} y={props.y} bar={byKey.get(String(props.payload.value))} />}
            label={{ value: 'weight value', position: 'insideBottom', offset: -16, fill: 'var(--muted)', fontSize: 12 }} />
          <YAxis stroke="var(--muted)" fontSize={11} width={52} allowDecimals={false}
            domain={log ? [0, ticks.at(-1)!] : [0, 'auto']} ticks={log ? ticks : undefined}
            tickFormatter={log ? (h: number) => compact(countAtLogHeight(h)) : compact}
            label={{ value: yLabel, angle: -90, position: 'insideLeft', offset: 6, fill: 'var(--muted)', fontSize: 12, style: { textAnchor: 'middle' } }} />
          <Tooltip cursor={{ fill: 'var(--surface-2)' }} isAnimationActive={false}
            content={(props) => <BarTip active={props.active} bar={(props.payload?.[0] as { payload?: HistogramBar } | undefined)?.payload} />} />
          <Bar dataKey="height" isAnimationActive={false}>
            {bars.map((b) => <Cell key={b.key} fill={b.kind === 'zeros' ? PRUNED_COLOR : 'var(--accent)'} />)}
            <LabelList dataKey="top" position="top" fontSize={11} fill="var(--text)" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <div className="histogram-legend small">
        <span><i className="swatch" style={{ background: 'var(--accent)' }} aria-hidden="true" /> nonzero weights (count per bin)</span>
        <span><i className="swatch" style={{ background: PRUNED_COLOR }} aria-hidden="true" /> exact zeros (pruned): {formatCount(histogram.zeros)} weights</span>
        <ChartDownload chart="layer" label={`the histogram of ${name}`} name={`${name}-histogram`.replace(/[^\w.-]+/g, '_')}
          image={() => {
            const svg = root.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
            return svg ? imageOfStack([{ label: `${name}: weight values (${yLabel}); ${formatCount(histogram.zeros)} exact zeros`, svg }]) : null;
          }} />
      </div>
    </div>
  );
}

const compact = (n: number) =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : formatCount(n);

function BarTick({ x, y, bar }: { x: number | string; y: number | string; bar?: HistogramBar }) {
  if (!bar?.tick) return <g />;
  return (
    <text x={Number(x)} y={Number(y) + 12} textAnchor="middle" fontSize={11}
      fill={bar.kind === 'zeros' ? 'var(--text)' : 'var(--muted)'} fontWeight={bar.kind === 'zeros' ? 700 : 400}>
      {bar.tick}
    </text>
  );
}

function BarTip({ active, bar }: { active?: boolean; bar?: HistogramBar }) {
  if (!active || !bar) return null;
  return (
    <div className="chart-tip">
      {bar.kind === 'zeros'
        ? <strong>exactly 0 (pruned)</strong>
        : <strong>{formatWeight(bar.from)} to {formatWeight(bar.to)}</strong>}
      <div>{formatCount(bar.count)} weight{bar.count === 1 ? '' : 's'}</div>
    </div>
  );
}
