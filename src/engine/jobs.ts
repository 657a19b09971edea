// Job bookkeeping on the worker side: progress forwarding and cooperative cancellation by job id.
import { CancelledError, type JobControl } from '../core/job';
import type { ProgressCallback, TrainProgress } from './api';

/** Lets the worker's event loop run so queued messages (a cancel) are handled between batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What a running job can do besides checkpointing: attach training figures to its progress events. */
export interface JobHandle {
  control: JobControl;
  setTrain(train: TrainProgress | undefined): void;
}

export class JobRegistry {
  private readonly cancelled = new Set<number>();
  private readonly running = new Set<number>();

  cancel(jobId: number) {
    if (this.running.has(jobId)) this.cancelled.add(jobId);
  }

  async run<T>(jobId: number, onProgress: ProgressCallback | undefined, work: (control: JobControl, job: JobHandle) => Promise<T>): Promise<T> {
    this.running.add(jobId);
    let train: TrainProgress | undefined;
    const control: JobControl = {
      checkpoint: async (fraction, label) => {
        onProgress?.({ jobId, fraction, label, train });
        await yieldToEventLoop();
        if (this.cancelled.has(jobId)) throw new CancelledError();
      },
    };
    try {
      return await work(control, { control, setTrain: (t) => (train = t) });
    } finally {
      this.running.delete(jobId);
      this.cancelled.delete(jobId);
    }
  }
}
