// Which webhook events bus messages mean: one conclusion per call (stable id), failures by reason, notices mapped.
import { describe, expect, it } from 'vitest';
import type { Call, CallStatus } from '../domain/call.ts';
import type { CallEvent } from '../domain/call-event.ts';
import type { BusMessage } from '../ports/event-bus.ts';
import { deliveryIdOf, webhookBody, webhookEventsOf } from './webhook-events.ts';

const at = '2026-03-01T08:00:00.000Z';
const call = (status: CallStatus, extra: Partial<Call> = {}): Call => ({
  callId: 'call_1',
  orgId: 'org-a',
  driver: { id: 'drv_1', name: 'Sam' },
  triggers: [],
  status,
  createdAt: at,
  updatedAt: at,
  endedAt: at,
  lastSeq: 3,
  ...extra,
});
const statusEvent = (status: CallStatus): CallEvent => ({
  callId: 'call_1',
  seq: 3,
  dedupeKey: 'k',
  recordedAt: at,
  kind: 'call_status',
  status,
  source: 'twilio',
});
const message = (c: Call, event: CallEvent = statusEvent(c.status)): BusMessage => ({
  type: 'event',
  event,
  call: c,
});
const transcriptEvent: CallEvent = {
  callId: 'call_1',
  seq: 4,
  dedupeKey: 't',
  recordedAt: at,
  kind: 'transcript',
  conversationId: 'conv_1',
  source: 'elevenlabs_webhook',
  conversationStatus: 'done',
  turns: [],
  dataCollection: {},
};

describe('webhookEventsOf', () => {
  it.each([
    ['busy', undefined, 'busy'],
    ['no-answer', undefined, 'no-answer'],
    ['failed', undefined, 'failed'],
    ['canceled', undefined, 'failed'],
    ['completed', { callResult: 'voicemail' }, 'voicemail'],
  ] as const)('a %s call (%j) is call.failed with reason %s', (status, outcome, reason) => {
    const [event, ...rest] = webhookEventsOf(message(call(status, outcome ? { outcome } : {})));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'call.failed',
      eventId: 'call.failed:call_1',
      data: { reason, status },
    });
  });

  it('a call still going, or completed without its analysis yet, means nothing', () => {
    expect(webhookEventsOf(message(call('in-progress')))).toEqual([]);
    expect(webhookEventsOf(message(call('completed')))).toEqual([]);
  });

  it('a reached call is call.completed with the same id from its status event and from each transcript', () => {
    const done = call('completed', {
      outcome: { dataCollection: { acknowledged: 'no' }, callSuccessful: 'failure' },
    });
    const fromStatus = webhookEventsOf(message(done));
    const fromTranscript = webhookEventsOf(message(done, transcriptEvent));
    const fromFetch = webhookEventsOf(
      message(done, { ...transcriptEvent, seq: 5, source: 'elevenlabs_fetch' }),
    );
    expect(fromStatus).toEqual(fromTranscript);
    expect(fromFetch.map((e) => e.eventId)).toEqual(['call.completed:call_1']);
    expect(fromStatus[0]!.data).toMatchObject({ outcome: { acknowledged: false, evaluation: 'failure' } });
  });

  it('segments, partials and campaign progress mean nothing', () => {
    const segment: CallEvent = {
      ...transcriptEvent,
      kind: 'segment',
      speaker: 'driver',
      text: 'hi',
      source: 'twilio_realtime',
    } as CallEvent;
    expect(webhookEventsOf(message(call('completed', { outcome: {} }), segment))).toEqual([]);
    expect(
      webhookEventsOf({
        type: 'partial',
        orgId: 'org-a',
        partial: { kind: 'partial', callId: 'c', speaker: 'agent', text: 'x' },
      }),
    ).toEqual([]);
  });

  it('puts the phone number only in bodies for opted-in endpoints', () => {
    const [optOut] = webhookEventsOf({
      type: 'notice',
      orgId: 'org-a',
      notice: {
        kind: 'driver_opted_out',
        orgId: 'org-a',
        driverId: 'drv_1',
        driverName: 'Sam',
        phoneNumber: '+15551234567',
        callId: 'call_1',
        at,
      },
    });
    expect(optOut!.type).toBe('driver.opted_out');
    expect(webhookBody(optOut!)).not.toContain('+1555');
    expect(JSON.parse(webhookBody(optOut!, '+15551234567'))).toMatchObject({
      data: { phoneNumber: '+15551234567' },
    });
    const [completed] = webhookEventsOf(message(call('completed', { outcome: {} })));
    expect(JSON.parse(webhookBody(completed!, '+15551234567'))).toMatchObject({
      data: { driver: { id: 'drv_1', phoneNumber: '+15551234567' } },
    });
  });

  it('cuts a huge summary to keep the body within 256 KiB', () => {
    const [event] = webhookEventsOf(
      message(call('completed', { outcome: { summary: 'x'.repeat(300_000) } })),
    );
    const body = webhookBody(event!);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(256 * 1024);
    expect(JSON.parse(body)).toMatchObject({ truncated: true });
  });
});

describe('deliveryIdOf', () => {
  it('is stable per (endpoint, event) and differs across endpoints', () => {
    expect(deliveryIdOf('ep_1', 'call.completed:call_1')).toBe(deliveryIdOf('ep_1', 'call.completed:call_1'));
    expect(deliveryIdOf('ep_2', 'call.completed:call_1')).not.toBe(
      deliveryIdOf('ep_1', 'call.completed:call_1'),
    );
    expect(deliveryIdOf('ep_1', 'x')).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
