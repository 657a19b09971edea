import { lazy, Suspense, useState } from 'react';
import type { PlanTargetKind } from '../../engine/api';
import { canAct, currentPoint, useStudio } from '../store';
import { cancelPlanning, planForMe, runScan } from '../studioActions';
import { formatBytes, formatCount, formatMetric, formatMs, formatPercent } from '../format';

const SensitivityChart = lazy(() => import('./SensitivityChart').then((m) => ({ default: m.SensitivityChart })));

/** The plan targets, each with the unit the number input is in and how it becomes the engine's value. */
const TARGETS: Record<PlanTargetKind, { label: string; unit: string; initial: number; step: number; toValue: (n: number) => number }> = {
  sparsity: { label: 'Global sparsity', unit: '%', initial: 90, step: 1, toValue: (n) => n / 100 },
  gzipBytes: { label: 'gzip size of the weights', unit: 'KB', initial: 100, step: 5, toValue: (n) => n * 1024 },
  macs: { label: 'MACs per example', unit: 'MACs', initial: 300_000, step: 10_000, toValue: (n) => n },
  maxDrop: { label: 'Largest metric drop', unit: 'pts', initial: 1, step: 0.5, toValue: (n) => n / 100 },
};

/** For a mean absolute error the largest drop is a rise of the error, relative to the starting point's. */
const MAE_DROP = { ...TARGETS.maxDrop, label: 'Largest rise in mean absolute error', unit: '% of its error' };

/**
 * Sensitivity scan and "Plan for me": how much each layer (or channel group) can lose alone, and the
 * per-layer sparsities that meet a target with the least predicted damage. The plan sets the layer
 * sliders; the user can still move them.
 */
