import { describe, expect, it } from 'vitest';
import { controlsPending, cutPreview, globalCut, perLayerCut, previewUnavailable } from './cutPreview';
import { magnitudeOverview } from '../core/graph/weightsOverview';
import { unstructuredMasks } from '../core/prune/unstructured';
import type { PrunableTensor } from '../core/graph/prunable';
import { mulberry32 } from '../core/data/seededRandom';
import { DEFAULT_CONTROLS } from './store';
import type { HistoryPoint } from '../engine/api';

/** Three layers of different scales, some weights already zero. */
function layers() {
  const rnd = mulberry32(11);
  const make = (n: number, scale: number, zeroEvery: number) =>
    Float32Array.from({ length: n }, (_, i) => (i % zeroEvery === 0 ? 0 : (rnd() * 2 - 1) * scale * Math.exp(rnd() * 2)));
  return [
    { path: 'conv1', className: 'Conv2D', values: [make(300, 0.5, 50)] },
    { path: 'conv2', className: 'Conv2D', values: [make(2000, 0.05, 1000)] },
    { path: 'dense', className: 'Dense', values: [make(5000, 0.01, 7)] },
  ];
}

/** What the engine's global magnitude prune measures per layer (its exact selection). */
function measured(ls: ReturnType<typeof layers>, sparsity: number) {
  const tensors = ls.map((l) => ({ key: `${l.path}/kernel`, layerPath: l.path, layerClass: l.className, weight: 'kernel', weightIndex: 0, shape: [l.values[0].length], size: l.values[0].length })) as PrunableTensor[];
  const masks = unstructuredMasks(tensors, { criterion: 'magnitude', byKey: Object.fromEntries(ls.map((l) => [`${l.path}/kernel`, l.values[0]])), absolute: true }, { kind: 'global', sparsity });
  return ls.map((l) => {
    const keep = masks[`${l.path}/kernel`].keep;
    let cut = 0;
    for (let i = 0; i < keep.length; i++) cut += !keep[i] || l.values[0][i] === 0 ? 1 : 0;
    return cut / keep.length;
  });
}

describe('globalCut', () => {
  it('predicts each layer\'s sparsity after a global magnitude prune to within the share of its weights in the threshold\'s bin', () => {
    const ls = layers();
    const overview = magnitudeOverview(ls, 48);
    for (const s of [0.1, 0.5, 0.7, 0.9]) {
      const cut = globalCut(overview, s);
      const real = measured(ls, s);
      cut.forEach((c, i) => {
        expect(Math.abs(c.predictedSparsity - real[i])).toBeLessThanOrEqual(c.binShare + 1 / ls[i].values[0].length);
        expect(c.threshold).toBe(cut[0].threshold);
      });
      // Over all layers the prediction is the target itself.
      const n = ls.reduce((a, l) => a + l.values[0].length, 0);
      const total = cut.reduce((a, c, i) => a + c.predictedSparsity * ls[i].values[0].length, 0) / n;
      expect(total).toBeCloseTo(Math.round(s * n) / n, 9);
    }
  });

  it('cuts only the zeros when the target is below them, and leaves them when it is 0', () => {
    const overview = magnitudeOverview([{ path: 'a', className: 'Dense', values: [new Float32Array([0, 0, 0, 1, 2, 3, 4, 5, 6, 7])] }], 4);
    expect(globalCut(overview, 0.2)[0]).toMatchObject({ threshold: 0, predictedSparsity: 0.3, binShare: 0 });
    expect(globalCut(overview, 0)[0].predictedSparsity).toBeCloseTo(0.3, 12);
    const half = globalCut(overview, 0.5)[0];
    expect(half.predictedSparsity).toBeCloseTo(0.5, 12);
    expect(half.threshold).toBeGreaterThan(1);
    expect(half.threshold).toBeLessThan(7);
  });
});

describe('perLayerCut', () => {
  it('gives each layer its own target (never below its zeros) and a threshold inside its own histogram', () => {
    const ls = layers();
    const overview = magnitudeOverview(ls, 48);
    const cut = perLayerCut(overview, { conv1: 0.8, dense: 0.1 });
    expect(cut[0].predictedSparsity).toBeCloseTo(Math.round(0.8 * 300) / 300, 12);
    expect(cut[1]).toMatchObject({ threshold: 0, predictedSparsity: 2 / 2000 }); // no target: its zeros stay
    expect(cut[2].predictedSparsity).toBeCloseTo(Math.ceil(5000 / 7) / 5000, 12); // 10% < its zeros (1 in 7)
    const sorted = Float32Array.from(ls[0].values[0], Math.abs).sort();
    expect(cut[0].threshold).toBeGreaterThanOrEqual(sorted[239] * 0.8);
    expect(cut[0].threshold).toBeLessThanOrEqual(sorted[240] * 1.25);
  });
});

describe('cutPreview', () => {
  const overview = magnitudeOverview(layers(), 48);
  it('previews unstructured magnitude pruning only', () => {
    expect(cutPreview({ ...DEFAULT_CONTROLS, global: 0.7 }, overview)?.map((c) => c.path)).toEqual(['conv1', 'conv2', 'dense']);
    expect(cutPreview({ ...DEFAULT_CONTROLS, granularity: 'channels', global: 0.7 }, overview)).toBeNull();
    expect(cutPreview({ ...DEFAULT_CONTROLS, criterion: 'taylor', global: 0.7 }, overview)).toBeNull();
    expect(cutPreview({ ...DEFAULT_CONTROLS, global: 0.7 }, null)).toBeNull();
    expect(previewUnavailable({ ...DEFAULT_CONTROLS, granularity: '2:4' })).toBe(
      'The cut is previewed while a slider moves for unstructured magnitude pruning only; other settings are measured on release.');
  });

  it('is pending while the controls ask for something the point on screen was not made with', () => {
    const original = { settings: null } as HistoryPoint;
    expect(controlsPending(DEFAULT_CONTROLS, original, [])).toBe(false);
    expect(controlsPending({ ...DEFAULT_CONTROLS, global: 0.7 }, original, [])).toBe(true);
    const step = { settings: { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.7 } } } as HistoryPoint;
    expect(controlsPending({ ...DEFAULT_CONTROLS, global: 0.7 }, step, [])).toBe(false);
    expect(controlsPending({ ...DEFAULT_CONTROLS, global: 0.71 }, step, [])).toBe(true);
  });
});
