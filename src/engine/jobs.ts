// Job bookkeeping on the worker side: progress forwarding and cooperative cancellation by job id.
import { CancelledError, type JobControl } from '../core/job';
import type { HistoryPoint, ProgressCallback, TrainProgress, WeightsOverview } from './api';

/** Lets the worker's event loop run so queued messages (a cancel) are handled between batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What a running job can do besides checkpointing: attach training figures to its progress events. */
export interface JobHandle {
  control: JobControl;
  setTrain(train: TrainProgress | undefined): void;
  /** Sends a history point the job has just made to the page (with its histograms, when read), before the job ends. */
  announce(point: HistoryPoint, weights?: WeightsOverview): void;
}

export class JobRegistry {
  private readonly cancelled = new Set<number>();
  private readonly running = new Set<number>();
  /** Paused jobs, each with the way to let it go on. */
  private readonly paused = new Map<number, { resume: Promise<void>; release: () => void }>();

  cancel(jobId: number) {
    if (!this.running.has(jobId)) return;
    this.cancelled.add(jobId);
    this.resume(jobId); // a paused job must wake up to see the cancel
  }

  /** Holds a job at its next checkpoint (between batches) until resume or cancel. */
  pause(jobId: number) {
    if (!this.running.has(jobId) || this.paused.has(jobId)) return;
    let release = () => {};
    const resume = new Promise<void>((ok) => (release = ok));
    this.paused.set(jobId, { resume, release });
  }

  resume(jobId: number) {
    this.paused.get(jobId)?.release();
    this.paused.delete(jobId);
  }

  async run<T>(jobId: number, onProgress: ProgressCallback | undefined, work: (control: JobControl, job: JobHandle) => Promise<T>): Promise<T> {
    this.running.add(jobId);
    let train: TrainProgress | undefined;
    const control: JobControl = {
      checkpoint: async (fraction, label) => {
        onProgress?.({ jobId, fraction, label, train });
        await yieldToEventLoop();
        const hold = this.paused.get(jobId);
        if (hold) {
          onProgress?.({ jobId, fraction, label: `Paused: ${label}`, train, paused: true });
          await hold.resume;
          onProgress?.({ jobId, fraction, label, train });
        }
        if (this.cancelled.has(jobId)) throw new CancelledError();
      },
    };
    try {
      return await work(control, {
        control,
        setTrain: (t) => (train = t),
        announce: (point, weights) => onProgress?.({ jobId, fraction: 0, label: point.label, train, point, ...(weights ? { weights } : {}) }),
      });
    } finally {
      this.running.delete(jobId);
      this.cancelled.delete(jobId);
      this.resume(jobId);
    }
  }
}
