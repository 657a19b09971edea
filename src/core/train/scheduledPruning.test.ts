import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { listPrunableTensors } from '../graph/prunable';
import { CancelledError, type JobControl } from '../job';
import { findVariable, maskStats, type MaskSet } from '../prune/masks';
import { checkNM, nmAxis } from '../prune/nm';
import { computePruning } from '../prune/pruneRequest';
import { fashionCnn, fashionMlp, randomizeWeights } from '../prune/testModels';
import type { StepInfo } from './maskedTrainer';
import { runPruningSchedule, type PruneStepInfo } from './scheduledPruning';
import { agpSparsity, pruneSchedule } from './schedules';
import { syntheticBatch } from './testData';


function mlp(seed = 3): tf.Sequential {
  const model = fashionMlp();
  randomizeWeights(model, seed);
  return model;
}

/** Global magnitude masks at `sparsity` over every prunable kernel. */
async function magnitudeAt(model: tf.LayersModel, sparsity: number): Promise<MaskSet> {
  return (await computePruning(model, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } })).masks;
}

/** Variable values of every masked tensor, by mask key. */
async function valuesOf(model: tf.LayersModel, masks: MaskSet): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [key, m] of Object.entries(masks)) out[key] = (await findVariable(model, m.layerPath, m.weight)!.read().data()) as Float32Array;
  return out;
}

/** Slot variables of the optimizer by name (the iteration scalar getWeights makes is disposed). */
async function slotsOf(optimizer: tf.Optimizer): Promise<Map<string, tf.Tensor>> {
  const map = new Map<string, tf.Tensor>();
  for (const w of await optimizer.getWeights()) {
    if (w.tensor instanceof tf.Variable) map.set(w.name, w.tensor);
    else w.tensor.dispose();
  }
  return map;
}

function prunedTotal(info: StepInfo): number {
  return Object.values(info.zerosKept).reduce((n, z) => n + z.pruned, 0);
}

