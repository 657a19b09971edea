import { describe, expect, it } from 'vitest';
import { compactCount, paretoFrontier, percentTicks, type ChartPoint } from './historyChart';

const pt = (id: number, x: number, y: number): ChartPoint => ({ id, step: id, kind: 'prune', label: String(id), x, y, current: false });

describe('paretoFrontier', () => {
  it('keeps the points nothing beats on size and metric, smallest first', () => {
    const points = [pt(0, 100, 90), pt(1, 30, 89), pt(2, 50, 85), pt(3, 10, 60), pt(4, 30, 70), pt(5, 70, 91)];
    expect(paretoFrontier(points).map((p) => p.id)).toEqual([3, 1, 5]);
  });

  it('drops a point tied on size with a better one, and keeps a lone point', () => {
    expect(paretoFrontier([pt(0, 10, 50), pt(1, 10, 60)]).map((p) => p.id)).toEqual([1]);
    expect(paretoFrontier([pt(7, 1, 1)]).map((p) => p.id)).toEqual([7]);
    expect(paretoFrontier([])).toEqual([]);
  });
});

describe('compactCount', () => {
  it('writes axis ticks short', () => {
    expect([640, 1500, 32037, 106058, 1135872, 25_000_000].map(compactCount)).toEqual(['640', '1.5k', '32k', '106k', '1.1M', '25M']);
  });
});

describe('percentTicks', () => {
  it('brackets the values in round steps, at most 6 ticks, inside 0..100', () => {
    expect(percentTicks([91.8, 89.2, 13.8, 80.4])).toEqual({ domain: [0, 100], ticks: [0, 20, 40, 60, 80, 100] });
    expect(percentTicks([91.8, 89.2])).toEqual({ domain: [89, 92], ticks: [89, 90, 91, 92] });
    expect(percentTicks([90])).toEqual({ domain: [89, 91], ticks: [89, 90, 91] });
    for (const v of [[0.5], [99.9, 3], [50, 51, 77]]) {
      const { domain, ticks } = percentTicks(v);
      expect(ticks.length).toBeLessThanOrEqual(6);
      expect(domain[0]).toBeLessThanOrEqual(Math.min(...v));
      expect(domain[1]).toBeGreaterThanOrEqual(Math.max(...v));
    }
  });
});
