// parseTwilioStatus + twilioStatusDraft: typed values and dedupe keys from Twilio's own ids.
import { describe, expect, it } from 'vitest';
import { parseTwilioStatus, twilioStatusDraft } from './twilio-status-payload.ts';

describe('parseTwilioStatus', () => {
  it('maps a terminal callback to a call_status draft keyed by CallSid + SequenceNumber', () => {
    const parsed = parseTwilioStatus({
      CallSid: 'CA1',
      CallStatus: 'busy',
      SequenceNumber: '2',
      Timestamp: 'Wed, 08 Oct 2025 13:54:12 +0000',
      CallDuration: '0',
      SipResponseCode: '486',
      To: '+15005550006',
    });
    if (parsed.kind !== 'status') throw new Error('unexpected kind');
    expect(twilioStatusDraft(parsed)).toEqual({
      dedupeKey: 'twilio-status:CA1:2',
      body: {
        kind: 'call_status',
        status: 'busy',
        source: 'twilio',
        occurredAt: '2025-10-08T13:54:12.000Z',
        durationSecs: 0,
        reason: 'busy (SIP 486)',
      },
    });
  });

  it('keys an unnumbered callback (no StatusCallbackEvent configured) by its status', () => {
    const parsed = parseTwilioStatus({ CallSid: 'CA1', CallStatus: 'completed', Timestamp: 'garbage' });
    if (parsed.kind !== 'status') throw new Error('unexpected kind');
    expect(twilioStatusDraft(parsed)).toEqual({
      dedupeKey: 'twilio-status:CA1:status-completed',
      body: { kind: 'call_status', status: 'completed', source: 'twilio' },
    });
  });

  it('reports an unknown CallStatus instead of failing', () => {
    expect(parseTwilioStatus({ CallSid: 'CA1', CallStatus: 'answered-by-robot' })).toEqual({
      kind: 'unknown_status',
      callSid: 'CA1',
      callStatus: 'answered-by-robot',
    });
  });
});