describe('runPruningSchedule', () => {
  it('AGP reaches exactly its final sparsity at the schedule end step; each event achieves its target (±1 weight per layer)', async () => {
    const model = mlp();
    const tensors = listPrunableTensors(model);
    const layerSize = new Map<string, number>();
    for (const t of tensors) layerSize.set(t.layerPath, (layerSize.get(t.layerPath) ?? 0) + t.size);
    const total = [...layerSize.values()].reduce((a, b) => a + b, 0);
    const steps = 40;
    const events = pruneSchedule('agp', { final: 0.8, rounds: 6, endStep: 30, totalSteps: steps });
    const seen: PruneStepInfo[] = [];
    const infos: StepInfo[] = [];
    const before = tf.memory().numTensors;
    const r = await runPruningSchedule(model, {
      totalSteps: steps, events,
      batches: (step) => syntheticBatch(500 + step, 16, 4),
      // Per layer, so each layer is exactly round(s * n): the tightest claim the rounding allows.
      prune: async (m, s) => (await computePruning(m, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'perLayer', sparsity: Object.fromEntries([...layerSize.keys()].map((p) => [p, s])) } })).masks,
      onPrune: (e) => {
        seen.push(e);
      },
      onStep: (info) => infos.push(info),
      optimizer: { kind: 'adam', learningRate: 0.01 },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.steps).toBe(steps);
    expect(r.events.map((e) => [e.atStep, e.sparsity])).toEqual(events.map((e) => [e.atStep, e.sparsity]));
    expect(r.events).toHaveLength(6);
    // The cubic: sparsities rise fast, then slowly, and the last event is the final one at endStep.
    expect(r.events[r.events.length - 1]).toMatchObject({ atStep: 30, sparsity: 0.8 });
    r.events.slice(0, -1).forEach((e) => expect(e.sparsity).toBeCloseTo(agpSparsity(e.atStep, { initial: 0, final: 0.8, startStep: 0, steps: 30 }), 12));
    for (const [i, e] of seen.entries()) {
      expect(e.index).toBe(i);
      expect(e.totalEvents).toBe(6);
      const stats = maskStats(e.masks);
      expect(stats.total).toBe(total);
      for (const [layer, n] of layerSize) {
        const pruned = Object.entries(stats.perKey).filter(([k]) => k.startsWith(`${layer}/`)).reduce((a, [, v]) => a + v.pruned, 0);
        expect(Math.abs(pruned - e.sparsity * n), `${layer} at event ${i}`).toBeLessThanOrEqual(1);
      }
      expect(Math.abs(e.achieved - e.sparsity) * total).toBeLessThanOrEqual(layerSize.size);
    }
    // Step by step: below the final count until step 30 (0-based), exactly the final count from then on.
    const finalCount = maskStats(r.masks).pruned;
    expect(Math.abs(finalCount - 0.8 * total)).toBeLessThanOrEqual(layerSize.size);
    infos.forEach((info, i) => {
      if (i < 30) expect(prunedTotal(info)).toBeLessThan(finalCount);
      else expect(prunedTotal(info)).toBe(finalCount);
      for (const z of Object.values(info.zerosKept)) expect(z.kept).toBe(z.pruned);
    });
    expect(infos.map((i) => i.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(infos.every((i) => i.totalSteps === steps)).toBe(true);
    disposeModel(model);
  });

  it('iterative with k rounds gives k events; masks only grow even when the callback picks other weights', async () => {
    const model = mlp();
    const events: PruneStepInfo[] = [];
    const snapshots: MaskSet[] = [];
    const r = await runPruningSchedule(model, {
      totalSteps: 24,
      events: pruneSchedule('iterative', { final: 0.6, rounds: 4, totalSteps: 24 }),
      batches: (step) => syntheticBatch(step, 16, 4),
      // A different random ranking at each event: the new masks do not contain the old ones.
      prune: async (m, s, info) => (await computePruning(m, { granularity: 'unstructured', criterion: 'random', seed: 11 + info.index, target: { kind: 'global', sparsity: s } })).masks,
      onPrune: (e) => {
        events.push(e);
        snapshots.push(structuredClone(e.masks));
      },
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
    });
    expect(events).toHaveLength(4);
    expect(r.events).toHaveLength(4);
    expect(events.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(r.events[3].sparsity).toBe(0.6);
    for (let k = 1; k < 4; k++) {
      expect(r.events[k].sparsity).toBeGreaterThan(r.events[k - 1].sparsity);
      for (const [key, m] of Object.entries(snapshots[k - 1])) {
        const now = snapshots[k][key].keep;
        for (let i = 0; i < m.keep.length; i++) if (m.keep[i] === 0) expect(now[i]).toBe(0);
      }
    }
    // The union of different random picks prunes more than each target: reported, not hidden.
    expect(r.events[3].achieved).toBeGreaterThan(0.6 + 0.05);
    expect(r.events[3].achieved).toBe(maskStats(r.masks).sparsity);
    const values = await valuesOf(model, r.masks);
    for (const [key, m] of Object.entries(r.masks)) for (let i = 0; i < m.keep.length; i++) if (m.keep[i] === 0) expect(values[key][i]).toBe(0);
    disposeModel(model);
  });

  for (const kind of ['adam', 'momentum'] as const) {
    it(`after a run with ${kind}, every pruned weight and its optimizer slots are exactly 0`, async () => {
      const model = mlp();
      const optimizer = kind === 'adam' ? tf.train.adam(0.02) : tf.train.momentum(0.05, 0.9);
      const suffixes = kind === 'adam' ? ['m', 'v'] : ['momentum'];
      let nonzeroSlotsOfNewlyPruned = 0;
      const r = await runPruningSchedule(model, {
        totalSteps: 60,
        events: pruneSchedule('iterative', { final: 0.85, rounds: 3, startStep: 10, endStep: 40, totalSteps: 60 }),
        batches: (step) => syntheticBatch(300 + step, 16, 4),
        prune: async (m, s, info) => {
          const masks = await magnitudeAt(m, s);
          // The weights this event prunes were trained: their slots are nonzero now, so zeroing them
          // is what the check at the end depends on (it fails without it).
          const slots = await slotsOf(optimizer);
          for (const [key, mask] of Object.entries(masks)) {
            const name = (findVariable(m, mask.layerPath, mask.weight)!.read() as tf.Variable).name;
            const prev = info.previous[key]?.keep;
            for (const suffix of suffixes) {
              const values = await slots.get(`${name}/${suffix}`)!.data();
              for (let i = 0; i < mask.keep.length; i++) if (mask.keep[i] === 0 && (!prev || prev[i] === 1) && values[i] !== 0) nonzeroSlotsOfNewlyPruned++;
            }
          }
          return masks;
        },
        optimizer,
        keepOptimizer: true,
      });
      expect(r.events.map((e) => e.atStep)).toEqual([20, 30, 40]);
      expect(nonzeroSlotsOfNewlyPruned).toBeGreaterThan(100);
      const values = await valuesOf(model, r.masks);
      const slots = await slotsOf(optimizer);
      let pruned = 0;
      let kept = 0;
      let nonzeroKeptSlots = 0;
      for (const [key, m] of Object.entries(r.masks)) {
        const name = (findVariable(model, m.layerPath, m.weight)!.read() as tf.Variable).name;
        for (const suffix of suffixes) {
          const slot = await slots.get(`${name}/${suffix}`)!.data();
          for (let i = 0; i < m.keep.length; i++) {
            if (m.keep[i] === 0) {
              expect(slot[i], `${name}/${suffix}[${i}]`).toBe(0);
              expect(values[key][i]).toBe(0);
              pruned++;
            } else {
              kept++;
              if (slot[i] !== 0) nonzeroKeptSlots++;
            }
          }
        }
      }
      expect(pruned).toBe(suffixes.length * maskStats(r.masks).pruned);
      expect(nonzeroKeptSlots).toBeGreaterThan(kept / 2);
      optimizer.dispose();
      disposeModel(model);
    });
  }

  it('leaks no tensor on a BN + Dropout CNN (optimizer owned by the run)', async () => {
    const model = fashionCnn();
    randomizeWeights(model, 5);
    const before = tf.memory().numTensors;
    const r = await runPruningSchedule(model, {
      totalSteps: 12,
      events: pruneSchedule('agp', { final: 0.7, rounds: 3, totalSteps: 12 }),
      batches: (step) => syntheticBatch(step, 8, 8),
      prune: magnitudeAt,
      optimizer: { kind: 'adam', learningRate: 0.01 },
    });
    expect(r.steps).toBe(12);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it('a cancel asked during a step lands before the next batch; nothing leaks and masks hold', async () => {
    const model = mlp();
    let cancelAsked = false;
    let batchesMade = 0;
    const stepsSeen: number[] = [];
    const control: JobControl = {
      checkpoint: async () => {
        if (cancelAsked) throw new CancelledError();
      },
    };
    const before = tf.memory().numTensors;
    const events: number[] = [];
    await expect(
      runPruningSchedule(model, {
        totalSteps: 20,
        events: pruneSchedule('agp', { final: 0.8, rounds: 4, endStep: 16, totalSteps: 20 }),
        batches: (step) => {
          batchesMade++;
          return syntheticBatch(step, 16, 4);
        },
        prune: magnitudeAt,
        onPrune: (e) => {
          events.push(e.atStep);
        },
        onStep: (info) => {
          stepsSeen.push(info.step);
          // The user presses Cancel while step 7 runs (events at steps 4, 8, 12, 16: only the first happened).
          if (info.step === 7) cancelAsked = true;
        },
        optimizer: { kind: 'adam', learningRate: 0.01 },
        control,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(stepsSeen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(batchesMade).toBe(7);
    expect(events).toEqual([4]);
    expect(tf.memory().numTensors).toBe(before);
    // The event that happened stays in the model.
    const masks = await magnitudeAt(model, 0);
    const values = await valuesOf(model, masks);
    const zeros = Object.values(values).reduce((n, v) => n + v.filter((x) => x === 0).length, 0);
    const total = Object.values(values).reduce((n, v) => n + v.length, 0);
    expect(zeros).toBeGreaterThanOrEqual(Math.round(agpSparsity(4, { initial: 0, final: 0.8, startStep: 0, steps: 16 }) * total));
    disposeModel(model);
  });

  it('a cancel asked in onPrune (e.g. while the engine evaluates) stops before any further step', async () => {
    const model = mlp();
    let cancelAsked = false;
    const stepsSeen: number[] = [];
    const before = tf.memory().numTensors;
    await expect(
      runPruningSchedule(model, {
        totalSteps: 8,
        events: pruneSchedule('iterative', { final: 0.5, rounds: 2, totalSteps: 8 }),
        batches: (step) => syntheticBatch(step, 8, 4),
        prune: magnitudeAt,
        onPrune: () => {
          cancelAsked = true;
        },
        onStep: (info) => stepsSeen.push(info.step),
        optimizer: { kind: 'adam', learningRate: 0.01 },
        control: { checkpoint: async () => { if (cancelAsked) throw new CancelledError(); } },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    // First event at step 3 (round(6/2)): steps 1..3 ran, then the event, then the cancel before step 4's batch.
    expect(stepsSeen).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it('2:4 masks from the callback hold the 2:4 pattern in the trained weights', async () => {
    const model = mlp();
    const tensors = listPrunableTensors(model);
    const start = await valuesOf(model, Object.fromEntries(tensors.map((t) => [t.key, { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep: new Uint8Array(t.size) }])));
    const r = await runPruningSchedule(model, {
      totalSteps: 30,
      events: pruneSchedule('oneShot', { final: 0.5, totalSteps: 30 }),
      batches: (step) => syntheticBatch(700 + step, 16, 4),
      prune: async (m) => (await computePruning(m, { granularity: '2:4', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } })).masks,
      optimizer: { kind: 'adam', learningRate: 0.02 },
    });
    expect(r.events).toEqual([{ atStep: 0, sparsity: 0.5, achieved: 0.5 }]);
    const values = await valuesOf(model, r.masks);
    let checked = 0;
    for (const t of tensors) {
      const mask = r.masks[t.key];
      if (!mask) continue;
      const ax = nmAxis(t);
      if ('reason' in ax) continue;
      expect(checkNM(values[t.key], 2, 4, t.shape, ax.axis), t.key).toBe(0);
      // Trained: kept weights moved.
      expect(values[t.key].some((v, i) => mask.keep[i] === 1 && v !== start[t.key][i])).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    // And the pattern is not vacuous: dense weights break it.
    expect(checkNM(start[tensors[0].key], 2, 4, tensors[0].shape)).toBeGreaterThan(0);
    disposeModel(model);
  });

  it('rejects explicit events out of order or out of range before training', async () => {
    const model = mlp();
    const base = { totalSteps: 10, batches: (step: number) => syntheticBatch(step, 8, 4), prune: magnitudeAt, optimizer: { kind: 'sgd' as const, learningRate: 0.1 } };
    await expect(runPruningSchedule(model, { ...base, events: [{ atStep: 5, sparsity: 0.3 }, { atStep: 2, sparsity: 0.5 }] })).rejects.toThrow(/step order/);
    await expect(runPruningSchedule(model, { ...base, events: [{ atStep: 11, sparsity: 0.3 }] })).rejects.toThrow(/within 0\.\.10/);
    disposeModel(model);
  });
});
