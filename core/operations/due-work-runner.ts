// Runs due work: claims items of the kinds it has handlers for and runs each handler, at most `concurrency` at once.
// Shared by campaigns, single-call dials, post-call reconciliation and outbound webhooks: one scheduler for all.
import type { DueItem, DueWork } from '../ports/due-work.ts';
import type { Clock } from '../support/clock.ts';
import type { Logger } from '../support/log.ts';

/** What a handler decided: the item is finished, or it is due again at `at` (with a new payload, if given). */
export type DueOutcome = { done: true } | { done: false; at: Date; payload?: string };

export type DueHandler = (item: DueItem, now: Date) => Promise<DueOutcome>;

export interface DueWorkRunnerOptions {
  dueWork: DueWork;
  clock: Clock;
  logger: Logger;
  /** Handlers running at once, across kinds (≥ 1). */
  concurrency: number;
  /**
   * How long a claimed item stays leased. A handler must finish well within it (provider timeouts are 10 s): past
   * it, another worker may take the item over as a new attempt.
   */
  leaseMs: number;
  /** Wait before an item whose handler threw is due again. */
  errorRetryMs: number;
}

export interface TickReport {
  claimed: number;
  done: number;
  rescheduled: number;
  failed: number;
  /** Leases that were no longer ours when the handler finished (someone else took the item over). */
  lost: number;
}

/**
 * One `tick` claims what is due (up to the free handler slots) and starts the handlers; it does not wait for
 * handlers from earlier ticks, so one slow handler (a hanging webhook endpoint) holds one slot, not the schedule.
 * A handler that throws is logged and its item is due again after `errorRetryMs`; a process that dies mid-handler
 * leaves the item leased until `leaseMs`, then it is claimed again (`item.attempt` counts claims).
 */
export class DueWorkRunner {
  private readonly handlers = new Map<string, DueHandler>();
  private readonly running = new Set<Promise<void>>();
  /** The claim in progress, if any (settles, never rejects): a process closing its clients waits for it. */
  private claim: Promise<unknown> | undefined;

  constructor(private readonly options: DueWorkRunnerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new TypeError('DueWorkRunner concurrency must be an integer ≥ 1');
    }
  }

  /** Registers the handler of one kind (before the first tick). */
  handle(kind: string, handler: DueHandler): this {
    if (this.handlers.has(kind)) throw new TypeError(`a handler for ${kind} is registered already`);
    this.handlers.set(kind, handler);
    return this;
  }

  /** Handlers running now. */
  get busy(): number {
    return this.running.size;
  }

  /**
   * Claims due items into the free slots and starts their handlers. Resolves when the handlers it started finish
   * (await it in a Cloud Scheduler tick function; a loop may ignore it and tick again).
   */
  async tick(): Promise<TickReport> {
    const report: TickReport = { claimed: 0, done: 0, rescheduled: 0, failed: 0, lost: 0 };
    const free = this.options.concurrency - this.running.size;
    // One claim at a time: overlapping ticks (a loop that does not wait) would otherwise overfill the slots.
    if (free <= 0 || this.handlers.size === 0 || this.claim) return report;
    const claiming = this.options.dueWork.claimDue({
      now: this.options.clock.now(),
      limit: free,
      leaseMs: this.options.leaseMs,
      kinds: [...this.handlers.keys()],
    });
    this.claim = claiming.catch(() => undefined);
    let items: DueItem[];
    try {
      items = await claiming;
    } finally {
      this.claim = undefined;
    }
    report.claimed = items.length;
    const started = items.map((item) => this.start(item, report));
    await Promise.all(started);
    return report;
  }

  /** Resolves when every handler started so far has finished (graceful shutdown, tests). */
  async drain(): Promise<void> {
    await this.claimSettled();
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Resolves once no claim is in progress (a claim is one short store operation; its items are then running). */
  async claimSettled(): Promise<void> {
    await this.claim;
  }

  private start(item: DueItem, report: TickReport): Promise<void> {
    const run = this.run(item, report).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  private async run(item: DueItem, report: TickReport): Promise<void> {
    const { dueWork, clock, logger } = this.options;
    const handler = this.handlers.get(item.kind);
    const log = logger.child({ dueKind: item.kind, attempt: item.attempt });
    try {
      if (!handler) throw new TypeError(`no handler for ${item.kind}`);
      const outcome = await handler(item, clock.now());
      const ours = outcome.done
        ? await dueWork.complete(item.key, item.leaseToken)
        : await dueWork.reschedule(item.key, item.leaseToken, outcome.at, outcome.payload);
      if (!ours) report.lost += 1;
      else if (outcome.done) report.done += 1;
      else report.rescheduled += 1;
    } catch (err) {
      report.failed += 1;
      log.error('due work handler failed; the item is due again later', { error: err });
      const at = new Date(clock.now().getTime() + this.options.errorRetryMs);
      await dueWork.reschedule(item.key, item.leaseToken, at).catch((rescheduleErr: unknown) => {
        log.warn('could not reschedule after a failure; the lease will expire instead', {
          error: rescheduleErr,
        });
      });
    }
  }
}
