// A saved session back in the engine: the history rebuilt (PointHistory.restore: the live model is
// the saved current step, weights bit for bit), a task to measure it, and the loaded-model record
// that autosave goes on writing to under the same id.
import type * as tf from '@tensorflow/tfjs';
import type { EvalResult } from './api';
import type { JobControl } from '../core/job';
import type { SessionSnapshot } from '../core/session/sessionFormat';
import type { SessionInfo } from '../core/session/sessionStore';
import { disposeModel } from '../core/graph/disposeModel';
import { PointHistory } from './pointHistory';
import { PruningSession } from './pruningSession';
import { sessionHooks, type LoadedModel } from './loadedModel';
import type { ModelTask } from './tasks';
import type { SessionMeta } from './sessionAutosave';

export type MakeTask = (original: tf.LayersModel, origin: 'demo' | 'import') => Promise<ModelTask>;

const DAMAGED = 'The saved session is damaged; it cannot be restored. Delete it from the Sessions list.';

function readMeta(meta: unknown): SessionMeta {
  const m = meta as Partial<SessionMeta> | null;
  const ok = typeof m === 'object' && m !== null && m.format === 1 && typeof m.modelId === 'string' && typeof m.name === 'string' &&
    typeof m.source === 'object' && m.source !== null && typeof m.baseline === 'object' && m.baseline !== null && typeof (m.baseline as EvalResult).value === 'number';
  if (!ok) throw new Error(DAMAGED);
  return m as SessionMeta;
}

/** The saved session as a loaded model with its pruning session; nothing is replaced here. */
export async function restoreSession(snapshot: SessionSnapshot, info: SessionInfo, makeTask: MakeTask, control: JobControl): Promise<LoadedModel> {
  const meta = readMeta(snapshot.meta);
  const history = await PointHistory.restore(snapshot.steps, snapshot.currentId);
  let task: ModelTask | null = null;
  try {
    await control.checkpoint(0.6, 'Preparing the measurements');
    const original = await history.buildOriginal();
    try {
      task = await makeTask(original, meta.source.kind === 'demo' ? 'demo' : 'import');
      // Fidelity compares with the original's outputs: measure them again (cheap: generated probes).
      if (task.metric === 'fidelity') await task.baseline(original, control);
      // New steps are measured on the examples the saved ones were.
      task.resumeLiveSet?.(history.original.metric.count);
    } finally {
      disposeModel(original);
    }
    const session = PruningSession.resume(history, sessionHooks(task));
    return { id: meta.modelId, name: meta.name, source: meta.source, task, session, model: null, baseline: meta.baseline, saved: { id: info.id, name: info.name } };
  } catch (e) {
    task?.dispose();
    history.dispose();
    throw e;
  }
}
