// Load shapes: open-loop at a fixed rate (latency is not hidden by waiting), and closed-loop with C workers.
import { performance } from 'node:perf_hooks';

const TICK_MS = 2;

export interface PacedRun {
  sent: number;
  /** Largest delay between a request's scheduled and actual start (ms): the generator falling behind. */
  maxLagMs: number;
  elapsedMs: number;
}

/** Starts `task(i)` at `start + i / rate` without waiting for earlier ones; resolves when all have settled. */
export async function atFixedRate(
  ratePerSec: number,
  durationMs: number,
  task: (i: number) => Promise<unknown>,
): Promise<PacedRun> {
  const total = Math.max(1, Math.floor((ratePerSec * durationMs) / 1000));
  const interval = 1000 / ratePerSec;
  const start = performance.now();
  const running: Promise<unknown>[] = [];
  let maxLagMs = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > TICK_MS) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    running.push(task(i));
  }
  await Promise.all(running);
  return { sent: total, maxLagMs, elapsedMs: performance.now() - start };
}

/** `concurrency` workers each run `task(i)` back to back until `durationMs` has passed. */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ sent: number; elapsedMs: number }> {
  const start = performance.now();
  const deadline = start + durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: next, elapsedMs: performance.now() - start };
}
