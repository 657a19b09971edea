// The allocator on hand-made scans, where the best answer is known: a robust unit takes the sparsity
// a fragile one cannot, targets of every kind are met, and for convex curves the plan is at least as
// good as the best combination of measured points (brute force).
import { describe, expect, it } from 'vitest';
import { CancelledError, type JobControl } from '../job';
import { mulberry32 } from '../data/seededRandom';
import { countAllocation, planAllocation, robustness, type PlanTarget, type ScanUnit, type SensitivityScan } from '.';

interface FakeUnit {
  id: string;
  size: number;
  macsPerWeight?: number;
  /** [sparsity, metric] */
  curve: [number, number][];
  channels?: number;
}

/** A scan as scanSensitivity would return it, from curves given by hand (one kernel per unit). */
function fakeScan(units: FakeUnit[], baseline = 0.9): SensitivityScan {
  const tensors: SensitivityScan['tensors'] = {};
  const scanned: ScanUnit[] = units.map((u) => {
    const key = `${u.id}/kernel`;
    const mpw = u.macsPerWeight ?? 1;
    const channels = u.channels;
    tensors[key] = { key, layerPath: u.id, shape: channels ? [u.size / channels, channels] : [u.size], size: u.size, nonzero: u.size, macsPerWeight: mpw };
    const curve = u.curve.map(([sparsity, metric]) => ({ sparsity, ladder: sparsity, metric }));
    return {
      id: u.id, layers: [u.id], params: u.size, macs: u.size * mpw, curve,
      robustness: robustness(baseline, curve, 0.01),
      cost: channels
        ? { kind: 'channels', channels, slices: [{ key, axis: 1, perChannel: 1 }] }
        : { kind: 'weights', keys: [key], size: u.size, zeros: 0, macsPerWeight: mpw, zerosFirst: true },
      ...(channels ? { channels } : {}),
    };
  });
  const prunableParams = units.reduce((n, u) => n + u.size, 0);
  const macs = units.reduce((n, u) => n + u.size * (u.macsPerWeight ?? 1), 0);
  return {
    granularity: units.some((u) => u.channels) ? 'channels' : 'unstructured', criterion: 'magnitude',
    ladder: [...new Set(units.flatMap((u) => u.curve.map((p) => p[0])))].sort((a, b) => a - b), tolerance: 0.01, baseline,
    units: scanned, ranking: scanned.map((u) => u.id), skipped: [],
    totals: { prunableParams, prunableNonzero: prunableParams, macs, nonzeroMacs: macs, unknownMacs: [] },
    tensors, evaluations: 0, ms: 0,
  };
}

const LADDER = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
/** Convex drop c * s^p at every ladder point. */
const convex = (c: number, p: number, baseline = 0.9): [number, number][] => LADDER.map((s) => [s, baseline - c * s ** p]);

