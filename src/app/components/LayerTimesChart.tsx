// Loaded lazily (see ComparePanel.tsx): recharts stays out of the page's first bundle.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LayerTimesRow } from './LayerTimes';

/** Original against current ms per layer, one pair of horizontal bars per layer. */
export function LayerTimesChart({ rows }: { rows: LayerTimesRow[] }) {
  const data = rows.map((r) => ({ layer: r.path, original: r.original?.ms ?? 0, current: r.current?.ms ?? 0 }));
  return (
    <div className="layer-times-chart" data-testid="layer-times-chart" role="img"
      aria-label={`Time per layer of one prediction, original against current, for ${rows.length} layers`}>
      <ResponsiveContainer width="100%" height={Math.max(120, 34 + rows.length * 30)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 20, left: 4 }} barGap={1}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit=" ms" stroke="var(--muted)" fontSize={12}
            label={{ value: 'Time per layer, one example (ms, fastest run)', position: 'insideBottom', offset: -12, fill: 'var(--muted)', fontSize: 12 }} />
          <YAxis type="category" dataKey="layer" width={110} stroke="var(--muted)" fontSize={12} interval={0} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(2)} ms`} isAnimationActive={false}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }} />
          <Legend verticalAlign="top" height={22} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="original" name="Original" fill="var(--muted)" isAnimationActive={false} />
          <Bar dataKey="current" name="Current" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
