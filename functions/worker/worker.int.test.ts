// The worker on both backends: due work handled once, rescheduled, retried after a failure, taken over from a worker
// that died mid-handler, never held up by a slow handler; bus messages kept for a worker that was down.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/composition/backend.ts';
import { DUE_KINDS } from '../../core/operations/due-kinds.ts';
import type { DueHandler } from '../../core/operations/due-work-runner.ts';
import type { WorkModule } from '../../core/operations/work-module.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import { eventMessage, waitFor } from '../../core/ports/event-bus.contract.ts';
import { systemClock } from '../../core/support/clock.ts';
import { BACKENDS, emulatorsAvailable, type BackendName } from '../../test/backends.ts';
import { openBackend, silentLogger } from '../../test/test-backend.ts';
import { composeWorker, type Worker } from './compose-worker.ts';
import type { WorkerConfig } from './worker-config.ts';

const KIND = DUE_KINDS.callReconcile;

const config = (overrides: Partial<WorkerConfig> = {}): WorkerConfig => ({
  tickMs: 50,
  concurrency: 4,
  leaseMs: 1500,
  errorRetryMs: 300,
  busGroup: `worker-${randomUUID().slice(0, 8)}`,
  shutdownMs: 5000,
  tickBudgetMs: 5000,
  ...overrides,
});

function module(handler: DueHandler, onBus: (m: BusMessage) => Promise<void> = async () => {}): WorkModule {
  return { name: 'test', handlers: { [KIND]: handler }, onBusMessage: onBus };
}

describe.each(BACKENDS)('worker on %s', (name: BackendName) => {
  const run = name === 'memory' || emulatorsAvailable();
  const open: { backend?: Backend; workers: Worker[] } = { workers: [] };
  afterEach(async () => {
    await Promise.all(open.workers.splice(0).map((w) => w.stop()));
    await open.backend?.close();
  });

  async function backend(): Promise<Backend> {
    open.backend = await openBackend(name, { prefix: 'demo-worker' });
    return open.backend;
  }

  function worker(b: Backend, modules: WorkModule[], overrides: Partial<WorkerConfig> = {}): Worker {
    const w = composeWorker({
      dueWork: b.dueWork,
      bus: b.bus,
      modules,
      clock: systemClock,
      logger: silentLogger(),
      config: config(overrides),
    });
    open.workers.push(w);
    return w;
  }

  async function schedule(b: Backend, key: string, payload = '{}'): Promise<void> {
    const now = new Date();
    await b.dueWork.schedule({ key, kind: KIND, dueAt: now, payload, now });
  }

  it.skipIf(!run)('runs each due item once, again when rescheduled, and again after a failure', async () => {
    const b = await backend();
    const seen: string[] = [];
    let failedOnce = false;
    const w = worker(b, [
      module(async (item, now) => {
        seen.push(`${item.key}#${item.attempt}`);
        if (item.key === 'again' && !seen.includes('again#done')) {
          seen.push('again#done');
          return { done: false, at: new Date(now.getTime() + 100), payload: '{"second":true}' };
        }
        if (item.key === 'fails' && !failedOnce) {
          failedOnce = true;
          throw new Error('transient');
        }
        return { done: true };
      }),
    ]);
    for (const key of ['once', 'again', 'fails']) await schedule(b, key);
    await w.start();
    await waitFor(
      () =>
        seen.filter((s) => s.startsWith('again#')).length >= 3 &&
        seen.filter((s) => s.startsWith('fails#')).length >= 2,
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(seen.filter((s) => s.startsWith('once#'))).toEqual(['once#1']);
    // Each claim counts as an attempt, whether the item was rescheduled or its handler failed.
    expect(seen.filter((s) => s.startsWith('again#'))).toEqual(['again#1', 'again#done', 'again#2']);
    expect(seen.filter((s) => s.startsWith('fails#'))).toEqual(['fails#1', 'fails#2']);
  });

  it.skipIf(!run)('takes over the item of a worker that died mid-handler once its lease ends', async () => {
    const b = await backend();
    let startedByDead = false;
    const dead = worker(
      b,
      [
        module(() => {
          startedByDead = true;
          return new Promise(() => {}); // never finishes: the process "died" holding the lease
        }),
      ],
      { shutdownMs: 0 },
    );
    await schedule(b, 'orphan');
    await dead.start();
    await waitFor(() => startedByDead);
    await dead.stop();
    const handled: number[] = [];
    const heir = worker(b, [
      module(async (item) => {
        handled.push(item.attempt);
        return { done: true };
      }),
    ]);
    await heir.start();
    await waitFor(() => handled.length === 1);
    expect(handled).toEqual([2]);
  });

  it.skipIf(!run)('a handler that hangs holds one slot, not the schedule', async () => {
    const b = await backend();
    const done: string[] = [];
    let release: () => void = () => {};
    const w = worker(b, [
      module(async (item) => {
        if (item.key === 'slow') await new Promise<void>((r) => (release = r));
        done.push(item.key);
        return { done: true };
      }),
    ]);
    await schedule(b, 'slow');
    await w.start();
    await waitFor(() => w.runner.busy === 1);
    for (const key of ['a', 'b', 'c']) await schedule(b, key);
    await waitFor(() => done.length === 3);
    expect(done.sort()).toEqual(['a', 'b', 'c']);
    release();
    await waitFor(() => done.includes('slow'));
  });

  it.skipIf(!run)('keeps bus messages published while the worker was down for the next worker', async () => {
    const b = await backend();
    const group = `worker-${randomUUID().slice(0, 8)}`;
    const first: string[] = [];
    const w1 = worker(
      b,
      [
        module(
          async () => ({ done: true }),
          async (m) => void first.push(key(m)),
        ),
      ],
      { busGroup: group },
    );
    await w1.start();
    const callId = `w_${randomUUID().slice(0, 8)}`;
    await b.bus.publish(eventMessage(callId, 1));
    await waitFor(() => first.length === 1);
    await w1.stop();
    await b.bus.publish(eventMessage(callId, 2));
    const second: string[] = [];
    const w2 = worker(
      b,
      [
        module(
          async () => ({ done: true }),
          async (m) => void second.push(key(m)),
        ),
      ],
      { busGroup: group },
    );
    await w2.start();
    await waitFor(() => second.includes(`${callId}:2`));
    expect(first).toEqual([`${callId}:1`]);
  });
});

function key(m: BusMessage): string {
  return m.type === 'event' ? `${m.event.callId}:${m.event.seq}` : m.type;
}
