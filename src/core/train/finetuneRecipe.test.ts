// From the panel's options to a run: steps, optimizer, loss choice, schedule events and the labels the
// history shows; and the live figures of a running fine-tune.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { JobControl } from '../job';
import { fashionCnn, randomizeWeights } from '../prune/testModels';
import { finetuneRecipe, recipeLoss, regularizerOf, watchTraining, type FinetuneOptions, type TrainProgress } from './finetuneRecipe';
import type { StepInfo } from './maskedTrainer';

const ADAM: FinetuneOptions = { epochs: 1, learningRate: 0.001, optimizer: 'adam', batchSize: 32 };

describe('finetuneRecipe', () => {
  it('turns epochs into steps and names the run', () => {
    const r = finetuneRecipe(ADAM, { stepsPerEpoch: 40, labelled: true });
    expect(r).toMatchObject({ steps: 40, distil: false, optimizer: { kind: 'adam', learningRate: 0.001 }, label: 'fine-tuned 1 epoch, Adam lr 0.001', schedule: null });
    expect(r.regularizer).toBeUndefined();
    const sgd = finetuneRecipe({ ...ADAM, optimizer: 'sgd', epochs: 0.25, learningRate: 0.05 }, { stepsPerEpoch: 10, labelled: true });
    expect(sgd).toMatchObject({ steps: 3, optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }, label: 'fine-tuned 0.25 epochs, SGD lr 0.05' });
    expect(finetuneRecipe({ ...ADAM, epochs: 0.01 }, { stepsPerEpoch: 10, labelled: true }).steps).toBe(1);
  });

  it('distils when asked, and always without labels', () => {
    expect(finetuneRecipe({ ...ADAM, targets: 'distill' }, { stepsPerEpoch: 5, labelled: true })).toMatchObject({ distil: true, label: 'distilled 1 epoch, Adam lr 0.001' });
    expect(finetuneRecipe({ ...ADAM, targets: 'labels' }, { stepsPerEpoch: 5, labelled: false }).distil).toBe(true);
    expect(() => recipeLoss(finetuneRecipe(ADAM, { stepsPerEpoch: 5, labelled: false }), null)).toThrow('internal: distillation needs the original model');
  });

  it('a schedule gives its events, the kind for each event label, and says so in the run label', () => {
    const agp = finetuneRecipe({ ...ADAM, schedule: { kind: 'agp', final: 0.9, rounds: 4, granularity: 'unstructured', criterion: 'taylor' } }, { stepsPerEpoch: 100, labelled: true });
    expect(agp.label).toBe('fine-tuned 1 epoch, Adam lr 0.001, pruning gradually (AGP) to 90%');
    expect(agp.schedule).toMatchObject({ kindLabel: 'AGP', granularity: 'unstructured', criterion: 'taylor' });
    expect(agp.schedule!.events.map((e) => e.atStep)).toEqual([19, 38, 56, 75]);
    expect(agp.schedule!.events.at(-1)!.sparsity).toBe(0.9);
    // More rounds than steps: one event per step at most; the label keeps what was asked.
    const it = finetuneRecipe({ ...ADAM, schedule: { kind: 'iterative', final: 0.5, rounds: 10, granularity: '2:4', criterion: 'magnitude' } }, { stepsPerEpoch: 3, labelled: true });
    expect(it.label).toBe('fine-tuned 1 epoch, Adam lr 0.001, pruning in 10 rounds to 50%');
    expect(it.schedule!.kindLabel).toBe('Iterative');
    expect(it.schedule!.events.length).toBeLessThanOrEqual(3);
  });

  it('maps each regulariser kind to a penalty on the model', () => {
    const model = fashionCnn();
    randomizeWeights(model);
    for (const kind of ['l1', 'groupLasso', 'bnGamma'] as const) {
      const penalty = regularizerOf({ kind, strength: 0.01 });
      const value = tf.tidy(() => penalty(model).arraySync() as number);
      expect(value, kind).toBeGreaterThan(0);
    }
    model.dispose();
  });
});

describe('watchTraining', () => {
  const step = (n: number, total: number): StepInfo => ({ step: n, totalSteps: total, loss: 1 / n, zerosKept: { a: { kept: 3, pruned: 3 }, b: { kept: 1, pruned: 2 } }, verified: true, ms: 1 });

  it('reports each step, and measures the metric every 10 steps and after the last, once each', async () => {
    let clock = 0;
    const reports: TrainProgress[] = [];
    const measured: number[] = [];
    const passed: string[] = [];
    const control: JobControl = { checkpoint: async (_f, label) => { passed.push(label); } };
    const watch = watchTraining({
      totalSteps: 25, control, now: () => clock, report: (p) => reports.push(p),
      measure: async () => {
        measured.push(reports.at(-1)!.step);
        return measured.length / 10;
      },
    });
    for (let n = 1; n <= 25; n++) {
      clock += 100;
      watch.onStep(step(n, 25));
      await watch.control.checkpoint(n / 25, 'Training');
      await watch.control.checkpoint(n / 25, 'Training');
    }
    expect(measured).toEqual([10, 20, 25]);
    expect(passed).toHaveLength(50);
    const at12 = reports.find((r) => r.step === 12)!;
    expect(at12).toMatchObject({ totalSteps: 25, loss: 1 / 12, etaMs: 1300, zerosKept: 4, zerosPruned: 5, metric: 0.1, metricStep: 10 });
    expect(reports.at(-1)).toMatchObject({ step: 25, etaMs: 0, metric: 0.3, metricStep: 25 });
  });

  it('measures nothing before the first step', async () => {
    let measures = 0;
    const watch = watchTraining({ totalSteps: 5, control: { checkpoint: async () => {} }, report: () => {}, measure: async () => ++measures });
    await watch.control.checkpoint(0, 'Starting');
    expect(measures).toBe(0);
  });
});
