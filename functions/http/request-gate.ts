// Load shedding per process: at most `maxInFlight` requests are worked on; more get 503 at once, body unread.
import { BoundedWorkQueue } from '../../core/support/bounded-work-queue.ts';
import { systemClock, type Clock } from '../../core/support/clock.ts';
import { createLogger, type Logger } from '../../core/support/log.ts';
import { errorResponse } from './errors-to-http.ts';
import type { HttpResponse } from './http-types.ts';

/** Liveness answers even when the process sheds: it does no work, and a stalled one would get the process killed. */
const UNGATED_PATHS: ReadonlySet<string> = new Set(['/healthz']);

/** How often a shedding process says so in its logs (one line with a count, not one per request). */
const SHED_REPORT_MS = 10_000;

/**
 * Admits requests while fewer than `maxInFlight` are being worked on. A refused request is answered 503
 * `unavailable` with `Retry-After: 1` before anything else is done for it (its body is not even read), so an
 * overloaded process answers fast and stays responsive while providers retry, instead of queueing without bound.
 */
export class RequestGate {
  private readonly work: BoundedWorkQueue;
  /** The one answer every refused request gets. */
  readonly overloaded: HttpResponse;
  private shedSinceReport = 0;
  private lastReport = 0;

  constructor(
    maxInFlight: number,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.work = new BoundedWorkQueue({
      concurrency: maxInFlight,
      maxQueued: 0,
      name: 'request',
      retryAfterSecs: 1,
    });
    this.overloaded = errorResponse(this.work.fullError(), createLogger({ sink: () => {} }));
  }

  /** Requests being worked on now. */
  get inFlight(): number {
    return this.work.active;
  }

  /**
   * Starts `handle` (which must settle, never reject) when there is room or the path is ungated; otherwise returns
   * the 503 to send at once.
   */
  admit(path: string | undefined, handle: () => Promise<void>): HttpResponse | undefined {
    if (path !== undefined && UNGATED_PATHS.has(path)) {
      void handle();
      return undefined;
    }
    if (!this.work.hasRoom()) {
      this.noteShed();
      return this.overloaded;
    }
    void this.work.tryRun(handle);
    return undefined;
  }

  private noteShed(): void {
    this.shedSinceReport += 1;
    const now = this.clock.now().getTime();
    if (now - this.lastReport < SHED_REPORT_MS) return;
    this.logger.warn('overloaded: shedding requests with 503', {
      shed: this.shedSinceReport,
      inFlight: this.work.active,
    });
    this.shedSinceReport = 0;
    this.lastReport = now;
  }
}
