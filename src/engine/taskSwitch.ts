// Measuring the loaded model on other examples: its original becomes a fresh history under another
// task (the user's data, or back to the demo's), and the per-class damage of the current step.
import type * as tf from '@tensorflow/tfjs';
import type { BaselineResult, ClassDamageView, EvalResult, ModelSource, ModelSummary } from './api';
import { progressBetween, type JobControl } from '../core/job';
import { disposeModel } from '../core/graph/disposeModel';
import { classDamageView } from './classDamageView';
import { sessionHooks, type LoadedModel, type ModelSlot } from './loadedModel';
import { PruningSession } from './pruningSession';
import type { ModelTask } from './tasks';

/** Measures a copy of the original model under a new task (the task is the caller's until it returns). */
export type MeasureTask = (original: tf.LayersModel, loaded: LoadedModel) => Promise<{ task: ModelTask; live: EvalResult; baseline: EvalResult; data: LoadedModel['data'] }>;

/**
 * The loaded model with another task: a copy of the original measured by `measure` becomes a fresh
 * history (the figures of earlier steps were measured on other examples); the loaded model is
 * swapped only when all of that worked.
 */
/** Why a graph model keeps its metric when data is dropped. */
export const GRAPH_DATA_LATER =
  'Your own data measures Layers models only for now: a graph model is measured on the demo images when they fit it, else by fidelity to the original on generated inputs.';

export async function freshHistory(
  models: ModelSlot, control: JobControl, label: string, measure: MeasureTask, summary: () => Promise<ModelSummary>,
): Promise<{ result: BaselineResult; data: LoadedModel['data'] }> {
  if (models.graph()) throw new Error(GRAPH_DATA_LATER);
  const { loaded, session } = models.requireSession();
  await control.checkpoint(0, label);
  const original = await session.buildOriginal();
  let owned = true;
  try {
    const { task, live, baseline, data } = await measure(original, loaded);
    let next: PruningSession;
    try {
      next = await PruningSession.start(original, sessionHooks(task), live);
    } catch (e) {
      task.dispose();
      throw e;
    }
    owned = false;
    const source: ModelSource = { ...loaded.source, metric: task.metric, metricNote: task.note, labelled: task.labelled };
    models.replace({ id: loaded.id, name: loaded.name, source, task, model: null, session: next, data, baseline });
    return { result: { baseline, point: next.current, summary: await summary() }, data };
  } finally {
    if (owned) disposeModel(original);
  }
}

/** What the current step did to each class against the original (null: the task has no classes). */
export async function classDamage(models: ModelSlot, control: JobControl): Promise<ClassDamageView | null> {
  const { loaded, session } = models.requireSession();
  const task = loaded.task;
  if (!task.predictions) return null;
  if (loaded.originalPredictions === undefined) {
    const original = await session.buildOriginal();
    try {
      loaded.originalPredictions = await task.predictions(original, progressBetween(control, 0, 0.5));
    } finally {
      disposeModel(original);
    }
  }
  const current = await task.predictions(session.model, progressBetween(control, 0.5, 1));
  if (!loaded.originalPredictions || !current) return null;
  const names = task.classNames ?? loaded.source.labels ?? [];
  return classDamageView(task, loaded.originalPredictions, current, names, session.current.id, task.metric);
}
