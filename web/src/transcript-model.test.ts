// TranscriptModel: each durable event once, partials replaced by the final line, call snapshot advanced by the reducer.
import { describe, expect, it } from 'vitest';
import { newCallRecord, type Call } from '../../core/domain/call.ts';
import type { EventMessage, PartialMessage } from '../../core/protocol/relay-messages.ts';
import { TranscriptModel } from './transcript-model.ts';

const CALL_ID = 'call_0123456789abcdef0123456789abcdef';
const at = (s: number) => new Date(Date.UTC(2026, 0, 15, 12, 0, s)).toISOString();

function snapshot(lastSeq = 0): Call {
  return { ...newCallRecord({ callId: CALL_ID, orgId: 'org-a' }, at(0)), lastSeq };
}
function status(seq: number, value: 'ringing' | 'in-progress' | 'completed'): EventMessage {
  return { type: 'call_status', callId: CALL_ID, seq, recordedAt: at(seq), status: value, source: 'twilio' };
}
function segment(seq: number, speaker: 'agent' | 'driver', text: string): EventMessage {
  return {
    type: 'segment',
    callId: CALL_ID,
    seq,
    recordedAt: at(seq),
    speaker,
    text,
    source: 'twilio_realtime',
  };
}
function partial(speaker: 'agent' | 'driver', text: string): PartialMessage {
  return { type: 'partial', callId: CALL_ID, speaker, text };
}

describe('TranscriptModel', () => {
  it('applies each seq once: a replayed event is ignored', () => {
    const model = new TranscriptModel();
    model.setSnapshot(snapshot());
    expect(model.applyEvent(segment(1, 'agent', 'Hello'))).toBe(true);
    expect(model.applyEvent(segment(1, 'agent', 'Hello'))).toBe(false);
    expect(model.applyEvent(segment(2, 'driver', 'Hi'))).toBe(true);
    expect(model.visibleLines().map((l) => l.text)).toEqual(['Hello', 'Hi']);
    expect(model.anomalies).toEqual([]);
  });

  it('records a gap as an anomaly instead of hiding it', () => {
    const model = new TranscriptModel();
    model.applyEvent(segment(1, 'agent', 'a'));
    model.applyEvent(segment(3, 'agent', 'c'));
    expect(model.anomalies).toEqual(['expected seq 2, got 3']);
  });

  it('shows a partial tentatively until the final line of that speaker replaces it', () => {
    const model = new TranscriptModel();
    model.applyEvent(segment(1, 'agent', 'Do you have a minute?'));
    model.applyPartial(partial('driver', 'Yeah I am'));
    expect(model.visibleLines().map((l) => [l.text, l.tentative])).toEqual([
      ['Do you have a minute?', false],
      ['Yeah I am', true],
    ]);
    model.applyEvent(segment(2, 'driver', 'Yeah, I am parked.'));
    expect(model.visibleLines().map((l) => [l.text, l.tentative])).toEqual([
      ['Do you have a minute?', false],
      ['Yeah, I am parked.', false],
    ]);
  });

  it('advances the snapshot only with events it does not already contain', () => {
    const model = new TranscriptModel();
    model.setSnapshot({ ...snapshot(2), status: 'ringing' });
    model.applyEvent(status(1, 'ringing'));
    model.applyEvent(segment(2, 'agent', 'x'));
    expect(model.call?.status).toBe('ringing');
    model.applyEvent(status(3, 'in-progress'));
    expect(model.call?.status).toBe('in-progress');
    expect(model.call?.answeredAt).toBe(at(3));
    model.applyEvent(status(4, 'completed'));
    expect(model.call?.status).toBe('completed');
    expect(model.call?.lastSeq).toBe(4);
    expect(model.timeline.map((s) => s.status)).toEqual(['ringing', 'in-progress', 'completed']);
  });
});
