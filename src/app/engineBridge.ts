// The page's only door to the worker: wraps it once with comlink, runs calls one at a time (the
// engine owns one model), numbers jobs so they can be cancelled, and forwards progress. When the
// worker dies (an uncaught error or rejection, or it ended: out of memory, a lost GPU device) the
// bridge starts a new one, rejects the job that was running and those still queued with an
// InterruptedError, and tells the page (which restores the last saved step). A worker's end is seen
// through a Web Lock the worker holds for its whole life (worker.ts): the page is granted it once the
// worker is gone, whatever the cause.
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
  /** The worker failed before it ever answered (a script error); nothing more will run. */
  onWorkerError(message: string): void;
  /**
   * A worker that was working died; a new one is already started (bare: no backend, no model).
   * `interrupted` is the progress label of the job that was running, if any.
   */
  onWorkerCrash?(reason: string, interrupted: string | null): void;
}

/** What a job rejects with when the engine died under it (or before its turn). */
export class InterruptedError extends Error {
  constructor(reason: string, what: string | null) {
    super(`Interrupted${what ? `: "${what}"` : ''}: the engine stopped (${reason}).`);
    this.name = 'InterruptedError';
  }
}

/** One worker's life: its remote, and how its death reaches the jobs that wait on it. */
interface Generation {
  engine: EngineRemote;
  worker: Worker | null;
  /** Rejects (with an InterruptedError) when this worker dies; never resolves. */
  death: Promise<never>;
  die(reason: string, what: string | null): void;
  dead: boolean;
  /** Some call has been answered (a worker that dies before that failed to start). */
  answered: boolean;
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
  private generation: Generation;
  /** The running job's latest progress label (what a crash interrupted). */
  private runningLabel: string | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Jobs not yet handed to the engine, by id. */
  private readonly queued = new Map<number, QueuedJob>();
  private pending = 0;
  private foreground = 0;
  private nextJobId = 1;

  /**
   * `engine`: the engine worker's remote, started here unless given (tests pass their own, and may
   * pass `start` to make the remote a restart gets).
   */
  constructor(private readonly events: BridgeEvents, engine?: EngineRemote, private readonly start: () => { engine: EngineRemote; worker: Worker | null } = startWorker) {
    this.generation = this.begin(engine ? { engine, worker: null } : start());
  }

  /** The current worker's remote (a new one after a crash). */
  get engine(): EngineRemote {
    return this.generation.engine;
  }

  private begin({ engine, worker }: { engine: EngineRemote; worker: Worker | null }): Generation {
    let die!: (e: Error) => void;
    const death = new Promise<never>((_, reject) => (die = reject));
    death.catch(() => {}); // observed by the jobs racing it; never an unhandled rejection
    const gen: Generation = {
      engine, worker, death, dead: false, answered: false,
      die: (reason, what) => {
        if (gen.dead) return;
        gen.dead = true;
        die(new InterruptedError(reason, what));
      },
    };
    if (worker) {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        this.crashed(gen, e.message || 'the engine worker failed');
      });
      worker.addEventListener('messageerror', () => this.crashed(gen, 'a message from the engine could not be read'));
    }
    return gen;
  }

  /** The worker of `gen` died: interrupt its jobs, start a new worker, tell the page. */
  crashed(gen: Generation | null, reason: string) {
    const g = gen ?? this.generation;
    if (g !== this.generation || g.dead) return;
    const what = this.runningLabel;
    g.die(reason, what);
    g.worker?.terminate();
    if (!g.answered) {
      this.events.onWorkerError(reason);
      return;
    }
    this.generation = this.begin(this.start());
    this.runningLabel = null;
    this.events.onWorkerCrash?.(reason, what);
  }

  /** Watches for the current worker's end (its Web Lock freed); call once it has answered. */
  private watchExit(gen: Generation) {
    const name = (gen.worker as unknown as { lockName?: string } | null)?.lockName;
    if (!name || typeof navigator === 'undefined' || !navigator.locks) return;
    void navigator.locks.request(name, async () => this.crashed(gen, 'the engine worker ended (out of memory, or its GPU device was lost)'));
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
    const gen = this.generation;
    const onProgress = Comlink.proxy((p: JobProgress) => {
      if (p.jobId === jobId) this.runningLabel = p.label;
      this.events.onProgress(p);
    });
    let settle!: { resolve(value: T): void; reject(e: unknown): void };
    const result = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
    this.queued.set(jobId, { weight, reject: settle.reject });
    this.queue = this.queue.then(async () => {
      // Cancelled while it waited: it never reaches the engine (cancel has already settled it).
      if (!this.queued.delete(jobId)) return;
      try {
        // Queued for a worker that has died since: it never reaches the new one.
        if (gen !== this.generation || gen.dead) await gen.death;
        this.runningLabel = null;
        const value = await Promise.race([call(gen.engine, jobId, onProgress), gen.death]);
        this.answered(gen);
        settle.resolve(value);
      } catch (e) {
        if (!(e instanceof InterruptedError)) this.answered(gen);
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

  private answered(gen: Generation) {
    if (gen.answered) return;
    gen.answered = true;
    this.watchExit(gen);
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

function startWorker(): { engine: EngineRemote; worker: Worker } {
  // The worker holds a Web Lock of this name for as long as it lives (worker.ts).
  const lockName = `secateur-engine-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: lockName });
  Object.assign(worker, { lockName });
  return { engine: Comlink.wrap<StudioEngineApi>(worker), worker };
}
