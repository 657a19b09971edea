// What pruning did to each class, from the original model's and the current model's predictions
// on the same held-out examples:
// - per class: accuracy before and after and the change, the most hurt class first;
// - the confusion matrix change, current − original (rows: true class, columns: predicted);
// - the examples whose prediction flipped: right before and wrong now ("broken"), and the reverse.

export interface ClassRow {
  class: number;
  name: string;
  count: number;
  original: number;
  current: number;
  /** current − original, in accuracy (−1..1). */
  change: number;
}

export interface Flip {
  /** The example's index in the data set. */
  index: number;
  label: number;
  original: number;
  current: number;
}

function check(labels: ArrayLike<number>, original: ArrayLike<number>, current: ArrayLike<number>): void {
  if (original.length !== labels.length || current.length !== labels.length) {
    throw new Error(`class damage: ${labels.length} labels, ${original.length} original and ${current.length} current predictions`);
  }
}

/** Per-class accuracy of both models; classes with no examples are left out; the most hurt first (then by class). */
export function perClassAccuracy(labels: ArrayLike<number>, original: ArrayLike<number>, current: ArrayLike<number>, classNames: readonly string[]): ClassRow[] {
  check(labels, original, current);
  const n = classNames.length;
  const count = new Int32Array(n);
  const before = new Int32Array(n);
  const after = new Int32Array(n);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < n)) continue;
    count[y]++;
    if (original[i] === y) before[y]++;
    if (current[i] === y) after[y]++;
  }
  const rows: ClassRow[] = [];
  for (let c = 0; c < n; c++) {
    if (count[c] === 0) continue;
    const o = before[c] / count[c];
    const k = after[c] / count[c];
    rows.push({ class: c, name: classNames[c], count: count[c], original: o, current: k, change: k - o });
  }
  return rows.sort((a, b) => a.change - b.change || a.class - b.class);
}

/** n × n counts, row-major: [true class][predicted class]. Examples with a label outside 0..n-1 are skipped. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, n: number): Int32Array {
  const m = new Int32Array(n * n);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predicted[i];
    if (y >= 0 && y < n && p >= 0 && p < n) m[y * n + p]++;
  }
  return m;
}

/** current − original confusion counts (n × n, row-major): where predictions moved to. */
export function confusionChange(labels: ArrayLike<number>, original: ArrayLike<number>, current: ArrayLike<number>, n: number): Int32Array {
  check(labels, original, current);
  const before = confusionMatrix(labels, original, n);
  const after = confusionMatrix(labels, current, n);
  return after.map((v, k) => v - before[k]);
}

/**
 * The flipped examples among `indices` (labels and predictions are per position in `indices`):
 * broken = right before, wrong now; fixed = the reverse. In the order of `indices`.
 */
export function flippedExamples(indices: ArrayLike<number>, labels: ArrayLike<number>, original: ArrayLike<number>, current: ArrayLike<number>): { broken: Flip[]; fixed: Flip[] } {
  check(labels, original, current);
  const broken: Flip[] = [];
  const fixed: Flip[] = [];
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const flip = { index: indices[i], label: y, original: original[i], current: current[i] };
    if (original[i] === y && current[i] !== y) broken.push(flip);
    else if (original[i] !== y && current[i] === y) fixed.push(flip);
  }
  return { broken, fixed };
}
