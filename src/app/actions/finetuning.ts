// Winning accuracy back after pruning: fine-tuning (plain, or pruning on a schedule while it trains),
// its pause / resume / cancel, and BatchNorm recalibration.
import type { FinetuneOptions } from '../../engine/api';
import { isCancelled, messageOf, reportError, type ActionContext } from './actionContext';
import type { HistoryActions } from './history';
import type { PrunePump } from './prunePump';

export interface Finetuning {
  /** Trains the current model on the task's training data; pruned weights stay 0. Cancel with cancelFinetune. */
  startFinetune(options: FinetuneOptions): Promise<void>;
  cancelFinetune(): void;
  /** Holds the running fine-tune between two batches; nothing is lost. */
  pauseFinetune(): void;
  resumeFinetune(): void;
  /** Re-estimates BatchNorm statistics of the current model (no labels, no gradients): a new step. */
  recalibrateBatchNorm(): Promise<void>;
}

export function finetuning(
  { bridge, store }: ActionContext,
  history: Pick<HistoryActions, 'showStep' | 'restorePoint'>,
  pump: Pick<PrunePump, 'cancelPending'>,
): Finetuning {
  const setOutcome = (outcome: string) => store.set((s) => ({ training: s.training && { ...s.training, outcome } }));

  async function startFinetune(options: FinetuneOptions) {
    pump.cancelPending();
    const job = bridge.run((engine, jobId, onProgress) => engine.finetune(jobId, options, onProgress));
    store.set({ training: { jobId: job.jobId, losses: [], metrics: [], outcome: null }, error: null });
    const t0 = performance.now();
    try {
      const step = await job.result;
      history.showStep(step, 'step');
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      setOutcome(`Done in ${secs} s; every pruned weight is still exactly 0.`);
    } catch (e) {
      const steps = store.get().training?.losses.length ?? 0;
      setOutcome(isCancelled(e)
        ? options.schedule
          ? `Cancelled after ${steps} steps; the pruning steps made so far stay in the history, the model is at the last of them.`
          : `Cancelled after ${steps} steps; the model is as it was before.`
        : `Failed: ${messageOf(e)}`);
      reportError(store, e);
      // The engine is at its current point (the last pruning event of a cancelled schedule): show exactly that.
      const { currentPointId } = store.get();
      if (options.schedule && currentPointId !== null) await history.restorePoint(currentPointId, { sliders: false, nav: 'quiet' });
    }
  }

  /** The fine-tune still running, if any. */
  const runningJob = () => {
    const t = store.get().training;
    return t && t.outcome === null ? t.jobId : null;
  };

  function control(action: (jobId: number) => Promise<void>) {
    const jobId = runningJob();
    if (jobId !== null) void action(jobId);
  }

  async function recalibrateBatchNorm() {
    pump.cancelPending();
    try {
      const step = await bridge.run((engine, jobId, onProgress) => engine.recalibrateBatchNorm(jobId, onProgress)).result;
      history.showStep(step, 'step');
    } catch (e) {
      reportError(store, e);
    }
  }

  return {
    startFinetune,
    cancelFinetune: () => control((id) => bridge.cancel(id)),
    pauseFinetune: () => control((id) => bridge.engine.pause(id)),
    resumeFinetune: () => control((id) => bridge.engine.resume(id)),
    recalibrateBatchNorm,
  };
}
