// The worker: one DueWorkRunner for every kind of due work, a tick loop, and a durable bus consumer feeding the
// background capabilities (campaigns, call recovery, outbound webhooks). Locally a loop; in production Cloud
// Scheduler calls `tickFor` and Pub/Sub pushes each message to `onBusMessage`.
import { DueWorkRunner, type TickReport } from '../../core/operations/due-work-runner.ts';
import type { WorkModule } from '../../core/operations/work-module.ts';
import type { DueWork } from '../../core/ports/due-work.ts';
import type { BusMessage, BusSubscription, EventBus } from '../../core/ports/event-bus.ts';
import type { Clock } from '../../core/support/clock.ts';
import type { Logger } from '../../core/support/log.ts';
import type { WorkerConfig } from './worker-config.ts';

export interface WorkerDeps {
  dueWork: DueWork;
  bus: EventBus;
  modules: readonly WorkModule[];
  clock: Clock;
  logger: Logger;
  config: WorkerConfig;
}

export interface Worker {
  runner: DueWorkRunner;
  /** Consumes the bus group and starts the tick loop (local stack, a long-running worker process). */
  start(): Promise<void>;
  /**
   * Ticks until nothing is due or `budgetMs` ran out, waiting for the handlers it started (a Cloud Scheduler call:
   * the instance may lose its CPU once it answered).
   */
  tickFor(budgetMs: number): Promise<TickReport>;
  /** Hands one bus message to every module; rejects (for redelivery) if any of them failed. */
  onBusMessage(message: BusMessage): Promise<void>;
  /** Stops the loop and the consumer, then waits up to `shutdownMs` for running handlers. */
  stop(): Promise<void>;
}

export function composeWorker(deps: WorkerDeps): Worker {
  const { config, logger } = deps;
  const runner = new DueWorkRunner({
    dueWork: deps.dueWork,
    clock: deps.clock,
    logger,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    errorRetryMs: config.errorRetryMs,
  });
  for (const module of deps.modules) {
    for (const [kind, handler] of Object.entries(module.handlers)) {
      if (handler) runner.handle(kind, handler);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  let consumer: BusSubscription | undefined;
  let stopped = false;

  const onBusMessage = async (message: BusMessage): Promise<void> => {
    // Every module sees the message even if an earlier one failed; the redelivery reaches all of them again,
    // which they tolerate (at-least-once).
    const failures: unknown[] = [];
    for (const module of deps.modules) {
      try {
        await module.onBusMessage(message);
      } catch (err) {
        logger.warn('bus message handling failed; it will be redelivered', {
          module: module.name,
          error: err,
        });
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
  };

  const loop = (): void => {
    if (stopped) return;
    // Not awaited: a slow handler holds its own slot, never the next tick (the runner never overlaps claims).
    runner.tick().catch((err: unknown) => logger.warn('tick failed; the next one retries', { error: err }));
    timer = setTimeout(loop, config.tickMs);
  };

  return {
    runner,
    onBusMessage,
    async start() {
      consumer = await deps.bus.consume(config.busGroup, onBusMessage);
      loop();
      logger.info('worker started', {
        kinds: deps.modules.flatMap((m) => Object.keys(m.handlers)),
        tickMs: config.tickMs,
      });
    },
    async tickFor(budgetMs) {
      const total: TickReport = { claimed: 0, done: 0, rescheduled: 0, failed: 0, lost: 0 };
      const deadline = Date.now() + budgetMs;
      for (;;) {
        const report = await runner.tick();
        for (const key of Object.keys(total) as (keyof TickReport)[]) total[key] += report[key];
        if (report.claimed === 0 || Date.now() >= deadline) break;
      }
      await runner.drain();
      return total;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await consumer?.close();
      // A claim in progress is one short store operation: always let it settle, so the caller can close its clients.
      await runner.claimSettled();
      let budget: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        budget = setTimeout(() => {
          logger.warn('handlers still running at shutdown; their leases will expire and others take over');
          resolve();
        }, config.shutdownMs);
      });
      await Promise.race([runner.drain(), timeout]);
      clearTimeout(budget);
    },
  };
}
