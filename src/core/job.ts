// How long-running core work reports progress and honours cancellation without knowing about
// workers or messages: it calls `checkpoint` between batches.

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export interface JobControl {
  /**
   * Called between units of work (batches). Reports progress, yields to the event loop so that a
   * cancel request can arrive, and throws CancelledError when the job was cancelled.
   */
  checkpoint(fraction: number, label: string): Promise<void>;
}

/** A control that never cancels and ignores progress (tests, scripts). */
export const UNCONTROLLED: JobControl = { checkpoint: async () => {} };

/** Maps a sub-job's 0..1 progress into [from, to] of the parent's (same cancellation). */
export function progressBetween(control: JobControl, from: number, to: number): JobControl {
  return { checkpoint: (f, label) => control.checkpoint(from + (to - from) * f, label) };
}
