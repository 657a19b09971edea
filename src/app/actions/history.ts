// Moving along the history: a step's numbers on screen, restoring a point, undo and redo.
import type { StepResult } from '../../engine/api';
import { controlsOf } from '../pruneControls';
import { canAct, type StudioState } from '../store';
import { reportError, type ActionContext } from './actionContext';

/**
 * How a change of the current step enters undo/redo: 'step' is a user action (a new step, a click on
 * a point): the old step can be undone to; 'undo' / 'redo' move along the stacks; 'quiet' (a resync)
 * leaves them alone.
 */
export type Nav = 'step' | 'undo' | 'redo' | 'quiet';

/** A step's numbers on screen: the point's own metric, the figure its dot on the chart shows. Pure. */
export function stepOnScreen(s: StudioState, { point, summary }: StepResult, nav: Nav): Partial<StudioState> {
  const prev = s.currentPointId;
  const moved = prev !== null && prev !== point.id;
  let { undo, redo } = s;
  if (moved && nav === 'step') [undo, redo] = [[...undo, prev], []];
  if (moved && nav === 'undo') redo = [...redo, prev];
  if (moved && nav === 'redo') undo = [...undo, prev];
  return {
    summary,
    currentPointId: point.id,
    undo,
    redo,
    history: s.history.some((p) => p.id === point.id) ? s.history : [...s.history, point],
    current: point.metric,
  };
}

export interface HistoryActions {
  showStep(step: StepResult, nav: Nav): void;
  /** Makes a history step current again; by default the sliders show the settings that produced it. */
  restorePoint(id: number, options?: { sliders?: boolean; nav?: Nav }): Promise<void>;
  /** Ctrl+Z: back to the step that was current before the last change. */
  undo(): void;
  /** Ctrl+Shift+Z: forward again after an undo. */
  redo(): void;
}

export function historyActions({ bridge, store }: ActionContext): HistoryActions {
  const showStep = (step: StepResult, nav: Nav) => store.set((s) => stepOnScreen(s, step, nav));

  async function restorePoint(id: number, options: { sliders?: boolean; nav?: Nav } = {}) {
    try {
      const step = await bridge.run((engine, jobId, onProgress) => engine.restore(jobId, id, onProgress)).result;
      showStep(step, options.nav ?? 'step');
      if (options.sliders ?? true) store.set((s) => ({ controls: controlsOf(step.point, s.controls) }));
    } catch (e) {
      reportError(store, e);
    }
  }

  /** Pops the newest id of a stack and makes it current, when the user may act. */
  function walk(stack: 'undo' | 'redo') {
    const s = store.get();
    const ids = s[stack];
    if (!canAct(s) || ids.length === 0) return;
    store.set({ [stack]: ids.slice(0, -1) });
    void restorePoint(ids[ids.length - 1], { nav: stack });
  }

  return { showStep, restorePoint, undo: () => walk('undo'), redo: () => walk('redo') };
}
