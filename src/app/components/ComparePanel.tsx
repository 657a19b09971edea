import type { CompareSide } from '../../engine/api';
import { canAct, useStudio } from '../store';
import { compareWithOriginal } from '../studioActions';
import { formatBytes, formatCount, formatMs, formatPercent } from '../format';
import { LayerTimes } from './LayerTimes';

interface Row {
  label: string;
  key: string;
  /** null: no such figure for this model (uint8 sizes of weights holding NaN); the row is left out. */
  value: (s: CompareSide) => number | null;
  format: (n: number) => string;
  /** Whether a larger number is the better one (accuracy) or the worse one (size, time). */
  higherIsBetter?: boolean;
}

const ROWS: Row[] = [
  { label: 'Parameters', key: 'params', value: (s) => s.params, format: formatCount },
  { label: 'Nonzero parameters', key: 'nonzero', value: (s) => s.nonzero, format: formatCount },
  { label: 'MACs per example', key: 'macs', value: (s) => s.macs, format: formatCount },
  { label: 'MACs on nonzero weights', key: 'nonzero-macs', value: (s) => s.nonzeroMacs, format: formatCount },
  { label: 'Weights, float32 raw', key: 'raw', value: (s) => s.sizes.raw, format: formatBytes },
  { label: 'Weights, float32 gzip', key: 'gzip', value: (s) => s.sizes.gzip, format: formatBytes },
  { label: 'Weights, uint8 gzip', key: 'uint8-gzip', value: (s) => s.sizes.uint8Gzip, format: formatBytes },
  { label: 'Latency, 1 example (median)', key: 'latency', value: (s) => s.latencyMs, format: (ms) => (ms < 10 ? `${ms.toFixed(2)} ms` : formatMs(ms)) },
];

/** Original against current, side by side, each figure with its change. Measured on request (latency takes a few seconds). */
export function ComparePanel() {
  const compare = useStudio((s) => s.compare);
  const currentId = useStudio((s) => s.currentPointId);
  const free = useStudio(canAct);
  const result = compare?.result;
  const stale = compare !== null && compare.pointId !== currentId;
  const metricName = result?.current.metric.metric === 'fidelity' ? 'Fidelity' : 'Accuracy';
  return (
    <section className="panel compare-panel" aria-labelledby="compare-title">
      <div className="panel-head">
        <h2 id="compare-title">Compare</h2>
        <span className="muted small">
          {result ? `latency on ${result.backend}, in the worker, after warm-up${stale ? ' · for an earlier step' : ''}` : 'original against the current step'}
        </span>
        <button type="button" className="small-button" data-testid="compare" disabled={!free || currentId === null} onClick={() => void compareWithOriginal()}>
          {result && !stale ? 'Measure again' : 'Measure'}
        </button>
      </div>
      {result ? (
        <table className="compare" data-testid="compare-table">
          <thead>
            <tr><th scope="col" /><th scope="col" className="num">Original</th><th scope="col" className="num">Current</th><th scope="col" className="num">Change</th></tr>
          </thead>
          <tbody>
            {[...ROWS.filter((r) => r.value(result.original) !== null && r.value(result.current) !== null), {
              label: `${metricName} (${result.current.metric.count} examples)`, key: 'metric', value: (s: CompareSide) => s.metric.value,
              format: (v: number) => formatPercent(v), higherIsBetter: true,
            } satisfies Row].map((r) => {
              const a = r.value(result.original)!;
              const b = r.value(result.current)!;
              const change = r.key === 'metric' ? (b - a) * 100 : a ? ((b - a) / a) * 100 : 0;
              const better = r.higherIsBetter ? change > 0 : change < 0;
              const unit = r.key === 'metric' ? ' pts' : '%';
              return (
                <tr key={r.key} data-testid="compare-row" data-key={r.key} data-original={a} data-current={b}>
                  <th scope="row">{r.label}</th>
                  <td className="num">{r.format(a)}</td>
                  <td className="num">{r.format(b)}</td>
                  <td className={`num ${Math.abs(change) < 0.05 ? 'muted' : better ? 'pos' : 'neg'}`}>
                    {Math.abs(change) < 0.05 ? '—' : `${change > 0 ? '+' : '−'}${Math.abs(change).toFixed(1)}${unit}`}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {result ? <LayerTimes result={result} /> : (
        <p className="muted small">Sizes are measured by encoding the real files; latency is the median of repeated single-example predictions.</p>
      )}
    </section>
  );
}
