// The engine's one loaded model: where it came from, what it is measured on, and, once its baseline
// is measured, its pruning session. Loading another model disposes this one (its tensors, and its
// task unless the new model shares it).
import type * as tf from '@tensorflow/tfjs';
import { GRAPH_CANNOT_TRAIN, type CompareSide, type DataChoices, type DataSummary, type EvalResult, type ModelFile, type ModelSource, type ModelSummary, type ScanRequest } from './api';
import type { JobControl } from '../core/job';
import { disposeModel } from '../core/graph/disposeModel';
import type { SensitivityScan } from '../core/plan';
import { unmeasuredView } from './modelView';
import type { PlanMetric } from './planMetric';
import { PruningSession, type SessionHooks } from './pruningSession';
import type { GraphSession } from './graphSession';
import type { ExamplePredictions, ModelTask } from './tasks';

export interface LoadedModel {
  id: string;
  name: string;
  source: ModelSource;
  task: ModelTask;
  /** The compare panel's original side, measured once. */
  originalSide?: CompareSide;
  /** The last sensitivity scan, the starting point it was made on, the channel norm it ranked by and how the metric was scored. */
  scan?: { baseId: number; scan: SensitivityScan; channelNorm?: ScanRequest['channelNorm']; score: PlanMetric };
  /** The user's data the task measures on (kept to read it again with other choices); absent: the demo data or generated inputs. */
  data?: { files: ModelFile[]; choices: DataChoices; summary: DataSummary };
  /** The original model's classes on the live subset, for per-class damage, measured once. */
  originalPredictions?: ExamplePredictions | null;
  /** Set once the baseline is measured; until then `model` is the only copy. Always null for a graph model. */
  session: PruningSession | null;
  /** A graph model's session (measured at import); `task` then only names its metric and refuses training. */
  graph?: GraphSession;
  model: tf.LayersModel | null;
  /** The original model on the whole held-out set, once measured (what a saved session keeps). */
  baseline?: EvalResult;
  /** The saved session this model's work goes to (sessionAutosave.ts), once first saved or when opened from one. */
  saved?: { id: string; name: string };
}

/** The session's metric and calibration data come from the model's task. */
export function sessionHooks(task: ModelTask): SessionHooks {
  return {
    evaluate: (m: tf.LayersModel, c: JobControl) => task.evaluate(m, c, true),
    calibration: (m: tf.LayersModel, c: JobControl) => task.calibration(c, m),
  };
}

export class ModelSlot {
  private current: LoadedModel | null = null;

  replace(next: LoadedModel): void {
    if (this.current?.graph) this.current.graph.dispose();
    else if (this.current?.session) this.current.session.dispose();
    else if (this.current?.model) disposeModel(this.current.model);
    if (this.current && this.current.task !== next.task) this.current.task.dispose();
    this.current = next;
  }

  /** The loaded model, or null before the first one. */
  peek(): LoadedModel | null {
    return this.current;
  }

  require(): LoadedModel {
    if (!this.current) throw new Error('No model is loaded');
    return this.current;
  }

  /** The loaded graph model's session, or null when a Layers model (or none) is loaded. */
  graph(): GraphSession | null {
    return this.current?.graph ?? null;
  }

  /** The loaded model and its session; refused until the baseline is measured, and for a graph model (GRAPH_CANNOT_TRAIN). */
  requireSession(): { loaded: LoadedModel; session: PruningSession } {
    const loaded = this.require();
    if (loaded.graph) throw new Error(GRAPH_CANNOT_TRAIN);
    if (!loaded.session) throw new Error('The original model has not been measured yet');
    return { loaded, session: loaded.session };
  }

  /** The loaded model before its baseline is measured (the only time it has no session). */
  requireUnmeasured(): { loaded: LoadedModel; model: tf.LayersModel } {
    const loaded = this.require();
    if (loaded.session || loaded.graph || !loaded.model) throw new Error('The baseline of this model is already measured');
    return { loaded, model: loaded.model };
  }

  /** Starts the loaded model's session; `live` is the original's metric on the live subset, measured by the caller. */
  async startSession(live: EvalResult): Promise<PruningSession> {
    const { loaded, model } = this.requireUnmeasured();
    loaded.session = await PruningSession.start(model, sessionHooks(loaded.task), live);
    loaded.model = null;
    return loaded.session;
  }

  /** The tf model as it is now: the session's live model, or the freshly loaded one. */
  liveModel(): tf.LayersModel {
    const c = this.require();
    if (c.graph) throw new Error(GRAPH_CANNOT_TRAIN);
    return c.session ? c.session.model : c.model!;
  }

  async summary(): Promise<ModelSummary> {
    const c = this.require();
    const view = c.graph ? c.graph.summary() : c.session ? await c.session.summary() : await unmeasuredView(c.model!);
    return { id: c.id, name: c.name, ...view, source: c.source };
  }
}
