// Settings of the worker: how often it looks for due work, how much it runs at once, how long a claim holds.
import { integer, stringWithDefault, type Env } from '../../core/support/config.ts';

export interface WorkerConfig {
  /** Interval of the worker's own tick loop (`SCHEDULER_TICK_MS`, 50–600000, default 1000). */
  tickMs: number;
  /** Due-work handlers running at once (`WORKER_CONCURRENCY`, 1–256, default 16). */
  concurrency: number;
  /**
   * How long a claimed item stays leased (`WORKER_LEASE_SECS`, 5–3600, default 60): longer than any handler's
   * provider timeout (10 s), short enough that the work of a killed worker is taken over within a minute.
   */
  leaseMs: number;
  /** Wait before an item whose handler failed is due again (`WORKER_ERROR_RETRY_SECS`, 1–3600, default 30). */
  errorRetryMs: number;
  /** Durable bus consumer group of the worker (`WORKER_BUS_GROUP`, default `worker`). */
  busGroup: string;
  /** Time a stopping worker gives running handlers (`WORKER_SHUTDOWN_MS`, 0–60000, default 8000). */
  shutdownMs: number;
  /**
   * Longest a Cloud Scheduler tick keeps claiming (`WORKER_TICK_BUDGET_MS`, 1000–540000, default 50000): below the
   * one-minute schedule, so ticks do not pile up.
   */
  tickBudgetMs: number;
}

export function parseWorkerConfig(env: Env = process.env): WorkerConfig {
  return {
    tickMs: integer(env, 'SCHEDULER_TICK_MS', 1000, { min: 50, max: 600_000 }),
    concurrency: integer(env, 'WORKER_CONCURRENCY', 16, { min: 1, max: 256 }),
    leaseMs: integer(env, 'WORKER_LEASE_SECS', 60, { min: 5, max: 3600 }) * 1000,
    errorRetryMs: integer(env, 'WORKER_ERROR_RETRY_SECS', 30, { min: 1, max: 3600 }) * 1000,
    busGroup: stringWithDefault(env, 'WORKER_BUS_GROUP', 'worker'),
    shutdownMs: integer(env, 'WORKER_SHUTDOWN_MS', 8000, { min: 0, max: 60_000 }),
    tickBudgetMs: integer(env, 'WORKER_TICK_BUDGET_MS', 50_000, { min: 1000, max: 540_000 }),
  };
}
