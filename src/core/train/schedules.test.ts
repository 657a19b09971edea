import { describe, expect, it } from 'vitest';
import { agpSparsity, pruneSchedule } from './schedules';

describe('AGP sparsity (Zhu & Gupta 2017)', () => {
  const o = { initial: 0.05, final: 0.9, startStep: 100, steps: 1000 };

  it('is s_i before t0 and exactly s_f from t0 + n·Δt on', () => {
    expect(agpSparsity(0, o)).toBe(0.05);
    expect(agpSparsity(100, o)).toBe(0.05);
    expect(agpSparsity(1100, o)).toBe(0.9);
    expect(agpSparsity(5000, o)).toBe(0.9);
  });

  it('equals the cubic formula at midpoints and rises monotonically', () => {
    for (const t of [101, 250, 600, 777, 1099]) {
      const expected = 0.9 + (0.05 - 0.9) * Math.pow(1 - (t - 100) / 1000, 3);
      expect(agpSparsity(t, o)).toBeCloseTo(expected, 12);
    }
    // Half way through, (1/2)^3 of the gap is left.
    expect(agpSparsity(600, o)).toBeCloseTo(0.9 - 0.85 / 8, 12);
    let prev = -1;
    for (let t = 0; t <= 1200; t += 7) {
      const s = agpSparsity(t, o);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
  });

  it('refuses sparsities outside [0, 1]', () => {
    expect(() => agpSparsity(1, { ...o, final: 1.5 })).toThrow(/final/);
  });
});

describe('pruning schedules', () => {
  it('agp: events every Δt, on the cubic, the last exactly at the final sparsity', () => {
    const ev = pruneSchedule('agp', { final: 0.875, totalSteps: 1000, frequency: 100, startStep: 0, endStep: 800 });
    expect(ev.map((e) => e.atStep)).toEqual([100, 200, 300, 400, 500, 600, 700, 800]);
    expect(ev[ev.length - 1].sparsity).toBe(0.875);
    for (const e of ev) expect(e.sparsity).toBeCloseTo(agpSparsity(e.atStep, { initial: 0, final: 0.875, startStep: 0, steps: 800 }), 12);
    expect(ev[3].sparsity).toBeCloseTo(0.875 * (1 - 0.5 ** 3), 12);
  });

  it('agp with rounds and the default end (3/4 of the steps)', () => {
    const ev = pruneSchedule('agp', { final: 0.9, totalSteps: 400, rounds: 3 });
    expect(ev.map((e) => e.atStep)).toEqual([100, 200, 300]);
    expect(ev[2].sparsity).toBe(0.9);
    expect(ev[0].sparsity).toBeCloseTo(0.9 * (1 - (2 / 3) ** 3), 12);
  });

  it('oneShot: one event at the start at the final sparsity', () => {
    expect(pruneSchedule('oneShot', { final: 0.7, totalSteps: 50, startStep: 5 })).toEqual([{ atStep: 5, sparsity: 0.7 }]);
  });

  it('iterative: each round removes the same fraction of what is left, ending exactly at final', () => {
    const ev = pruneSchedule('iterative', { final: 0.936, totalSteps: 100, rounds: 3, endStep: 90 });
    expect(ev.map((e) => e.atStep)).toEqual([30, 60, 90]);
    // 1 - 0.936 = 0.064 = 0.4^3: 60% of the remaining weights go each round.
    expect(ev[0].sparsity).toBeCloseTo(0.6, 12);
    expect(ev[1].sparsity).toBeCloseTo(0.84, 12);
    expect(ev[2].sparsity).toBe(0.936);
  });

  it('a nonzero initial sparsity is an event at t0; colliding steps merge', () => {
    const ev = pruneSchedule('agp', { initial: 0.2, final: 0.5, totalSteps: 10, rounds: 20, endStep: 4 });
    expect(ev[0]).toEqual({ atStep: 0, sparsity: 0.2 });
    const steps = ev.map((e) => e.atStep);
    expect(new Set(steps).size).toBe(steps.length);
    expect(ev[ev.length - 1]).toEqual({ atStep: 4, sparsity: 0.5 });
    for (let i = 1; i < ev.length; i++) expect(ev[i].sparsity).toBeGreaterThanOrEqual(ev[i - 1].sparsity);
  });

  it('refuses schedules that do not fit', () => {
    expect(() => pruneSchedule('agp', { final: 0.5, totalSteps: 10, endStep: 20 })).toThrow(/within/);
    expect(() => pruneSchedule('iterative', { final: 0.3, initial: 0.5, totalSteps: 10 })).toThrow(/above/);
  });
});
