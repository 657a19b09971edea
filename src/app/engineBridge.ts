// The page's only door to the worker: wraps it once with comlink, runs calls one at a time (the
// engine owns one model), numbers jobs so they can be cancelled, and forwards progress.
import * as Comlink from 'comlink';
import type { JobProgress, StudioEngineApi } from '../engine/api';

export type EngineRemote = Comlink.Remote<StudioEngineApi>;

export interface BridgeEvents {
  /**
   * `busy`: any job is queued or running. `acting`: one the user started is (a background job, such
   * as measuring export sizes, never holds the user's buttons back; theirs simply queue behind it).
   */
  onBusyChange(busy: boolean, acting: boolean): void;
  onProgress(p: JobProgress | null): void;
  /** The worker itself failed (script error, crash); nothing more will run. */
  onWorkerError(message: string): void;
}

/** What a cancelled job rejects with: the same name and message as the engine's own cancel. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** A job waiting in the page-side queue: how to end it early if it is cancelled before its turn. */
interface QueuedJob {
  weight: number;
  reject(e: Error): void;
}

export class EngineBridge {
  readonly engine: EngineRemote;
  private queue: Promise<void> = Promise.resolve();
  /** Jobs not yet handed to the engine, by id. */
  private readonly queued = new Map<number, QueuedJob>();
  private pending = 0;
  private foreground = 0;
  private nextJobId = 1;

  /** `engine`: the engine worker's remote, started here unless given (tests pass their own). */
  constructor(private readonly events: BridgeEvents, engine?: EngineRemote) {
    this.engine = engine ?? EngineBridge.startWorker(events);
  }

  private static startWorker(events: BridgeEvents): EngineRemote {
    const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'secateur-engine' });
    worker.addEventListener('error', (e) => events.onWorkerError(e.message || 'the engine worker failed to start'));
    worker.addEventListener('messageerror', () => events.onWorkerError('a message from the engine could not be read'));
    return Comlink.wrap<StudioEngineApi>(worker);
  }

  /**
   * Queues one engine call. `call` gets a job id and a progress callback to hand to the engine.
   * Resolves or rejects with the engine's result; the queue goes on either way. A `background` job
   * keeps the studio busy but not acting.
   */
  run<T>(
    call: (engine: EngineRemote, jobId: number, onProgress: (p: JobProgress) => void) => Promise<T>,
    { background = false }: { background?: boolean } = {},
  ): { jobId: number; result: Promise<T> } {
    const jobId = this.nextJobId++;
    const weight = background ? 0 : 1;
    this.setPending(+1, weight);
    const onProgress = Comlink.proxy((p: JobProgress) => this.events.onProgress(p));
    let settle!: { resolve(value: T): void; reject(e: unknown): void };
    const result = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
    this.queued.set(jobId, { weight, reject: settle.reject });
    this.queue = this.queue.then(async () => {
      // Cancelled while it waited: it never reaches the engine (cancel has already settled it).
      if (!this.queued.delete(jobId)) return;
      try {
        settle.resolve(await call(this.engine, jobId, onProgress));
      } catch (e) {
        settle.reject(e);
      }
      this.finish(weight);
    });
    return { jobId, result };
  }

  /**
   * Cancels a job. One still waiting in the page-side queue never starts: its result rejects with a
   * CancelledError at once and it stops counting as busy. A running one is told to stop at its next
   * batch boundary (the engine then rejects it the same way); a finished one is left alone.
   */
  cancel(jobId: number): Promise<void> {
    const job = this.queued.get(jobId);
    if (!job) return this.engine.cancel(jobId);
    this.queued.delete(jobId);
    job.reject(new CancelledError());
    this.setPending(-1, -job.weight);
    return Promise.resolve();
  }

  private finish(weight: number) {
    this.events.onProgress(null);
    this.setPending(-1, -weight);
  }

  private setPending(delta: number, foregroundDelta: number) {
    const was = [this.pending > 0, this.foreground > 0];
    this.pending += delta;
    this.foreground += foregroundDelta;
    if (was[0] !== this.pending > 0 || was[1] !== this.foreground > 0) this.events.onBusyChange(this.pending > 0, this.foreground > 0);
  }
}
