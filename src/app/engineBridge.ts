// The page's only door to the worker: wraps it once with comlink, runs calls one at a time (the
// engine owns one model), numbers jobs so they can be cancelled, and forwards progress.
import * as Comlink from 'comlink';
import type { JobProgress, StudioEngineApi } from '../engine/api';

export type EngineRemote = Comlink.Remote<StudioEngineApi>;

export interface BridgeEvents {
  onBusyChange(busy: boolean): void;
  onProgress(p: JobProgress | null): void;
  /** The worker itself failed (script error, crash); nothing more will run. */
  onWorkerError(message: string): void;
}

export class EngineBridge {
  readonly engine: EngineRemote;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private nextJobId = 1;

  constructor(private readonly events: BridgeEvents) {
    const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'secateur-engine' });
    worker.addEventListener('error', (e) => events.onWorkerError(e.message || 'the engine worker failed to start'));
    worker.addEventListener('messageerror', () => events.onWorkerError('a message from the engine could not be read'));
    this.engine = Comlink.wrap<StudioEngineApi>(worker);
  }

  /**
   * Queues one engine call. `call` gets a job id and a progress callback to hand to the engine.
   * Resolves or rejects with the engine's result; the queue goes on either way.
   */
  run<T>(call: (engine: EngineRemote, jobId: number, onProgress: (p: JobProgress) => void) => Promise<T>): { jobId: number; result: Promise<T> } {
    const jobId = this.nextJobId++;
    this.setPending(+1);
    const onProgress = Comlink.proxy((p: JobProgress) => this.events.onProgress(p));
    const result = this.queue.then(() => call(this.engine, jobId, onProgress));
    this.queue = result.then(
      () => this.finish(),
      () => this.finish(),
    );
    return { jobId, result };
  }

  cancel(jobId: number): Promise<void> {
    return this.engine.cancel(jobId);
  }

  private finish() {
    this.events.onProgress(null);
    this.setPending(-1);
  }

  private setPending(delta: number) {
    const wasBusy = this.pending > 0;
    this.pending += delta;
    if (wasBusy !== this.pending > 0) this.events.onBusyChange(this.pending > 0);
  }
}
