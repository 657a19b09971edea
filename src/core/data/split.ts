// A seeded, class-stratified split of a data set into training and held-out examples. Each class
// is shuffled on its own (mulberry32, the seed) and its first share goes to the held-out set, so
// every class keeps the same proportion on both sides; the two sides never share an example.
// Both sides are in a fixed order that takes the classes in turn (round robin), so any prefix of
// the held-out set is as class-balanced as it can be: the live subset is its first 500.
import { mulberry32, shuffleInPlace } from './seededRandom';

export const DEFAULT_TEST_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 20240613;
/** Held-out examples every live step is measured on (the first ones, as for the demo). */
export const LIVE_SUBSET = 500;

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  /** Share of each class held out, 0..1 (0.2). */
  testFraction?: number;
  seed?: number;
}

/** Takes the lists in turn, one element of each per round, until all are empty. */
export function roundRobin(lists: readonly (readonly number[])[]): Int32Array {
  const out = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  let k = 0;
  for (let round = 0; k < out.length; round++) {
    for (const l of lists) if (round < l.length) out[k++] = l[round];
  }
  return out;
}

/**
 * Splits examples by `group` (a class per example; pass all zeros for unlabelled data or
 * regression). Examples whose group is negative (left out) are in neither side. A class of n ≥ 2
 * examples puts at least one on each side when 0 < testFraction < 1; a class of one trains.
 */
export function stratifiedSplit(group: ArrayLike<number>, options: SplitOptions = {}): Split {
  const fraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`stratifiedSplit: testFraction ${fraction} is outside 0..1`);
  const random = mulberry32(options.seed ?? DEFAULT_SPLIT_SEED);
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < group.length; i++) {
    const g = group[i];
    if (g < 0) continue;
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(i);
  }
  const train: number[][] = [];
  const test: number[][] = [];
  for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byGroup.get(g) as number[], random);
    let n = Math.round(members.length * fraction);
    if (members.length === 1) n = fraction === 1 ? 1 : 0;
    else if (fraction > 0 && fraction < 1) n = Math.min(members.length - 1, Math.max(1, n));
    test.push(members.slice(0, n));
    train.push(members.slice(n));
  }
  return { train: roundRobin(train), test: roundRobin(test) };
}

/** The held-out examples every live step is measured on. */
export function liveSubset(split: Split, size = LIVE_SUBSET): Int32Array {
  return split.test.subarray(0, Math.min(size, split.test.length));
}
