// One call as the call view shows it: snapshot, status timeline, final lines by seq, tentative partials, outcome.
import type { Call, CallStatus } from '../../core/domain/call.ts';
import type { CallEventBody, InterventionAction, Speaker } from '../../core/domain/call-event.ts';
import { applyEvent } from '../../core/domain/call-reducer.ts';
import type { EventMessage, PartialMessage } from '../../core/protocol/relay-messages.ts';
import { assertNever } from '../../core/support/assert-never.ts';

export interface TranscriptLine {
  /** Stable DOM key: `seq-N` for final lines, `partial-<speaker>` for tentative ones. */
  key: string;
  speaker: Speaker;
  text: string;
  tentative: boolean;
  seq?: number;
  offsetMs?: number;
  occurredAt?: string;
  recordedAt?: string;
}

export interface StatusStep {
  seq: number;
  status: CallStatus;
  at: string;
  reason?: string;
}

/** A dispatcher's action in the timeline: "taken over by …" / "ended by …". */
export interface InterventionStep {
  seq: number;
  action: InterventionAction;
  by: string;
  byEmail?: string;
  at: string;
}

export type PostCallTranscript = Extract<EventMessage, { type: 'transcript' }>;

/**
 * Applies relay messages to one call. Durable events are taken once each by seq (a repeat is ignored), so a resumed
 * subscription can never render a line twice; a partial is shown until the next final line of the same speaker.
 */
export class TranscriptModel {
  call: Call | undefined;
  lastSeq = 0;
  readonly lines: TranscriptLine[] = [];
  readonly timeline: StatusStep[] = [];
  /** Dispatcher actions (takeover, end), shown in the timeline by seq among the status steps. */
  readonly interventions: InterventionStep[] = [];
  postCall: PostCallTranscript | undefined;
  private readonly partials = new Map<Speaker, TranscriptLine>();
  /** Seqs seen out of order (should stay empty: the client library guarantees order). */
  readonly anomalies: string[] = [];

  setSnapshot(call: Call): void {
    this.call = call;
  }

  /** Returns false when the event was already applied. */
  applyEvent(event: EventMessage): boolean {
    if (event.seq <= this.lastSeq) return false;
    if (event.seq !== this.lastSeq + 1)
      this.anomalies.push(`expected seq ${this.lastSeq + 1}, got ${event.seq}`);
    this.lastSeq = event.seq;
    this.advanceCall(event);
    switch (event.type) {
      case 'call_status':
        this.timeline.push({
          seq: event.seq,
          status: event.status,
          at: event.occurredAt ?? event.recordedAt,
          ...(event.reason ? { reason: event.reason } : {}),
        });
        break;
      case 'segment':
        this.partials.delete(event.speaker);
        this.lines.push({
          key: `seq-${event.seq}`,
          speaker: event.speaker,
          text: event.text,
          tentative: false,
          seq: event.seq,
          ...(event.offsetMs !== undefined ? { offsetMs: event.offsetMs } : {}),
          ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
          recordedAt: event.recordedAt,
        });
        break;
      case 'transcript':
        this.postCall = event;
        this.partials.clear();
        break;
      case 'intervention':
        this.interventions.push({
          seq: event.seq,
          action: event.action,
          by: event.by,
          ...(event.byEmail ? { byEmail: event.byEmail } : {}),
          at: event.at,
        });
        break;
      default:
        return assertNever(event);
    }
    return true;
  }

  /** Keeps the snapshot current with the same reducer the store uses (events the snapshot already holds are skipped). */
  private advanceCall(event: EventMessage): void {
    if (!this.call || event.seq <= this.call.lastSeq) return;
    const { type, callId: _callId, seq: _seq, recordedAt: _recordedAt, ...fields } = event;
    const body = { ...fields, kind: type } as CallEventBody;
    const next = applyEvent(this.call, body, event.recordedAt) ?? this.call;
    this.call = { ...next, lastSeq: event.seq };
  }

  applyPartial(partial: PartialMessage): void {
    if (this.postCall || !partial.text.trim()) return;
    this.partials.set(partial.speaker, {
      key: `partial-${partial.speaker}`,
      speaker: partial.speaker,
      text: partial.text,
      tentative: true,
      ...(partial.occurredAt ? { occurredAt: partial.occurredAt } : {}),
    });
  }

  /** Final lines in seq order, then the tentative partials still open. */
  visibleLines(): TranscriptLine[] {
    return [...this.lines, ...this.partials.values()];
  }

  /** Lines of the post-call transcript, used when no live line arrived (e.g. live transcription was off). */
  postCallLines(): TranscriptLine[] {
    if (!this.postCall) return [];
    return this.postCall.turns.map((turn, index) => ({
      key: `turn-${index}`,
      speaker: turn.speaker,
      text: turn.text,
      tentative: false,
      offsetMs: turn.offsetSecs * 1000,
    }));
  }
}
