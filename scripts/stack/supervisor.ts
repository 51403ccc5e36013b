// Keeps one child process of the local stack running as Cloud Run would: log every exit, restart with backoff, give up.
import type { Logger } from '../../core/support/log.ts';

/** One running instance of a supervised component. */
export interface SupervisedProcess {
  /** Resolves with the exit code (a number) or the signal name once the instance has exited. */
  exited: Promise<number | string>;
  /** Stops the instance on purpose (SIGTERM, then SIGKILL); resolves once it is gone. */
  stop(): Promise<void>;
}

/** When to restart and when to stop trying. Every field has a default, see `DEFAULT_RESTART_POLICY`. */
export interface RestartPolicy {
  /** Wait before the first restart after a crash; doubled after each further failure. */
  initialBackoffMs: number;
  /** Upper bound of the doubled wait. */
  maxBackoffMs: number;
  /** An instance that ran this long was healthy: its crash starts a fresh count with the initial wait. */
  healthyAfterMs: number;
  /** This many failures (crashes or failed restarts) within `failureWindowMs` stop the whole stack. */
  maxFailures: number;
  failureWindowMs: number;
}

/**
 * Defaults: the first restart after 0.5 s, then 1, 2, 4 … up to 30 s (a crash loop does not spin the CPU, a one-off
 * crash is back within a second); an instance that ran 30 s counts as healthy again; 5 failures within a minute mean
 * restarting does not help (a port taken, a broken build), so the stack stops and says which component failed.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  healthyAfterMs: 30_000,
  maxFailures: 5,
  failureWindowMs: 60_000,
};

/** Raised (through `onGiveUp`) when a component keeps failing: the stack cannot run without it. */
export class SupervisorGaveUpError extends Error {
  constructor(
    readonly component: string,
    readonly failures: number,
    readonly windowMs: number,
    readonly lastFailure: string,
  ) {
    super(
      `the ${component} failed ${failures} times within ${Math.round(windowMs / 1000)} s ` +
        `(last: ${lastFailure}); not restarting it again`,
    );
    this.name = 'SupervisorGaveUpError';
  }
}

export interface Supervisor {
  /** Stops the running instance on purpose, waits `downtimeMs`, starts a new one; not counted as a failure. */
  restart(downtimeMs?: number): Promise<void>;
  /** Stops supervising and the running instance. Idempotent. */
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** e.g. "relay"; used in every log line and in the give-up message. */
  name: string;
  /** Starts one instance; resolves once it is ready, rejects when it exits or times out before that. */
  start: () => Promise<SupervisedProcess>;
  logger: Logger;
  /** Called once, when restarts keep failing; the supervisor has stopped by then. */
  onGiveUp: (err: SupervisorGaveUpError) => void;
  policy?: Partial<RestartPolicy>;
}

/** "code 1" or "signal SIGKILL", as a person reads an exit. */
export function describeExit(exit: number | string): string {
  return typeof exit === 'number' ? `code ${exit}` : `signal ${exit}`;
}

/**
 * Starts the first instance (a failure there rejects: at start-up a mistake should surface at once, not be retried)
 * and then supervises it: an unexpected exit is logged with its code or signal and followed by a restart after an
 * exponential backoff, until `maxFailures` failures within `failureWindowMs` make it give up.
 */
export async function superviseChild(options: SupervisorOptions): Promise<Supervisor> {
  const policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
  const { name, logger } = options;
  let current: SupervisedProcess | undefined = await options.start();
  let startedAt = Date.now();
  let backoffMs = policy.initialBackoffMs;
  let failures: number[] = [];
  let stopped = false;
  /** Set while a restart on purpose replaces the instance: its exit is expected. */
  let replacing: Promise<void> | undefined;
  const wake = new AbortController();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  /** Records one failure; true when it is one too many. */
  const failed = (what: string): boolean => {
    const now = Date.now();
    failures = [...failures.filter((at) => now - at < policy.failureWindowMs), now];
    if (failures.length < policy.maxFailures) return false;
    stopped = true;
    logger.error(`${name} keeps failing; giving up`, { component: name, failures: failures.length });
    options.onGiveUp(new SupervisorGaveUpError(name, failures.length, policy.failureWindowMs, what));
    return true;
  };

  /** Starts an instance, tracked so that `stop()` can wait for a start in flight. */
  let starting: Promise<SupervisedProcess> | undefined;
  const startOne = async (): Promise<SupervisedProcess> => {
    starting = options.start();
    try {
      const instance = await starting;
      startedAt = Date.now();
      return instance;
    } finally {
      starting = undefined;
    }
  };

  const watch = async (): Promise<void> => {
    for (;;) {
      const instance = current;
      if (instance) {
        const exit = await instance.exited;
        if (stopped) return;
        if (replacing) {
          await replacing;
          continue;
        }
        current = undefined;
        const ranMs = Date.now() - startedAt;
        if (ranMs >= policy.healthyAfterMs) {
          failures = [];
          backoffMs = policy.initialBackoffMs;
        }
        const what = `exited with ${describeExit(exit)} after ${ranMs} ms`;
        logger.error(`${name} ${what}`, { component: name, exit, ranMs });
        if (failed(what)) return;
      }
      if (stopped) return;
      logger.warn(`restarting ${name} in ${backoffMs} ms`, { component: name, backoffMs });
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, policy.maxBackoffMs);
      if (stopped) return;
      try {
        const next = await startOne();
        if (stopped) return void (await next.stop());
        current = next;
        logger.warn(`${name} restarted`, { component: name });
      } catch (err) {
        const reason = `restart failed: ${err instanceof Error ? err.message : String(err)}`;
        logger.error(`${name} ${reason}`, { component: name });
        if (failed(reason)) return;
      }
    }
  };
  void watch().catch((err: unknown) => logger.error(`supervising ${name} failed`, { error: err }));

  let stopping: Promise<void> | undefined;
  return {
    async restart(downtimeMs = 0) {
      if (stopped) throw new Error(`the ${name} is not supervised any more`);
      if (!current || replacing) throw new Error(`the ${name} is being restarted already`);
      let done!: () => void;
      replacing = new Promise<void>((resolve) => (done = resolve));
      try {
        await current.stop();
        current = undefined;
        await new Promise((r) => setTimeout(r, downtimeMs));
        // A failed start leaves `current` unset: the watcher then restarts it with backoff like after a crash.
        current = await startOne();
      } finally {
        replacing = undefined;
        done();
      }
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        wake.abort();
        await replacing;
        await starting?.then((late) => late.stop()).catch(() => {});
        await current?.stop();
        current = undefined;
      })()),
  };
}
