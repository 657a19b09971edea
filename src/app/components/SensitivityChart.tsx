import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SensitivityView } from '../../engine/api';
import { percentTicks } from '../historyChart';

// Distinct hues that read in light and dark mode; units beyond them cycle.
const COLORS = ['#2563eb', '#d97706', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];

/** Metric against the sparsity of one unit at a time, one line per layer (or channel group). */
export function SensitivityChart({ scan }: { scan: SensitivityView }) {
  // One row per ladder value (each unit's curve has one point per ladder value), plus the unpruned start.
  const rows: Record<string, number>[] = [
    Object.fromEntries([['x', 0], ...scan.units.map((u) => [u.id, scan.baseline * 100])]),
    ...scan.ladder.map((s, i) => Object.fromEntries([['x', s * 100], ...scan.units.map((u) => [u.id, (u.curve[i]?.metric ?? NaN) * 100])])),
  ];
  const { domain, ticks } = percentTicks(rows.flatMap((r) => scan.units.map((u) => r[u.id]).filter(Number.isFinite)));
  const metricName = scan.metric === 'fidelity' ? 'Fidelity' : 'Accuracy';
  return (
    <div className="scan-chart" data-testid="scan-chart" role="img"
      aria-label={`${metricName} when one ${scan.granularity === 'channels' ? 'channel group' : 'layer'} at a time is pruned, for ${scan.units.length} units`}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 22, left: 4 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" domain={[0, 100]} unit="%" stroke="var(--muted)" fontSize={12}
            label={{ value: `Sparsity of that ${scan.granularity === 'channels' ? 'group (channels)' : 'layer'} (%)`, position: 'insideBottom', offset: -14, fill: 'var(--muted)', fontSize: 12 }} />
          <YAxis type="number" domain={domain} ticks={ticks} unit="%" width={44} stroke="var(--muted)" fontSize={12} />
          <Tooltip formatter={(v) => `${Number(v).toFixed(1)}%`} labelFormatter={(x) => `${x}% pruned`} isAnimationActive={false}
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
