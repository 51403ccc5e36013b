// The worker's production entries: the scheduler tick runs due work and answers what it did; a pushed bus message
// reaches every module, a push that is not one is acked without a retry.
import { describe, expect, it } from 'vitest';
import { DUE_KINDS } from '../../core/operations/due-kinds.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import { eventMessage } from '../../core/ports/event-bus.contract.ts';
import { encodeBusMessage } from '../../core/adapters/google/bus-message-codec.ts';
import { systemClock } from '../../core/support/clock.ts';
import { isAppError } from '../../core/support/errors.ts';
import { openBackend, silentLogger } from '../../test/test-backend.ts';
import type { HttpRequest } from '../http/http-types.ts';
import { composeWorker } from './compose-worker.ts';
import { createWorkerEventsHandler, createWorkerTickHandler } from './worker-entries.ts';

function request(method: string): HttpRequest {
  return {
    method,
    path: '/',
    query: new URLSearchParams(),
    rawQuery: '',
    headers: {},
    rawBody: Buffer.alloc(0),
    params: {},
  };
}

describe('worker entries', () => {
  it('a scheduler tick runs what is due, waits for it, and answers the counts; only POST', async () => {
    const backend = await openBackend('memory');
    const handled: string[] = [];
    const worker = composeWorker({
      dueWork: backend.dueWork,
      bus: backend.bus,
      clock: systemClock,
      logger: silentLogger(),
      config: {
        tickMs: 1000,
        concurrency: 2,
        leaseMs: 10_000,
        errorRetryMs: 1000,
        busGroup: 'worker',
        shutdownMs: 0,
        tickBudgetMs: 5000,
      },
      modules: [
        {
          name: 'test',
          handlers: {
            [DUE_KINDS.callReconcile]: async (item) => {
              handled.push(item.key);
              return { done: true };
            },
          },
          onBusMessage: async () => {},
        },
      ],
    });
    const now = new Date();
    for (const key of ['a', 'b', 'c', 'd', 'e'])
      await backend.dueWork.schedule({ key, kind: DUE_KINDS.callReconcile, dueAt: now, payload: '{}', now });
    const tick = createWorkerTickHandler(worker, 5000);
    const answer = await tick(request('POST'), { logger: silentLogger() });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ claimed: 5, done: 5, rescheduled: 0, failed: 0, lost: 0 });
    expect(handled.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const refused: unknown = await tick(request('GET'), { logger: silentLogger() }).catch((e: unknown) => e);
    expect(isAppError(refused) && refused.code).toBe('method_not_allowed');
    await backend.close();
  });

  it('hands a pushed bus message to the modules, rethrows their failure, and acks a push that is no bus message', async () => {
    const backend = await openBackend('memory');
    const seen: BusMessage[] = [];
    let fail = true;
    const worker = composeWorker({
      dueWork: backend.dueWork,
      bus: backend.bus,
      clock: systemClock,
      logger: silentLogger(),
      config: {
        tickMs: 1000,
        concurrency: 1,
        leaseMs: 10_000,
        errorRetryMs: 1000,
        busGroup: 'worker',
        shutdownMs: 0,
        tickBudgetMs: 1000,
      },
      modules: [
        {
          name: 'test',
          handlers: {},
          onBusMessage: async (m) => {
            if (fail) {
              fail = false;
              throw new Error('transient');
            }
            seen.push(m);
          },
        },
      ],
    });
    const onEvent = createWorkerEventsHandler(worker, silentLogger());
    const message = eventMessage('call_push', 1);
    const data = encodeBusMessage(message).data.toString('base64');
    await expect(onEvent({ data: { message: { data, messageId: '1' } } })).rejects.toThrow('transient');
    await onEvent({ data: { message: { data, messageId: '1' } } });
    expect(seen).toEqual([message]);
    await onEvent({ data: { message: { data: Buffer.from('not json').toString('base64') } } });
    await onEvent({});
    expect(seen).toHaveLength(1);
    await backend.close();
  });
});
