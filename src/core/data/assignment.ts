// The assignment problem: give each row a distinct column so that the total score is the largest
// (Hungarian algorithm with potentials, O(n²m) for n rows and m columns; Kuhn 1955, Munkres 1957).
// Rows beyond the number of columns stay unassigned. Used to map a user's class folders to a
// model's classes from the original model's predictions.

/**
 * For each row of `score` (rows × columns, finite numbers), the column it gets (or -1), such that no
 * column is used twice and the sum of the chosen scores is the largest possible. The same scores
 * always give the same answer.
 */
export function maxAssignment(score: readonly (readonly number[])[]): Int32Array {
  const rows = score.length;
  const cols = rows === 0 ? 0 : score[0].length;
  if (rows === 0 || cols === 0) return new Int32Array(rows).fill(-1);
  const transpose = rows > cols;
  const n = transpose ? cols : rows; // n <= m
  const m = transpose ? rows : cols;
  const cost = (i: number, j: number) => -(transpose ? score[j][i] : score[i][j]);

  // 1-based arrays as in the classic formulation: p[j] is the row matched to column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    if (transpose) result[j - 1] = p[j] - 1;
    else result[p[j] - 1] = j - 1;
  }
  return result;
}
