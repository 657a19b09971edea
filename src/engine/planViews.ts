// A core sensitivity scan and a measured plan as the plain views the page draws (only the fields it
// reads, copied, so nothing the engine keeps is shared with a reply).
import type { PlanRequest, PlanResult, SensitivityView } from './api';
import type { MeasuredPlan, SensitivityScan } from '../core/plan';

export function scanView(scan: SensitivityScan, baseId: number, metric: SensitivityView['metric']): SensitivityView {
  return {
    baseId, metric,
    granularity: scan.granularity,
    criterion: scan.criterion,
    baseline: scan.baseline,
    ladder: [...scan.ladder],
    units: scan.units.map((u) => ({
      id: u.id, layers: [...u.layers], params: u.params,
      curve: u.curve.map((c) => ({ sparsity: c.sparsity, metric: c.metric, ...(c.estimated ? { estimated: true } : {}) })),
      robustness: { ...u.robustness },
    })),
    ranking: [...scan.ranking],
    skipped: scan.skipped.map((x) => ({ ...x, layers: [...x.layers] })),
    evaluations: scan.evaluations,
    ms: scan.ms,
  };
}

export function planView(target: PlanRequest, scan: SensitivityScan, plan: MeasuredPlan): PlanResult {
  const { allocation: a } = plan;
  return {
    target: { kind: target.kind, value: target.value },
    granularity: scan.granularity,
    sparsity: a.sparsity,
    reached: a.reached,
    predictedMetric: a.predictedMetric,
    measuredMetric: plan.measured.metric,
    uniform: plan.uniform,
    achieved: { sparsity: a.achieved.sparsity, params: a.achieved.params, macs: a.achieved.macs ?? null, gzipBytes: plan.measured.gzipBytes },
  };
}