export function PlanPanel() {
  const [kind, setKind] = useState<PlanTargetKind>('sparsity');
  const [amount, setAmount] = useState<number>(TARGETS.sparsity.initial);
  const scan = useStudio((s) => s.scan);
  const plan = useStudio((s) => s.plan);
  const granularity = useStudio((s) => s.controls.granularity);
  const criterion = useStudio((s) => s.controls.criterion);
  const free = useStudio(canAct);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const baseId = useStudio((s) => currentPoint(s)?.baseId);
  const progress = useStudio((s) => s.progress);
  const nm = granularity === '2:4' || granularity === '4:8';
  const metric = useStudio((s) => currentPoint(s)?.metric.metric);
  const mae = metric === 'mae';
  const t = kind === 'maxDrop' && mae ? MAE_DROP : TARGETS[kind];
  const valid = Number.isFinite(amount) && amount > 0 && (kind !== 'sparsity' || amount < 100);
  const scanIsCurrent = scan !== null && scan.baseId === baseId && scan.granularity === granularity && scan.criterion === criterion;
  const planning = !free && progress !== null && /%|Planning|Measuring|Scoring/.test(progress.label) && scan === null;
  const metricName = scan?.metric === 'fidelity' ? 'fidelity' : scan?.metric === 'mae' ? 'mean absolute error' : 'accuracy';
  return (
    <section className="panel plan-panel" aria-labelledby="plan-title">
      <div className="panel-head">
        <h2 id="plan-title">Plan for me</h2>
        <span className="muted small">
          {granularity === 'channels' ? 'channel groups' : 'layers'} pruned one at a time, then sparsity spread where it hurts least
        </span>
      </div>
      <div className="plan-grid">
        <label className="stacked">
          <span className="field-label">Target</span>
          <select data-testid="plan-target-kind" value={kind} onChange={(e) => {
            const k = e.target.value as PlanTargetKind;
            setKind(k);
            setAmount(TARGETS[k].initial);
          }}>
            {(Object.keys(TARGETS) as PlanTargetKind[]).map((k) => <option key={k} value={k}>{k === 'maxDrop' && mae ? MAE_DROP.label : TARGETS[k].label}</option>)}
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Value ({t.unit})</span>
          <input type="number" data-testid="plan-target" data-kind={kind} min={0} step={t.step} value={amount} aria-invalid={!valid}
            onChange={(e) => setAmount(Number(e.target.value))} />
        </label>
        <button type="button" className="button primary" data-testid="plan" disabled={!ready || !free || nm || !valid}
          onClick={() => void planForMe({ kind, value: t.toValue(amount) })}>
          Plan for me
        </button>
        <button type="button" className="button" data-testid="scan" disabled={!ready || !free || nm} onClick={() => void runScan()}>
          {scanIsCurrent ? 'Scan again' : 'Scan only'}
        </button>
        {!free && <button type="button" className="button" data-testid="cancel-plan" onClick={cancelPlanning}>Cancel</button>}
      </div>
      {nm && <p className="muted small">2:4 and 4:8 fix the sparsity at 50%: there is nothing to plan. Choose unstructured or channels.</p>}
      {planning && <p className="muted small">{progress!.label}</p>}
      {plan && (
        <div className="plan-result" data-testid="plan-result" data-predicted={plan.predictedMetric} data-measured={plan.measuredMetric}
          data-uniform={plan.uniform.metric} data-sparsity={plan.achieved.sparsity} data-gzip={plan.achieved.gzipBytes}>
          <p className="small">
            {plan.reached ? 'Planned' : 'Closest reachable plan'}: {formatPercent(plan.achieved.sparsity)} sparse
            · {formatBytes(plan.achieved.gzipBytes)} gzipped (float32) · {plan.achieved.macs !== null ? `${formatCount(plan.achieved.macs)} MACs` : 'MACs unknown'}.
            {' '}Predicted {metricName} {formatMetric(plan.predictedMetric, scan?.metric)}, measured <strong>{formatMetric(plan.measuredMetric, scan?.metric)}</strong>
            {' '}(the prediction adds the layers' drops, so it is usually optimistic).
          </p>
          <CompareBars planned={plan.measuredMetric} uniform={plan.uniform.metric} sparsity={plan.uniform.sparsity} metricName={metricName} metric={scan?.metric} />
        </div>
      )}
      {scan && (
        <>
          <Suspense fallback={<div className="scan-chart chart-loading" />}>
            <SensitivityChart scan={scan} />
          </Suspense>
          <p className="small" data-testid="scan-ranking">
            Robust → fragile: {scan.ranking.map((id, i) => {
              const u = scan.units.find((x) => x.id === id)!;
              return <span key={id}>{i > 0 ? ' · ' : ''}<strong>{id}</strong> (to {formatPercent(u.robustness.maxSparsity, 0)} within {scan.metric === 'mae' ? '1% of its error' : '1 pt'})</span>;
            })}
          </p>
          <p className="muted small">
            {scan.evaluations} evaluations in {formatMs(scan.ms)}{!scanIsCurrent ? ' · made on another starting point or setting: plan will scan again' : ''}
            {scan.skipped.length > 0 && <> · left out: {scan.skipped.map((x) => `${x.id} (${x.reason})`).join('; ')}</>}
          </p>
        </>
      )}
    </section>
  );
}

/** Planned against uniform pruning at the same sparsity: two labelled bars (an error's bars are scaled to the larger one). */
function CompareBars({ planned, uniform, sparsity, metricName, metric }: { planned: number; uniform: number; sparsity: number; metricName: string; metric?: string }) {
  const full = metric === 'mae' ? Math.max(planned, uniform) || 1 : 1;
  const rows = [
    { label: 'Planned per layer', value: planned, className: 'bar-planned' },
    { label: `Uniform ${formatPercent(sparsity, 0)} per layer`, value: uniform, className: 'bar-uniform' },
  ];
  return (
    <div className="compare-bars" role="img" aria-label={`${metricName}: planned ${formatMetric(planned, metric)}, uniform ${formatMetric(uniform, metric)} at the same size`}>
      {rows.map((r) => (
        <div key={r.label} className="compare-bar-row">
          <span className="compare-bar-label">{r.label}</span>
          <span className="compare-bar-track"><span className={`compare-bar ${r.className}`} style={{ width: `${Math.max(1, (r.value / full) * 100)}%` }} /></span>
          <span className="compare-bar-value">{formatMetric(r.value, metric)}</span>
        </div>
      ))}
    </div>
  );
}
