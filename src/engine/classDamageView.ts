// The per-class damage of the current step, as the page shows it: the original's and the current
// model's classes on the same live-subset examples (the task's predictions), compared by
// core/metrics/classDamage.ts, with the flipped examples' pixels or rows attached.
import type { ClassDamageView, FlipView, MetricKind } from './api';
import { confusionChange, flippedExamples, perClassAccuracy, type Flip } from '../core/metrics/classDamage';
import { className } from './dataLoading';
import type { ExamplePredictions, ModelTask } from './tasks';

/** Flipped examples sent of each kind (broken, fixed); the counts say how many there are. */
export const FLIPS_SHOWN = 24;

export function classDamageView(
  task: ModelTask,
  original: ExamplePredictions,
  current: ExamplePredictions,
  names: readonly string[],
  pointId: number,
  metric: MetricKind,
): ClassDamageView {
  const n = Math.max(names.length, 1 + Math.max(0, ...original.labels, ...original.predicted, ...current.predicted));
  const classNames = Array.from({ length: n }, (_, c) => className(names, c));
  const flips = flippedExamples(original.indices, original.labels, original.predicted, current.predicted);
  const view = (list: Flip[]): FlipView[] => {
    const shown = list.slice(0, FLIPS_SHOWN);
    const examples = task.examples?.(shown.map((f) => f.index)) ?? [];
    return shown.map((f, k) => {
      const e = examples[k] ?? { index: f.index, name: `example ${f.index}` };
      const label = classNames[f.label];
      return { index: f.index, label, original: classNames[f.original], current: classNames[f.current], example: { ...e, label, prediction: classNames[f.original] } };
    });
  };
  return {
    pointId,
    metric,
    classes: perClassAccuracy(original.labels, original.predicted, current.predicted, classNames),
    confusion: { names: classNames, change: Array.from(confusionChange(original.labels, original.predicted, current.predicted, n)) },
    flips: { broken: view(flips.broken), fixed: view(flips.fixed), brokenCount: flips.broken.length, fixedCount: flips.fixed.length },
  };
}
