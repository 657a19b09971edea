import { describe, expect, it } from 'vitest';
import { magnitudeOverview } from './weightsOverview';
import { timelineLayers, timelinePeak, timelineRange, timelineRows, type TimelineStep } from './histogramTimeline';

const layer = (path: string, values: number[]) => ({ path, className: 'Dense', values: [Float32Array.from(values)] });

describe('histogram timeline', () => {
  const original = magnitudeOverview([layer('a', [0.01, 0.1, -0.5, 1]), layer('b', [0.2, -0.3])], 4);
  const range = timelineRange(original);
  // The pruned step keeps only the two largest of a; b loses a layer's worth of nothing.
  const pruned = magnitudeOverview([layer('a', [0, 0, -0.5, 1]), layer('b', [0.2, -0.3])], 4, range);
  const steps: TimelineStep[] = [{ pointId: 0, overview: original }, { pointId: 3, overview: pruned }];

  it('has one row per step for the chosen layer, in order, on the original range', () => {
    expect(range).toEqual([Math.fround(0.01), 1]);
    const rows = timelineRows(steps, 'a');
    expect(rows.map((r) => r.pointId)).toEqual([0, 3]);
    expect(rows.map((r) => r.zeros)).toEqual([0, 2]);
    expect(rows.map((r) => r.sparsity)).toEqual([0, 0.5]);
    expect(Array.from(rows[0].counts).reduce((n, c) => n + c, 0)).toBe(4);
    // The pruned weights leave the low bins; the kept ones stay in theirs.
    expect(rows[0].counts[3]).toBe(2);
    expect(Array.from(rows[1].counts)).toEqual([0, 0, 0, 2]);
  });

  it('skips steps without the layer and lists every layer once', () => {
    const gone = magnitudeOverview([layer('b', [0.2])], 4, range);
    expect(timelineRows([...steps, { pointId: 5, overview: gone }], 'a').map((r) => r.pointId)).toEqual([0, 3]);
    expect(timelineLayers([{ pointId: 5, overview: gone }, ...steps])).toEqual(['b', 'a']);
  });

  it('refuses a step measured on other bins', () => {
    const own = magnitudeOverview([layer('a', [0.5, 1])], 4);
    expect(() => timelineRows([...steps, { pointId: 7, overview: own }], 'a')).toThrow('History step 7 has other histogram bins than the timeline\'s first step');
  });

  it('scales every row by the tallest bin of any row, zeros included', () => {
    const rows = timelineRows(steps, 'a');
    expect(timelinePeak(rows)).toBe(2);
    expect(timelinePeak([])).toBe(1);
    expect(timelinePeak(rows, Math.log1p)).toBeCloseTo(Math.log1p(2));
  });
});
