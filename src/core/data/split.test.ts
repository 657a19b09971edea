import { describe, expect, it } from 'vitest';
import { liveSubset, roundRobin, stratifiedSplit } from './split';

const classes = (counts: number[]) => Int32Array.from(counts.flatMap((n, c) => new Array<number>(n).fill(c)));

describe('stratifiedSplit', () => {
  it('holds out the same share of every class, disjoint from training, covering every example', () => {
    const labels = classes([100, 50, 10, 3]);
    const { train, test } = stratifiedSplit(labels);
    const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c).length;
    expect([0, 1, 2, 3].map((c) => count(test, c))).toEqual([20, 10, 2, 1]);
    expect([0, 1, 2, 3].map((c) => count(train, c))).toEqual([80, 40, 8, 2]);
    const all = new Set([...train, ...test]);
    expect(all.size).toBe(labels.length);
    expect(train.length + test.length).toBe(labels.length);
  });

  it('is the same for the same seed and differs for another', () => {
    const labels = classes([40, 40]);
    expect(stratifiedSplit(labels, { seed: 5 })).toEqual(stratifiedSplit(labels, { seed: 5 }));
    expect(Array.from(stratifiedSplit(labels, { seed: 5 }).test)).not.toEqual(Array.from(stratifiedSplit(labels, { seed: 6 }).test));
  });

  it('takes the classes in turn, so the live subset is balanced', () => {
    const labels = classes([2000, 1000, 1000]);
    const split = stratifiedSplit(labels);
    const live = liveSubset(split);
    expect(live.length).toBe(500);
    const perClass = [0, 1, 2].map((c) => Array.from(live).filter((i) => labels[i] === c).length);
    // 400 / 200 / 200 held out: the first 500 take 167 + 167 + 166 while all three last.
    expect(perClass).toEqual([167, 167, 166]);
    expect(Array.from(live)).toEqual(Array.from(split.test.subarray(0, 500)));
  });

  it('leaves out negative groups, keeps a class of one for training, and honours the fraction', () => {
    const { train, test } = stratifiedSplit(Int32Array.from([0, 0, 0, 0, -1, 1]), { testFraction: 0.5 });
    expect([...train, ...test].sort()).toEqual([0, 1, 2, 3, 5]);
    expect(Array.from(test).filter((i) => i < 4).length).toBe(2);
    expect(Array.from(train)).toContain(5);
    expect(() => stratifiedSplit([0], { testFraction: 1.5 })).toThrow(RangeError);
  });

  it('round robin takes one of each list per round', () => {
    expect(Array.from(roundRobin([[1, 2, 3], [10], [20, 21]]))).toEqual([1, 10, 20, 2, 21, 3]);
  });
});
