// The rule book: which events change a call, and how.
import { describe, expect, it } from 'vitest';
import { CALL_STATUSES, newCallRecord, type Call, type CallStatus } from './call.ts';
import type { CallEventBody, TranscriptBody } from './call-event.ts';
import { applyEvent } from './call-reducer.ts';
import { MAX_SEARCH_TOKENS_PER_CALL } from './search-tokens.ts';

const created = '2030-01-01T00:00:00.000Z';
const now = '2030-01-01T00:05:00.000Z';
const callIn = (status: CallStatus, extra: Partial<Call> = {}): Call => ({
  ...newCallRecord({ callId: 'c1', orgId: 'o1', status }, created),
  ...extra,
});
const status = (
  to: CallStatus,
  extra: Partial<Extract<CallEventBody, { kind: 'call_status' }>> = {},
): CallEventBody => ({
  kind: 'call_status',
  status: to,
  source: 'twilio',
  ...extra,
});

describe('applyEvent: call_status', () => {
  const forward: [CallStatus, CallStatus][] = [
    ['queued', 'initiated'],
    ['queued', 'ringing'],
    ['initiated', 'ringing'],
    ['ringing', 'in-progress'],
    ['queued', 'failed'],
    ['ringing', 'no-answer'],
    ['in-progress', 'completed'],
  ];
  it.each(forward)('accepts %s -> %s', (from, to) => {
    expect(applyEvent(callIn(from), status(to), now)).toMatchObject({ status: to, updatedAt: now });
  });

  const backward: [CallStatus, CallStatus][] = [
    ['ringing', 'ringing'],
    ['in-progress', 'ringing'],
    ['ringing', 'queued'],
    ['completed', 'ringing'],
    ['completed', 'in-progress'],
    ['completed', 'failed'],
    ['busy', 'completed'],
  ];
  it.each(backward)('ignores %s -> %s (null)', (from, to) => {
    expect(applyEvent(callIn(from), status(to), now)).toBeNull();
  });

  it('terminal statuses accept nothing', () => {
    for (const terminal of ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const) {
      for (const to of CALL_STATUSES) expect(applyEvent(callIn(terminal), status(to), now)).toBeNull();
    }
  });

  it('sets answeredAt from the provider time, once', () => {
    const answered = applyEvent(
      callIn('ringing'),
      status('in-progress', { occurredAt: '2030-01-01T00:01:00.000Z' }),
      now,
    );
    expect(answered?.answeredAt).toBe('2030-01-01T00:01:00.000Z');
    expect(applyEvent(callIn('ringing'), status('in-progress'), now)?.answeredAt).toBe(now);
  });

  it('records end time, duration and reason on a terminal status', () => {
    const ended = applyEvent(
      callIn('in-progress'),
      status('failed', { durationSecs: 42, reason: 'carrier' }),
      now,
    );
    expect(ended).toMatchObject({
      status: 'failed',
      endedAt: now,
      durationSecs: 42,
      failureReason: 'carrier',
    });
  });

  it('does not mutate its input', () => {
    const call = callIn('ringing');
    const copy = structuredClone(call);
    applyEvent(call, status('completed'), now);
    expect(call).toEqual(copy);
  });
});

describe('applyEvent: segment and transcript', () => {
  it('a segment touches updatedAt and adds its new words to the search index', () => {
    const call = callIn('in-progress', { searchTokens: ['reefer'] });
    const next = applyEvent(
      call,
      { kind: 'segment', speaker: 'driver', text: 'The REEFER is at the Café', source: 'twilio_realtime' },
      now,
    );
    expect(next).toEqual({ ...call, updatedAt: now, searchTokens: ['reefer', 'cafe'] });
  });

  const transcript: TranscriptBody = {
    kind: 'transcript',
    conversationId: 'conv-1',
    source: 'elevenlabs_webhook',
    conversationStatus: 'done',
    turns: [],
    summary: 'driver will call back',
    callSuccessful: 'success',
    dataCollection: { acknowledged: { value: true, rationale: 'said yes' }, eta: { value: '15' } },
    durationSecs: 90,
  };

  it('a transcript sets the outcome, the conversation id and a missing duration', () => {
    const next = applyEvent(callIn('completed'), transcript, now);
    expect(next).toMatchObject({
      status: 'completed',
      conversationId: 'conv-1',
      durationSecs: 90,
      outcome: {
        summary: 'driver will call back',
        callSuccessful: 'success',
        dataCollection: { acknowledged: true, eta: '15' },
      },
    });
  });

  it('a transcript keeps an existing conversation id and duration', () => {
    const next = applyEvent(
      callIn('completed', { conversationId: 'conv-0', durationSecs: 80 }),
      transcript,
      now,
    );
    expect(next).toMatchObject({ conversationId: 'conv-0', durationSecs: 80 });
  });
});

describe('applyEvent: history fields', () => {
  const segment = (text: string): CallEventBody => ({
    kind: 'segment',
    speaker: 'driver',
    text,
    source: 'twilio_realtime',
  });

  it('caps the search index at MAX_SEARCH_TOKENS_PER_CALL, keeping the first words', () => {
    const words = Array.from({ length: MAX_SEARCH_TOKENS_PER_CALL + 50 }, (_, i) => `w${i}`);
    const next = applyEvent(callIn('in-progress'), segment(words.join(' ')), now);
    expect(next?.searchTokens).toEqual(words.slice(0, MAX_SEARCH_TOKENS_PER_CALL));
    const later = applyEvent(next!, segment('brand new words'), now);
    expect(later?.searchTokens).toHaveLength(MAX_SEARCH_TOKENS_PER_CALL);
  });

  it('adds no index for text of stop words only', () => {
    expect(applyEvent(callIn('in-progress'), segment('yes, it is'), now)).not.toHaveProperty('searchTokens');
  });

  it.each([
    ['busy', undefined, { outcome: 'unreachable', escalation: false, optedOut: false }],
    ['in-progress', undefined, undefined],
  ] as const)('sets facets from the conclusion (%s)', (to, _x, facets) => {
    const next = applyEvent(callIn('ringing'), status(to), now);
    expect(next?.facets).toEqual(facets);
  });

  it('sets facets once the analysis of a completed call arrives', () => {
    const body: TranscriptBody = {
      kind: 'transcript',
      conversationId: 'conv-1',
      source: 'elevenlabs_webhook',
      conversationStatus: 'done',
      turns: [{ speaker: 'driver', text: 'Trailer door jammed', offsetSecs: 3 }],
      dataCollection: { acknowledged: { value: 'no' }, escalation_needed: { value: 'yes' } },
    };
    const next = applyEvent(callIn('completed'), body, now);
    expect(next?.facets).toEqual({ outcome: 'not_acknowledged', escalation: true, optedOut: false });
    expect(next?.searchTokens).toEqual(['trailer', 'door', 'jammed']);
  });
});
