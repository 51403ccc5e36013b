// Dialing through the real SDKs: idempotent retries dial once; provider failures give 502 and a failed call record.
import { afterEach, describe, expect, it } from 'vitest';
import type { TriggerCallResponse } from '../../core/protocol/rest-api.ts';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import { AppError } from '../../core/support/errors.ts';
import type { SimRoute } from '../../simulator/index.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { OTHER_ORG, startApiStack, triggerBody, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
const DIAL_ROUTE = {
  register: 'twilio.create-call',
  elevenlabs: 'elevenlabs.outbound-call',
} as const satisfies Record<string, SimRoute>;
type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

describe.each(backends)('dialing on %s', (backend) => {
  let stack: ApiStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const dials = (s: ApiStack, mode: keyof typeof DIAL_ROUTE) =>
    s.sim.requests().filter((r) => r.route === DIAL_ROUTE[mode]).length;
  const trigger = (s: ApiStack, token: string, key?: string, body = triggerBody()) =>
    s.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body,
      ...(key ? { headers: { 'idempotency-key': key } } : {}),
    });

  it.each(['register', 'elevenlabs'] as const)(
    '%s mode: the same Idempotency-Key never dials twice',
    async (mode) => {
      stack = await startApiStack({ backend, env: { DIAL_MODE: mode } });
      const token = await stack.login();
      const first = await trigger(stack, token, 'tms-8812');
      expect(first.status).toBe(201);
      const [again, ...concurrent] = await Promise.all(
        [1, 2, 3].map(() => trigger(stack!, token, 'tms-8812')),
      );
      for (const res of [again!, ...concurrent]) {
        expect(res.status).toBe(200);
        expect(res.headers.get('idempotent-replayed')).toBe('true');
        expect((res.body as TriggerCallResponse).callId).toBe((first.body as TriggerCallResponse).callId);
      }
      expect(dials(stack, mode)).toBe(1);

      const changed = await trigger(stack, token, 'tms-8812', triggerBody({ driverName: 'Someone Else' }));
      expect(changed.status).toBe(409);
      expect((changed.body as ErrorBody).error.code).toBe('conflict');

      const otherOrg = await trigger(stack, await stack.login(OTHER_ORG), 'tms-8812');
      expect(otherOrg.status).toBe(201);
      expect((otherOrg.body as TriggerCallResponse).callId).not.toBe(
        (first.body as TriggerCallResponse).callId,
      );
      const unkeyed = await Promise.all([trigger(stack, token), trigger(stack, token)]);
      expect(new Set(unkeyed.map((r) => (r.body as TriggerCallResponse).callId)).size).toBe(2);
      expect(dials(stack, mode)).toBe(4);
      await stack.settle();
    },
  );

  it('dials exactly once when the first request failed before the call was queued and is retried', async () => {
    stack = await startApiStack({ backend });
    const token = await stack.login();
    const store = stack.backend.store;
    const realAppend = store.append.bind(store);
    let failures = 0;
    store.append = async (callId, draft) => {
      if (draft.body.kind === 'call_status' && draft.body.status === 'queued' && failures === 0) {
        failures++;
        throw new AppError('store_unavailable', 'injected: store down before queued was stored');
      }
      return realAppend(callId, draft);
    };
    const first = await trigger(stack, token, 'tms-store-down');
    expect(first.status).toBe(503);
    expect(dials(stack, 'register')).toBe(0);

    const retries = await Promise.all([1, 2, 3].map(() => trigger(stack!, token, 'tms-store-down')));
    expect(retries.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(retries.map((r) => (r.body as TriggerCallResponse).callId)).size).toBe(1);
    expect(dials(stack, 'register')).toBe(1);
    await stack.settle();
  });

  it.each([
    ['register', '5xx', { status: 503 }, 'twilio calls.create failed: HTTP 503'],
    ['register', 'timeout', { delayMs: 2500 }, 'twilio calls.create failed: timed out'],
    ['elevenlabs', '5xx', { status: 500 }, 'elevenlabs outbound-call failed: HTTP 500'],
    ['elevenlabs', 'timeout', { delayMs: 2500 }, 'elevenlabs outbound-call failed: timed out'],
  ] as const)(
    '%s mode, provider %s → 502 and a failed call, visible live',
    async (mode, _kind, fault, reason) => {
      stack = await startApiStack({ backend, env: { DIAL_MODE: mode, PROVIDER_TIMEOUT_MS: '1000' } });
      const token = await stack.login();
      const live: BusMessage[] = [];
      const sub = await stack.backend.bus.subscribe('test-board', (m) => void live.push(m));
      stack.sim.failNext(DIAL_ROUTE[mode], fault);

      const res = await trigger(stack, token, 'retry-me');
      expect(res.status).toBe(502);
      const error = (res.body as ErrorBody).error;
      expect(error.code).toBe('provider_error');
      expect(error.message).toMatch(reason);
      const callId = error.details?.callId as string;
      await expect.poll(() => dials(stack!, mode), { timeout: 5000 }).toBe(1); // no SDK retry

      const call = (await stack.request('GET', `/calls/${callId}`, { token })).body as Call;
      expect(call).toMatchObject({ status: 'failed', failureReason: error.message, orgId: 'org-acme' });
      const events = (
        (await stack.request('GET', `/calls/${callId}/events`, { token })).body as { events: CallEvent[] }
      ).events;
      expect(events.map((e) => (e.kind === 'call_status' ? [e.status, e.source] : e.kind))).toEqual([
        ['queued', 'api'],
        ['failed', 'api'],
      ]);
      await expect
        .poll(() =>
          live.some((m) => m.type === 'event' && m.event.callId === callId && m.call.status === 'failed'),
        )
        .toBe(true);
      await sub.close();

      // Retrying with the same key shows the failed call and does not dial again.
      const retried = await trigger(stack, token, 'retry-me');
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ callId, status: 'failed' });
      await stack.sim.whenIdle();
      expect(dials(stack, mode)).toBe(1);
      expect(stack.logs.join('\n')).not.toContain('+15551234567');
    },
  );
});
