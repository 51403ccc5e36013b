// The bus traffic of live calls as the webhooks publish it: partials several/s per talking speaker, finals, status.
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';

/**
 * One call's second of talk, from the Twilio Real-Time Transcription stream of a fast-talking call: one speaker talks
 * at a time and its track sends ~3 partials/s, a final closes each ~2 s utterance (0.5/s), and the call's status
 * events (initiated, ringing, in-progress, completed) are 4 per ~2 min call (~0.03/s). So ~3.5 bus messages/s/call.
 */
export const MESSAGES_PER_CALL_SECOND = 3.5;
/** Of every 7 messages of a call, 6 are partials and 1 is a final; a status event replaces a final every 16th time. */
const CYCLE = 7;
const STATUS_EVERY_FINALS = 16;

const WORDS = 'yes I am about forty minutes out from the dock traffic is heavy on the interstate'.split(' ');

interface CallState {
  call: Call;
  sent: number;
  finals: number;
}

/** Round-robin over `calls` live calls of `orgs` orgs; `next()` returns the following bus message of the mix. */
export class CallMix {
  private readonly calls: CallState[];
  private turn = 0;

  constructor(calls: number, orgs: number, runId: string) {
    const now = new Date().toISOString();
    this.calls = Array.from({ length: calls }, (_, i) => ({
      sent: 0,
      finals: 0,
      call: {
        callId: `fanin_${runId}_${i}`,
        orgId: `org-fanin-${i % orgs}`,
        driver: { id: `drv_${i}`, name: 'Sam Driver', timezone: 'America/Chicago' },
        triggers: [{ type: 'reminder', description: 'Confirm ETA to the Dallas DC and any delay reason' }],
        callSid: `CA${runId}${String(i).padStart(8, '0')}`,
        conversationId: `conv_${runId}_${i}`,
        status: 'in-progress',
        createdAt: now,
        updatedAt: now,
        answeredAt: now,
        lastSeq: 0,
      },
    }));
  }

  next(): BusMessage {
    const state = this.calls[this.turn]!;
    this.turn = (this.turn + 1) % this.calls.length;
    const k = state.sent++;
    const call = state.call;
    if (k % CYCLE !== CYCLE - 1) {
      const words = WORDS.slice(0, 3 + (k % CYCLE) * 2).join(' ');
      return {
        type: 'partial',
        orgId: call.orgId,
        partial: { kind: 'partial', callId: call.callId, speaker: 'driver', text: words, stability: 0.8 },
        position: { stream: `GT${call.callId}:driver`, at: k },
      };
    }
    const seq = ++call.lastSeq;
    const recordedAt = new Date().toISOString();
    call.updatedAt = recordedAt;
    const status = ++state.finals % STATUS_EVERY_FINALS === 0;
    const event: CallEvent = status
      ? {
          kind: 'call_status',
          status: 'in-progress',
          source: 'twilio',
          callId: call.callId,
          seq,
          dedupeKey: `status:${call.callId}:${seq}`,
          recordedAt,
        }
      : {
          kind: 'segment',
          speaker: seq % 2 ? 'driver' : 'agent',
          text: WORDS.join(' '),
          source: 'twilio_realtime',
          callId: call.callId,
          seq,
          dedupeKey: `twilio:${call.callSid}:${seq}`,
          recordedAt,
        };
    return { type: 'event', event, call: { ...call } };
  }
}
