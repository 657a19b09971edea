import { describe, expect, it } from 'vitest';
import { maxAssignment } from './assignment';
import { mapByName, mapByPredictions, normaliseName, predictionCounts } from './classMapping';
import { FASHION_MNIST_CLASSES } from './fashionMnist';
import { mulberry32 } from './seededRandom';

/** The best total by trying every injective assignment (rows <= cols) or every column subset. */
function bruteForce(score: number[][]): number {
  const rows = score.length;
  const cols = score[0].length;
  let best = -Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const walk = (r: number, total: number, free: number) => {
    if (r === rows) return void (best = Math.max(best, total));
    // A row may stay unassigned only when there are more rows than columns.
    if (rows - r > free) walk(r + 1, total, free);
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = true;
      walk(r + 1, total + score[r][c], free - 1);
      used[c] = false;
    }
  };
  walk(0, 0, cols);
  return best;
}

describe('maxAssignment', () => {
  it('finds the best total on random matrices (square, wide and tall), each column at most once', () => {
    const rnd = mulberry32(7);
    for (const [rows, cols] of [[1, 1], [3, 3], [4, 6], [6, 4], [5, 5], [7, 7]]) {
      for (let t = 0; t < 20; t++) {
        const score = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.floor(rnd() * 20)));
        const a = maxAssignment(score);
        const cols_ = Array.from(a).filter((c) => c >= 0);
        expect(new Set(cols_).size).toBe(cols_.length);
        expect(cols_.length).toBe(Math.min(rows, cols));
        const total = Array.from(a).reduce((s, c, r) => s + (c >= 0 ? score[r][c] : 0), 0);
        expect(total).toBe(bruteForce(score));
      }
    }
  });

  it('prefers the whole-set optimum to each row\'s greedy best', () => {
    // Greedy gives row 0 column 0 (9) and row 1 column 1 (1): 10. Best: 8 + 7 = 15.
    expect(Array.from(maxAssignment([[9, 8], [7, 1]]))).toEqual([1, 0]);
  });
});

describe('class mapping', () => {
  it('matches folder names to class names without case or punctuation', () => {
    expect(normaliseName('T-shirt/top')).toBe(normaliseName('t_shirt top'));
    const folders = ['Ankle boot', 'Bag', 'Coat', 'Dress', 'Pullover', 'Sandal', 'Shirt', 'Sneaker', 'T-shirt_top', 'Trouser', 'Cats'];
    const m = mapByName(folders, FASHION_MNIST_CLASSES, 10);
    expect(m?.by).toBe('name');
    expect(Array.from(m!.classOf)).toEqual([9, 8, 4, 3, 2, 5, 6, 7, 0, 1, -1]);
    expect(mapByName(['x', 'y'], FASHION_MNIST_CLASSES, 10)).toBeNull();
    expect(mapByName(['x', 'y'], null, 10)).toBeNull();
  });

  it('reads folders named 0, 1, 2 as class numbers', () => {
    const m = mapByName(['0', '2', '10'], null, 11);
    expect([m?.by, Array.from(m!.classOf)]).toEqual(['number', [0, 2, 10]]);
    expect(mapByName(['0', '12'], null, 11)).toBeNull();
  });

  it('maps folders to classes by the predictions, with the agreement per folder, and leaves out a folder matching none', () => {
    // 3 folders, 3 classes: folder 0 is mostly class 2, folder 1 class 0, folder 2 is split
    // between class 0 and 1; a fourth folder is left over.
    const folderOf = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3];
    const predicted = [2, 2, 2, 1, 0, 0, 0, 0, 1, 1, 0, 0];
    const counts = predictionCounts(folderOf, predicted, 4, 3);
    expect(counts).toEqual([[0, 1, 3], [3, 0, 0], [2, 2, 0], [1, 0, 0]]);
    const m = mapByPredictions(counts);
    expect(Array.from(m.classOf)).toEqual([2, 0, 1, -1]);
    expect(m.agreement).toEqual([0.75, 1, 0.5, 0]);
    expect(m.measured).toEqual([4, 3, 4, 1]);
  });
});
