// Wire encoding of bus messages and the parse guarding the consumer edge.
import { describe, expect, it } from 'vitest';
import { routeOf, type BusMessage } from '../../ports/event-bus.ts';
import { eventMessage } from '../../ports/event-bus.contract.ts';
import { encodeBusMessage, parseBusMessage, routeFromAttributes } from './bus-message-codec.ts';

const partial: BusMessage = {
  type: 'partial',
  orgId: 'org-1',
  partial: { kind: 'partial', callId: 'c1', speaker: 'driver', text: 'on my w' },
};

const resolvedNotice: BusMessage = {
  type: 'notice',
  orgId: 'org-1',
  notice: {
    kind: 'attention_resolved',
    item: {
      attentionId: 'att_1',
      orgId: 'org-1',
      reason: 'escalation',
      driverId: 'd1',
      driverName: 'Dee',
      callIds: ['c1'],
      openedAt: '2030-01-01T00:00:00.000Z',
      resolved: { by: 'u1', at: '2030-01-01T01:00:00.000Z', note: 'called back' },
    },
  },
};

describe('encodeBusMessage', () => {
  it('keys events by call and carries routing attributes', () => {
    const encoded = encodeBusMessage(eventMessage('c1', 7, 'org-1'));
    expect(encoded.orderingKey).toBe('c1');
    expect(encoded.attributes).toEqual({ type: 'event', callId: 'c1', seq: '7', orgId: 'org-1' });
  });

  it('keys partials by call, without a seq', () => {
    const encoded = encodeBusMessage(partial);
    expect(encoded.orderingKey).toBe('c1');
    expect(encoded.attributes).toEqual({ type: 'partial', callId: 'c1', orgId: 'org-1' });
  });
});

/** A stored `intervention` event (a takeover) as published. */
function interventionMessage(): BusMessage {
  const base = eventMessage('c1', 2) as Extract<BusMessage, { type: 'event' }>;
  const { callId, seq, dedupeKey, recordedAt } = base.event;
  return {
    ...base,
    event: {
      callId,
      seq,
      dedupeKey,
      recordedAt,
      kind: 'intervention',
      action: 'takeover',
      by: 'usr_1',
      at: 'x',
    },
  };
}

describe('parseBusMessage', () => {
  it.each([
    ['event', eventMessage('c1', 3)],
    ['partial', partial],
    ['partial with its stream position', { ...partial, position: { stream: 'GT1', at: 12 } }],
    ['dispatcher partial', { ...partial, partial: { ...partial.partial, speaker: 'dispatcher' as const } }],
    ['intervention event', interventionMessage()],
    ['attention_resolved notice', resolvedNotice],
  ])('round-trips a %s', (_kind, message) => {
    expect(parseBusMessage(encodeBusMessage(message).data)).toEqual(message);
  });

  const valid = eventMessage('c1', 1);
  it.each([
    ['not JSON', '{"type":'],
    ['not an object', '[1,2]'],
    ['unknown type', JSON.stringify({ ...valid, type: 'other' })],
    [
      'event without call',
      JSON.stringify({ type: 'event', event: valid.type === 'event' ? valid.event : null }),
    ],
    [
      'seq 0',
      JSON.stringify({ ...valid, event: { ...(valid.type === 'event' ? valid.event : {}), seq: 0 } }),
    ],
    [
      'unknown event kind',
      JSON.stringify({ ...valid, event: { ...(valid.type === 'event' ? valid.event : {}), kind: 'x' } }),
    ],
    [
      'event of another call',
      JSON.stringify({ ...valid, call: { ...(valid.type === 'event' ? valid.call : {}), callId: 'c2' } }),
    ],
    [
      'bad call status',
      JSON.stringify({ ...valid, call: { ...(valid.type === 'event' ? valid.call : {}), status: 'done' } }),
    ],
    [
      'partial without orgId',
      JSON.stringify({ type: 'partial', partial: partial.type === 'partial' ? partial.partial : null }),
    ],
    [
      'partial with a bad speaker',
      JSON.stringify({ ...partial, partial: { kind: 'partial', callId: 'c1', speaker: 'x', text: 'a' } }),
    ],
  ])('rejects %s', (_name, raw) => {
    expect(parseBusMessage(Buffer.from(raw))).toBeNull();
  });

  it('drops a malformed partial position but keeps the partial', () => {
    const raw = JSON.stringify({ ...partial, position: { stream: 'GT1', at: -1 } });
    expect(parseBusMessage(Buffer.from(raw))).toEqual(partial);
  });

  it('carries each message’s route in its attributes, so a subscriber can refuse it without decoding', () => {
    const notice: BusMessage = {
      type: 'notice',
      orgId: 'org-1',
      notice: {
        kind: 'driver_opted_out',
        orgId: 'org-1',
        driverId: 'd1',
        driverName: 'Dana',
        phoneNumber: '+15550000002',
        callId: 'c1',
        at: '2030-01-01T00:00:00.000Z',
      },
    };
    for (const message of [eventMessage('c1', 3, 'org-1'), partial, notice]) {
      expect(routeFromAttributes(encodeBusMessage(message).attributes)).toEqual(routeOf(message));
    }
  });

  it('has no route for attributes that lack the org or the call (the body is decoded instead)', () => {
    expect(routeFromAttributes(undefined)).toBeUndefined();
    expect(routeFromAttributes({ type: 'event', callId: 'c1' })).toBeUndefined();
    expect(routeFromAttributes({ type: 'partial', orgId: 'o' })).toBeUndefined();
    expect(routeFromAttributes({ type: 'future', orgId: 'o', callId: 'c1' })).toBeUndefined();
  });
});