describe('planAllocation', () => {
  it('gives the sparsity to the robust unit and protects the fragile one (equal marginal cost)', async () => {
    const scan = fakeScan([
      // Free up to 80%, then 2 points per 10%.
      { id: 'robust', size: 1000, curve: LADDER.map((s) => [s, s <= 0.8 ? 0.9 : 0.9 - (s - 0.8) * 0.2]) },
      // 1 point per 10%, from the start.
      { id: 'fragile', size: 1000, curve: LADDER.map((s) => [s, 0.9 - s * 0.1]) },
    ]);
    const plan = await planAllocation(scan, { kind: 'sparsity', value: 0.5 });
    // 1000 weights to remove: 800 free ones from `robust`, then `fragile` at 1e-4 per weight beats
    // `robust` at 2e-4 per weight.
    expect(plan.units.map((u) => [u.id, u.sparsity])).toEqual([['robust', 0.8], ['fragile', 0.2]]);
    expect(plan.sparsity).toEqual({ robust: 0.8, fragile: 0.2 });
    expect(plan.predictedDrop).toBeCloseTo(0.02, 12);
    expect(plan.predictedMetric).toBeCloseTo(0.88, 12);
    expect(plan.achieved).toEqual({ params: 1000, sparsity: 0.5, macs: 1000 });
    expect(plan.reached).toBe(true);
    expect(plan.target).toEqual({ kind: 'sparsity', value: 0.5 });
  });

  it('for convex curves, is at least as good as the best combination of measured points (brute force)', async () => {
    const units: FakeUnit[] = [
      { id: 'a', size: 300, curve: convex(0.05, 2) },
      { id: 'b', size: 2000, curve: convex(0.02, 3) },
      { id: 'c', size: 700, curve: convex(0.2, 1.5) },
    ];
    const scan = fakeScan(units);
    const points = [0, ...LADDER];
    const dropAt = (u: FakeUnit, s: number) => (s === 0 ? 0 : 0.9 - u.curve.find((p) => p[0] === s)![1]);
    for (const target of [0.2, 0.45, 0.6, 0.75, 0.85]) {
      const plan = await planAllocation(scan, { kind: 'sparsity', value: target });
      let best = Infinity;
      for (const sa of points) for (const sb of points) for (const sc of points) {
        const removed = Math.round(sa * 300) + Math.round(sb * 2000) + Math.round(sc * 700);
        if (removed >= target * 3000) best = Math.min(best, dropAt(units[0], sa) + dropAt(units[1], sb) + dropAt(units[2], sc));
      }
      expect(plan.achieved.sparsity).toBeGreaterThanOrEqual(target);
      expect(plan.achieved.sparsity - target).toBeLessThan(1 / 3000 + 1e-12);
      expect(plan.predictedDrop, `target ${target}`).toBeLessThanOrEqual(best + 1e-9);
    }
  });

  it('params and macs targets: the fewest changes that reach them; MACs go where they are cheap to cut', async () => {
    const scan = fakeScan([
      { id: 'light', size: 1000, macsPerWeight: 1, curve: convex(0.1, 2) },
      { id: 'heavy', size: 1000, macsPerWeight: 50, curve: convex(0.1, 2) },
    ]);
    const byParams = await planAllocation(scan, { kind: 'params', value: 1200 });
    expect(byParams.achieved.params).toBe(1200);
    // Same curves, same sizes: by weights the two are pruned alike.
    expect(Math.abs(byParams.units[0].sparsity - byParams.units[1].sparsity)).toBeLessThanOrEqual(0.001);
    const total = scan.totals.nonzeroMacs;
    const byMacs = await planAllocation(scan, { kind: 'macs', value: Math.round(total * 0.5) });
    expect(byMacs.achieved.macs).toBeLessThanOrEqual(Math.round(total * 0.5));
    expect(Math.round(total * 0.5) - byMacs.achieved.macs).toBeLessThanOrEqual(50);
    // By MACs, a weight of `heavy` is worth 50 of `light`.
    expect(byMacs.sparsity.heavy).toBeGreaterThan(0.5);
    expect(byMacs.sparsity.light).toBeLessThan(0.05);
  });

  it('maxDrop: the most compression whose predicted drop stays within the budget', async () => {
    const scan = fakeScan([
      { id: 'a', size: 500, curve: convex(0.04, 2) },
      { id: 'b', size: 1500, curve: convex(0.1, 3) },
    ]);
    let previous = -1;
    for (const budget of [0, 0.005, 0.01, 0.03, 0.2]) {
      const plan = await planAllocation(scan, { kind: 'maxDrop', value: budget });
      expect(plan.predictedDrop).toBeLessThanOrEqual(budget + 1e-12);
      expect(plan.achieved.sparsity).toBeGreaterThanOrEqual(previous);
      previous = plan.achieved.sparsity;
      // One more weight anywhere would cost more than the budget allows (or nothing is left to cut).
      if (budget < 0.1) {
        const harder = await planAllocation(scan, { kind: 'params', value: plan.achieved.params - 2 });
        expect(harder.predictedDrop).toBeGreaterThan(budget);
      }
    }
    // A budget larger than the whole curve: everything at the ladder's top.
    expect((await planAllocation(scan, { kind: 'maxDrop', value: 1 })).sparsity).toEqual({ a: 0.95, b: 0.95 });
  });

  it('caps every unit at the ladder top and says when the target is out of reach', async () => {
    const scan = fakeScan([{ id: 'a', size: 100, curve: convex(0.1, 2) }, { id: 'b', size: 100, curve: convex(0.1, 2) }]);
    const plan = await planAllocation(scan, { kind: 'sparsity', value: 0.99 });
    expect(plan.reached).toBe(false);
    expect(plan.sparsity).toEqual({ a: 0.95, b: 0.95 });
    expect(plan.achieved.sparsity).toBeCloseTo(0.95, 12);
    expect(plan.predictedDrop).toBeCloseTo(2 * 0.1 * 0.95 ** 2, 12);
    // Two units losing 0.72 each would predict 0.9 - 1.44 < 0: the prediction stops at the worst measured metric.
    const steep = fakeScan([{ id: 'a', size: 100, curve: convex(0.8, 2) }, { id: 'b', size: 100, curve: convex(0.8, 2) }]);
    const floored = await planAllocation(steep, { kind: 'sparsity', value: 0.95 });
    expect(floored.predictedDrop).toBeCloseTo(2 * 0.8 * 0.95 ** 2, 12);
    expect(floored.predictedMetric).toBeCloseTo(0.9 - 0.8 * 0.95 ** 2, 12);
    const none = await planAllocation(scan, { kind: 'sparsity', value: 0 });
    expect(none).toMatchObject({ reached: true, sparsity: { a: 0, b: 0 }, predictedDrop: 0, predictedMetric: 0.9 });
  });

  it('channels: sparsities are whole channels (k / C), and the drop is read where pruning will really land', async () => {
    const scan = fakeScan([
      { id: 'g1', size: 8 * 10, channels: 8, curve: [[0.25, 0.9], [0.5, 0.89], [0.75, 0.8], [0.875, 0.6]] },
      { id: 'g2', size: 5 * 30, channels: 5, curve: [[0.2, 0.895], [0.4, 0.885], [0.6, 0.86], [0.8, 0.7]] },
    ]);
    for (const value of [0.1, 0.3, 0.5, 0.7]) {
      const plan = await planAllocation(scan, { kind: 'sparsity', value });
      expect(Number.isInteger(Math.round(plan.sparsity.g1 * 8 * 1e9) / 1e9)).toBe(true);
      expect(Number.isInteger(Math.round(plan.sparsity.g2 * 5 * 1e9) / 1e9)).toBe(true);
      expect(plan.achieved.sparsity).toBeGreaterThanOrEqual(value);
      expect(plan.achieved).toEqual({ ...countAllocation(scan, { g1: plan.sparsity.g1, g2: plan.sparsity.g2 }) });
    }
  });

  it('bytes: bisects on the caller\'s measure until within 1% under the target, with progress and cancel', async () => {
    const scan = fakeScan([
      { id: 'a', size: 40_000, curve: convex(0.05, 2) },
      { id: 'b', size: 10_000, curve: convex(0.2, 2) },
      { id: 'c', size: 2_000, curve: convex(0.5, 1.5) },
    ]);
    const sizes: Record<string, number> = { a: 40_000, b: 10_000, c: 2_000 };
    const rnd = mulberry32(1);
    // Compressed size: sublinear in the nonzeros, plus a little measurement noise.
    const measure = async (perLayer: Record<string, number>) =>
      1000 + Object.entries(perLayer).reduce((n, [id, s]) => n + 4 * sizes[id] * (1 - s) ** 0.8, 0) * (1 + (rnd() - 0.5) * 0.002);
    const dense = await measure({ a: 0, b: 0, c: 0 });
    const progress: string[] = [];
    const control: JobControl = { checkpoint: async (_f, label) => void progress.push(label) };
    for (const share of [0.6, 0.3, 0.15]) {
      const target: PlanTarget = { kind: 'bytes', value: dense * share, measure };
      const plan = await planAllocation(scan, target, { control });
      expect(plan.reached).toBe(true);
      expect(plan.achieved.bytes).toBeLessThanOrEqual(dense * share);
      expect(plan.achieved.bytes).toBeGreaterThanOrEqual(dense * share * 0.98);
      expect(plan.measures).toBeLessThanOrEqual(24);
      expect(plan.target).toEqual({ kind: 'bytes', value: dense * share });
    }
    expect(progress[0]).toBe('Measuring size (1)');
    const unreachable = await planAllocation(scan, { kind: 'bytes', value: 100, measure });
    expect(unreachable.reached).toBe(false);
    let n = 0;
    const cancelling: JobControl = { checkpoint: async () => { if (++n === 4) throw new CancelledError(); } };
    await expect(planAllocation(scan, { kind: 'bytes', value: dense * 0.3, measure }, { control: cancelling })).rejects.toBeInstanceOf(CancelledError);
  });

  it('rejects targets that mean nothing', async () => {
    const scan = fakeScan([{ id: 'a', size: 100, curve: convex(0.1, 2) }]);
    await expect(planAllocation(scan, { kind: 'sparsity', value: 1.5 })).rejects.toThrow(/sparsity: 1.5 is not a fraction/);
    await expect(planAllocation(scan, { kind: 'params', value: -3 })).rejects.toThrow(/params: -3/);
    await expect(planAllocation(scan, { kind: 'maxDrop', value: Number.NaN })).rejects.toThrow(/maxDrop: NaN/);
  });
});
