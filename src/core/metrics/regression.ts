// Regression metrics: mean absolute error (lower is better) and the coefficient of determination
// R² = 1 − SS_res / SS_tot (1 is perfect; 0 is no better than predicting the mean; it can be negative).

export function meanAbsoluteError(targets: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (targets.length !== predicted.length || targets.length === 0) throw new Error(`meanAbsoluteError: ${targets.length} targets for ${predicted.length} predictions`);
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += Math.abs(predicted[i] - targets[i]);
  return sum / targets.length;
}

/** R²; when every target is the same, 1 for an exact fit and 0 otherwise. */
export function rSquared(targets: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (targets.length !== predicted.length || targets.length === 0) throw new Error(`rSquared: ${targets.length} targets for ${predicted.length} predictions`);
  let mean = 0;
  for (let i = 0; i < targets.length; i++) mean += targets[i];
  mean /= targets.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < targets.length; i++) {
    res += (targets[i] - predicted[i]) ** 2;
    tot += (targets[i] - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}
