// Runs at most `concurrency` jobs at once with a bounded wait line; when both are full, new work is refused at once.
import { AppError } from './errors.ts';

export interface BoundedWorkQueueOptions {
  /** Jobs running at the same time (at least 1). */
  concurrency: number;
  /** Jobs allowed to wait for a free slot (0 = none wait); beyond this `tryRun` refuses. */
  maxQueued: number;
  /** What a refused caller is told to wait, in seconds (sent as `Retry-After`); default 1. */
  retryAfterSecs?: number;
  /** Names the queue in the refusal's message, e.g. `password hashing`. */
  name?: string;
}

/** Details of the `unavailable` AppError a full queue rejects with. */
export interface QueueFullDetails {
  retryAfterSecs: number;
}

/**
 * A load-shedding gate: refusing work early and cheaply keeps the work that is admitted fast, where an unbounded
 * queue would make every caller wait (and, for threadpool work like scrypt, starve unrelated I/O of the process).
 * Admission is decided synchronously when `tryRun` is called, so a caller can count or record things right before
 * it without another caller slipping in between. Jobs start in arrival order.
 */
export class BoundedWorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** What a refused caller is told to wait, in seconds. */
  readonly retryAfterSecs: number;

  constructor(private readonly options: BoundedWorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new TypeError('concurrency must be an integer >= 1');
    }
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0) {
      throw new TypeError('maxQueued must be an integer >= 0');
    }
    this.retryAfterSecs = options.retryAfterSecs ?? 1;
  }

  /** Jobs running now. */
  get active(): number {
    return this.running;
  }

  /** Jobs waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Whether `tryRun` called now would admit its job. */
  hasRoom(): boolean {
    return this.running < this.options.concurrency || this.waiting.length < this.options.maxQueued;
  }

  /**
   * Runs `fn` when a slot is free and settles with its result. When every slot is busy and the wait line is full,
   * rejects at once with AppError `unavailable` (details: {@link QueueFullDetails}) and never calls `fn`.
   */
  tryRun<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency) return this.start(fn);
    if (this.waiting.length >= this.options.maxQueued) return Promise.reject(this.fullError());
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.run(fn));
  }

  /** The error `tryRun` rejects with when full, for callers that answer after checking `hasRoom()` themselves. */
  fullError(): AppError {
    const details: QueueFullDetails = { retryAfterSecs: this.retryAfterSecs };
    return new AppError('unavailable', `${this.options.name ?? 'work'} queue is full, try again shortly`, {
      details,
      retryAfterSecs: this.retryAfterSecs,
    });
  }

  private start<T>(fn: () => Promise<T>): Promise<T> {
    this.running += 1;
    return this.run(fn);
  }

  /** Runs `fn` in a slot it holds, then hands the slot to the next waiting job or frees it. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
