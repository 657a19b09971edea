import { describe, expect, it } from 'vitest';
import type { KernelHeatmap, WeightHistogram } from '../engine/api';
import {
  cellSpan, countAtLogHeight, formatWeight, heatmapPixels, heatmapZoom, histogramBars, logHeight, logTicks, PRUNED_COLOR, viridis,
} from './layerDetail';

const histogram = (edges: number[], counts: number[], zeros: number): WeightHistogram => ({
  edges: Float32Array.from(edges), counts: Uint32Array.from(counts), zeros,
});

describe('histogramBars', () => {
  it('puts the zero bar where 0 falls, between the negative and the positive bins', () => {
    const bars = histogramBars(histogram([-1, -0.5, 0.5, 1], [3, 0, 4], 9), false);
    expect(bars.map((b) => b.key)).toEqual(['b0', 'zeros', 'b1', 'b2']);
    // A bin straddling 0 (centre exactly 0) comes after the zero bar; its weights are nonzero.
    expect(bars.map((b) => b.count)).toEqual([3, 9, 0, 4]);
    expect(bars[1]).toMatchObject({ kind: 'zeros', tick: '0', height: 9 });
  });

  it('puts the zero bar first or last when every weight has one sign', () => {
    expect(histogramBars(histogram([0.1, 0.2, 0.3], [1, 1], 2), false)[0].key).toBe('zeros');
    expect(histogramBars(histogram([-0.3, -0.2, -0.1], [1, 1], 2), false).at(-1)!.key).toBe('zeros');
  });

  it('labels a few bins, never the ones next to the zero bar', () => {
    const edges = Array.from({ length: 41 }, (_, i) => -1 + i / 20);
    const bars = histogramBars(histogram(edges, new Array(40).fill(1), 5), false, 5);
    const labelled = bars.flatMap((b, i) => (b.tick === null ? [] : [i]));
    const zeroAt = bars.findIndex((b) => b.kind === 'zeros');
    expect(zeroAt).toBe(20);
    expect(labelled).toContain(zeroAt);
    expect(labelled.length).toBeGreaterThanOrEqual(4);
    expect(labelled.length).toBeLessThanOrEqual(6);
    for (const i of labelled) if (i !== zeroAt) expect(Math.abs(i - zeroAt)).toBeGreaterThanOrEqual(3);
    expect(bars[0].tick).toBe('−0.975');
  });

  it('log heights keep single weights visible and empty bins at 0', () => {
    const bars = histogramBars(histogram([-1, 0, 1], [1, 1000], 0), true);
    expect(bars.map((b) => b.height)).toEqual([1, 0, 4]);
    expect(logHeight(10)).toBe(2);
    expect(countAtLogHeight(4)).toBe(1000);
    expect(countAtLogHeight(0)).toBe(0);
    expect(logTicks(1000)).toEqual([0, 1, 2, 3, 4]);
    expect(logTicks(1001)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(logTicks(0)).toEqual([0, 1]);
  });
});

describe('heatmap helpers', () => {
  const map = (absMean: number[], zeroFraction: number[]): KernelHeatmap => ({
    rows: 1, cols: absMean.length, absMean: Float32Array.from(absMean), zeroFraction: Float32Array.from(zeroFraction),
    sourceRows: 1, sourceCols: absMean.length, rowLabel: 'r', colLabel: 'c',
  });
  const pixel = (px: Uint8ClampedArray, i: number) => Array.from(px.slice(i * 4, i * 4 + 4));
  const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

  it('colours |w| with viridis and marks all-zero cells in the pruned colour', () => {
    const px = heatmapPixels(map([0, 0.5, 1, 0], [0, 0, 0, 1]), 'magnitude');
    expect(pixel(px, 0)).toEqual([...viridis(0), 255]);
    expect(pixel(px, 1)).toEqual([...viridis(0.5), 255]);
    expect(pixel(px, 2)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(pixel(px, 3)).toEqual([...hex(PRUNED_COLOR), 255]);
  });

  it('shows the zero fraction in the mask view', () => {
    const px = heatmapPixels(map([1, 1, 1], [0, 0.5, 1]), 'mask');
    expect(pixel(px, 0)).toEqual([0x2f, 0x3a, 0x46, 255]);
    expect(pixel(px, 2)).toEqual([...hex(PRUNED_COLOR), 255]);
    const mid = pixel(px, 1);
    for (let k = 0; k < 3; k++) expect(mid[k]).toBeCloseTo((pixel(px, 0)[k] + pixel(px, 2)[k]) / 2, -0.5);
  });

  it('viridis runs from dark purple to yellow and clamps', () => {
    expect(viridis(-1)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(2)).toEqual([0xfd, 0xe7, 0x25]);
    expect(viridis(NaN)).toEqual([0x44, 0x01, 0x54]);
  });

  it('cellSpan inverts the engine assignment floor(r · cells / total)', () => {
    for (const [total, cells] of [[200, 128], [1568, 256], [9, 9], [10, 3]]) {
      for (let r = 0; r < total; r++) {
        const cell = Math.floor((r * cells) / total);
        const [first, last] = cellSpan(cell, cells, total);
        expect(r).toBeGreaterThanOrEqual(first);
        expect(r).toBeLessThanOrEqual(last);
      }
      expect(cellSpan(0, cells, total)[0]).toBe(0);
      expect(cellSpan(cells - 1, cells, total)[1]).toBe(total - 1);
    }
  });

  it('zooms by whole pixels within the box', () => {
    expect(heatmapZoom(128, 256)).toBe(2);
    expect(heatmapZoom(16, 9)).toBe(16);
    expect(heatmapZoom(10, 128)).toBe(4);
    expect(heatmapZoom(128, 300)).toBe(1);
  });
});

describe('formatWeight', () => {
  it('keeps three significant digits and a true minus sign', () => {
    expect(formatWeight(0)).toBe('0');
    expect(formatWeight(0.012345)).toBe('0.0123');
    expect(formatWeight(-1.5)).toBe('−1.5');
    expect(formatWeight(0.00003221)).toBe('3.22e-5');
    expect(formatWeight(123456)).toBe('1.23e5');
    expect(formatWeight(-0.0005)).toBe('−5e-4');
  });
});
