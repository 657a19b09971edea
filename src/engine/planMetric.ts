// The scan and the plan (core/plan) rank by a score where higher is better and a "point" is 0.01.
// Accuracy and fidelity are that score already. Mean absolute error is lower-is-better and has the
// units of the target, so it is scored relative to the starting point's error: score = −MAE / scale,
// and one point is a 1% rise in the error. The views the page draws get the error back in its own
// units, the right way up.
import type { MetricKind, PlanResult, SensitivityView } from './api';

export interface PlanMetric {
  readonly metric: MetricKind;
  /** The metric as the core's higher-is-better score. */
  toScore(value: number): number;
  /** A score (or a score difference, with `delta`) back in the metric's own units. */
  fromScore(score: number): number;
}

/** `scale`: the starting point's mean absolute error (any positive value for the other metrics). */
export function planMetric(metric: MetricKind, scale: number): PlanMetric {
  if (metric !== 'mae') return { metric, toScore: (v) => v, fromScore: (s) => s };
  const s = Number.isFinite(scale) && scale > 0 ? scale : 1;
  return { metric, toScore: (v) => -v / s, fromScore: (score) => -score * s };
}

/** A scan view with every metric back in the metric's units (the curves of an error rise with sparsity). */
export function unscoreScan(view: SensitivityView, m: PlanMetric): SensitivityView {
  if (m.metric !== 'mae') return view;
  return {
    ...view,
    baseline: m.fromScore(view.baseline),
    units: view.units.map((u) => ({ ...u, curve: u.curve.map((c) => ({ ...c, metric: m.fromScore(c.metric) })) })),
  };
}

/** A plan result with its predicted, measured and uniform metrics in the metric's units. */
export function unscorePlan(plan: PlanResult, m: PlanMetric): PlanResult {
  if (m.metric !== 'mae') return plan;
  return {
    ...plan,
    predictedMetric: m.fromScore(plan.predictedMetric),
    measuredMetric: m.fromScore(plan.measuredMetric),
    uniform: { ...plan.uniform, metric: m.fromScore(plan.uniform.metric) },
  };
}
