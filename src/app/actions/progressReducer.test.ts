import { describe, expect, it } from 'vitest';
import type { JobProgress, TrainProgress } from '../../engine/api';
import { initialStudioState, type StudioState } from '../store';
import { historyPoint } from './fakeStudio';
import { progressOnScreen } from './progressReducer';

const train = (step: number, extra: Partial<TrainProgress> = {}): TrainProgress =>
  ({ step, totalSteps: 10, loss: 1 / step, etaMs: 0, zerosKept: 0, zerosPruned: 0, ...extra });

const event = (jobId: number, extra: Partial<JobProgress> = {}): JobProgress => ({ jobId, fraction: 0.5, label: 'Training', ...extra });

/** Applies events in order, as the store does. */
function replay(start: StudioState, events: (JobProgress | null)[]): StudioState {
  return events.reduce<StudioState>((s, e) => ({ ...s, ...progressOnScreen(s, e) }), start);
}

function training(): StudioState {
  const original = historyPoint(1);
  return {
    ...initialStudioState(), history: [original], currentPointId: 1, current: original.metric,
    redo: [7], training: { jobId: 5, losses: [], metrics: [], outcome: null },
  };
}

describe('progressOnScreen', () => {
  it("a schedule's pruning event joins the history and becomes the current step, undoable back to where it started", () => {
    const made = historyPoint(2, { metric: { metric: 'accuracy', subset: true, value: 0.7, count: 100, ms: 1 } });
    const s = replay(training(), [event(5, { point: made })]);
    expect(s.history.map((p) => p.id)).toEqual([1, 2]);
    expect(s.currentPointId).toBe(2);
    expect(s.current?.value).toBe(0.7);
    expect(s.undo).toEqual([1]);
    expect(s.redo).toEqual([]);
    // The same point announced again (a repeated event) adds nothing.
    const again = replay(s, [event(5, { point: made, fraction: 0.6 })]);
    expect(again.history).toHaveLength(2);
    expect(again.undo).toEqual([1]);
    expect(again.progress?.fraction).toBe(0.6);
  });

  it('the loss curve gets one value per training step, the metric curve one per measured step, however often events repeat', () => {
    const s = replay(training(), [
      event(5, { train: train(1) }),
      event(5, { train: train(1), paused: true, label: 'Paused: Training' }),
      event(5, { train: train(1) }),
      event(5, { train: train(2, { metric: 0.8, metricStep: 2 }) }),
      event(5, { train: train(2, { metric: 0.8, metricStep: 2 }) }),
      event(5, { train: train(3, { metric: 0.8, metricStep: 2 }) }),
      event(5, { train: train(4, { metric: 0.85, metricStep: 4 }) }),
    ]);
    expect(s.training?.losses).toEqual([1, 1 / 2, 1 / 3, 1 / 4]);
    expect(s.training?.metrics).toEqual([{ step: 2, value: 0.8 }, { step: 4, value: 0.85 }]);
    expect(s.progress?.fraction).toBe(0.5);
  });

  it("another job's progress moves the bar but never this fine-tune's curves; the end of a job clears the bar", () => {
    const s = replay(training(), [event(4, { train: train(1) }), event(9, { label: 'Pruning' })]);
    expect(s.training?.losses).toEqual([]);
    expect(s.progress?.label).toBe('Pruning');
    expect(replay(s, [null]).progress).toBeNull();
  });
});
