import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SensitivityView } from '../../engine/api';
import { percentTicks } from '../historyChart';

// Distinct hues that read in light and dark mode; units beyond them cycle.
const COLORS = ['#2563eb', '#d97706', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

/** Metric against the sparsity of one unit at a time, one line per layer (or channel group). */
export function SensitivityChart({ scan }: { scan: SensitivityView }) {
  // One row per ladder value (each unit's curve has one point per ladder value), plus the unpruned start.
  // A mean absolute error is drawn in its own units (it rises as a layer is pruned); the others in %.
  const mae = scan.metric === 'mae';
  const k = mae ? 1 : 100;
  const rows: Record<string, number>[] = [
    Object.fromEntries([['x', 0], ...scan.units.map((u) => [u.id, scan.baseline * k])]),
    ...scan.ladder.map((s, i) => Object.fromEntries([['x', s * 100], ...scan.units.map((u) => [u.id, (u.curve[i]?.metric ?? NaN) * k])])),
  ];
  const { domain, ticks } = mae ? { domain: ['auto', 'auto'] as [string, string], ticks: undefined }
    : percentTicks(rows.flatMap((r) => scan.units.map((u) => r[u.id]).filter(Number.isFinite)));
  const metricName = scan.metric === 'fidelity' ? 'Fidelity' : mae ? 'Mean absolute error' : 'Accuracy';
  return (
    <div className="scan-chart" data-testid="scan-chart" role="img"
      aria-label={`${metricName} when one ${scan.granularity === 'channels' ? 'channel group' : 'layer'} at a time is pruned, for ${scan.units.length} units`}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 22, left: 4 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" domain={[0, 100]} unit="%" stroke="var(--muted)" fontSize={12}
            label={{ value: `Sparsity of that ${scan.granularity === 'channels' ? 'group (channels)' : 'layer'} (%)`, position: 'insideBottom', offset: -14, fill: 'var(--muted)', fontSize: 12 }} />
          <YAxis type="number" domain={domain as [number, number]} ticks={ticks} unit={mae ? '' : '%'} width={mae ? 56 : 44} stroke="var(--muted)" fontSize={12}
            tickFormatter={mae ? (v: number) => v.toPrecision(3) : undefined}
            label={mae ? { value: 'MAE (lower is better)', angle: -90, position: 'insideLeft', fill: 'var(--muted)', fontSize: 12 } : undefined} />
          <Tooltip formatter={(v) => (mae ? Number(v).toPrecision(4) : `${Number(v).toFixed(1)}%`)} labelFormatter={(x) => `${x}% pruned`} isAnimationActive={false}
            contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }} />
          <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {scan.units.map((u, i) => (
            <Line key={u.id} dataKey={u.id} name={u.id} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
