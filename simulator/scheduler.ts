// Time and background work for one simulator: scaled sleeps, tracked tasks for whenIdle(), cancellation on close().

/** Raised inside background tasks when the simulator closes while they wait. */
export class SimulatorClosedError extends Error {
  constructor() {
    super('provider simulator closed');
    this.name = 'SimulatorClosedError';
  }
}

export class Scheduler {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  /** Set while playback is held: scripted sleeps that end meanwhile wait for it. */
  private held: { released: Promise<void>; release: () => void } | undefined;

  /** `speed` 1 = real time, 10 = ten times faster, 0 or Infinity = no waiting at all. */
  constructor(
    private readonly speed: number,
    private readonly onError: (err: unknown) => void,
  ) {
    if (Number.isNaN(speed) || speed < 0)
      throw new TypeError('speed must be 0, Infinity or a positive number');
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Aborted on close(): pass it to outgoing requests. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Wall-clock milliseconds for `scriptMs` of simulated time. */
  scale(scriptMs: number): number {
    if (this.speed === 0 || !Number.isFinite(this.speed)) return 0;
    return scriptMs / this.speed;
  }

  /** Waits `scriptMs` of simulated time (scaled by speed), and for as long as playback is held. */
  async sleep(scriptMs: number): Promise<void> {
    await this.sleepReal(this.scale(scriptMs));
    while (this.held) await this.held.released;
    if (this.closed) throw new SimulatorClosedError();
  }

  /**
   * Holds simulated time: no scripted step runs until {@link resume} (wall-clock waits, requests in flight and
   * retries are not held). Lets a test act at an exact point of a call, whatever the machine's load.
   */
  pause(): void {
    if (this.held) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { released, release };
  }

  resume(): void {
    const held = this.held;
    this.held = undefined;
    held?.release();
  }

  /** Waits `ms` of wall-clock time, unaffected by speed; rejects with SimulatorClosedError on close(). */
  sleepReal(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new SimulatorClosedError());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          resolve();
        },
        Math.max(0, ms),
      );
      this.timers.set(timer, () => reject(new SimulatorClosedError()));
    });
  }

  /** Runs `work` in the background; whenIdle() waits for it. Errors other than closing go to `onError`. */
  run(work: () => Promise<void>): void {
    const task = work().catch((err: unknown) => {
      if (!(err instanceof SimulatorClosedError)) this.onError(err);
    });
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Resolves once no background task is running (tasks started meanwhile are awaited too). */
  async whenIdle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  async close(): Promise<void> {
    this.abort.abort(new SimulatorClosedError());
    this.resume();
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    await this.whenIdle();
  }
}
