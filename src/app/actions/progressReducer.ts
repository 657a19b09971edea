// How a running job's progress event changes the studio: the progress bar, a history point a
// pruning schedule has just made, and the fine-tune's loss and metric curves. Pure: state in, changes out.
import type { JobProgress } from '../../engine/api';
import type { StudioState } from '../store';
import { timelineWithEvent } from './histogramTimeline';

export function progressOnScreen(s: StudioState, progress: JobProgress | null): Partial<StudioState> {
  // A point a running job made (a pruning event of a schedule): on the chart and current at once,
  // so the user can undo back to where the schedule started.
  const point = progress?.point;
  if (point && !s.history.some((p) => p.id === point.id)) {
    const moved = s.currentPointId !== null && s.currentPointId !== point.id;
    return {
      progress, history: [...s.history, point], currentPointId: point.id, current: point.metric,
      undo: moved ? [...s.undo, s.currentPointId!] : s.undo, redo: [],
      // Its histograms came with it: the timeline grows a row at once.
      ...timelineWithEvent(s, progress),
    };
  }
  const t = progress?.train;
  const training = s.training;
  // Progress of another job (an earlier fine-tune, a prune) never touches this fine-tune's curves.
  if (!t || !training || training.jobId !== progress.jobId) return { progress };
  // Events repeat a step (pause, resume, several checkpoints per step): each step adds one loss.
  const newLoss = training.losses.length < t.step;
  const newMetric = t.metricStep !== undefined && t.metric !== undefined && training.metrics.at(-1)?.step !== t.metricStep;
  if (!newLoss && !newMetric) return { progress };
  return {
    progress,
    training: {
      ...training,
      losses: newLoss ? [...training.losses, t.loss] : training.losses,
      metrics: newMetric ? [...training.metrics, { step: t.metricStep!, value: t.metric! }] : training.metrics,
    },
  };
}
