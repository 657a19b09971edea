import { describe, expect, it } from 'vitest';
import { ridges } from './timelineRidges';
import type { TimelineRow } from '../core/graph/histogramTimeline';

function row(pointId: number, zeros: number, counts: number[]): TimelineRow {
  const params = zeros + counts.reduce((a, b) => a + b, 0);
  return { pointId, zeros, params, sparsity: zeros / params, counts: Uint32Array.from(counts) };
}
const layout = { width: 100, zeroWidth: 10, binsFrom: 20, binsTo: 80, rowHeight: 30, offset: 10 };

describe('ridges', () => {
  it('draws one ridge per row, each lower than the one before, on one height scale', () => {
    const { ridges: rs, height } = ridges([row(0, 0, [3, 0, 1]), row(4, 3, [0, 0, 1])], layout);
    expect(rs.map((r) => r.baseline)).toEqual([31, 41]);
    expect(height).toBe(46);
    // The tallest bin of any row (3 weights, zeros or not) reaches the row height.
    expect(rs[0].path).toBe('M20,31L20,1L40,1L40,31L60,31L60,' + Math.round((31 - (Math.log1p(1) / Math.log1p(3)) * 30) * 100) / 100 + 'L80,' + Math.round((31 - (Math.log1p(1) / Math.log1p(3)) * 30) * 100) / 100 + 'L80,31Z');
    // The zeros bar: the share of zeros (3 of 4) in the row's own 8 px band.
    expect(rs[1].zeroHeight).toBe(6);
    expect(rs[0].zeroHeight).toBe(0);
  });

  it('has the height of one row with no rows', () => {
    expect(ridges([], layout)).toEqual({ ridges: [], height: 36 });
  });
});
