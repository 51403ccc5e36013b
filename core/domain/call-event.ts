// Events of a call: durable ones (stored, gapless per-call seq) and volatile partial segments (live only).
import type { CallStatus } from './call.ts';

/**
 * Who spoke: the AI `agent` (Twilio's outbound track), the `driver` (inbound track), or, after a takeover, the
 * `dispatcher` whose voice the outbound track then carries.
 */
export type Speaker = 'agent' | 'driver' | 'dispatcher';

/** Every speaker, for guards at the edges. */
export const SPEAKERS: readonly Speaker[] = ['agent', 'driver', 'dispatcher'];

export interface CallStatusBody {
  kind: 'call_status';
  status: CallStatus;
  /** Where the status came from. */
  source: 'twilio' | 'elevenlabs' | 'api';
  /** Provider's event time (ISO), when it sent one. */
  occurredAt?: string;
  reason?: string;
  durationSecs?: number;
}

export interface SegmentBody {
  kind: 'segment';
  speaker: Speaker;
  text: string;
  confidence?: number;
  /** Milliseconds since the call was answered, when known. */
  offsetMs?: number;
  occurredAt?: string;
  source: 'twilio_realtime';
}

export interface TranscriptTurn {
  speaker: Speaker;
  text: string;
  offsetSecs: number;
}

/** The agent's post-call result (ElevenLabs transcript + analysis), with provider field names already mapped. */
export interface ConversationResult {
  /** Provider status: `initiated`, `in-progress`, `processing`, `done`, `failed` (unknown values pass through). */
  conversationStatus: string;
  turns: TranscriptTurn[];
  summary?: string;
  callSuccessful?: string;
  /** Data-collection results by id (e.g. `acknowledged`, `eta`). */
  dataCollection: Record<string, { value: unknown; rationale?: string }>;
  durationSecs?: number;
  terminationReason?: string;
  /** ElevenLabs `metadata.phone_call.call_result`: `answered`, `voicemail`, `busy`, `no_answer`, `failed`. */
  callResult?: string;
}

export interface TranscriptBody extends ConversationResult {
  kind: 'transcript';
  conversationId: string;
  source: 'elevenlabs_webhook' | 'elevenlabs_fetch';
}

/** A human action on a live call: the dispatcher `by` (a user id) took it over or ended it `at` (ISO). */
export interface InterventionBody {
  kind: 'intervention';
  action: InterventionAction;
  /** User id of the dispatcher who acted. */
  by: string;
  /** The dispatcher's email, for the timeline ("taken over by …"), when known. Never a phone number. */
  byEmail?: string;
  /** ISO time callrelay asked the carrier to act. */
  at: string;
}

export type InterventionAction = 'takeover' | 'end';

/** An event to append: its body and the provider-derived idempotency key it is stored under (see `dedupe-key.ts`). */
export interface EventDraft {
  dedupeKey: string;
  body: CallEventBody;
}

/** The body of a durable event, discriminated by `kind`. */
export type CallEventBody = CallStatusBody | SegmentBody | TranscriptBody | InterventionBody;
export type CallEventKind = CallEventBody['kind'];

/** A stored event: gapless `seq` per call starting at 1. */
export type CallEvent = CallEventBody & {
  callId: string;
  seq: number;
  /** Provider-derived key making the append idempotent. */
  dedupeKey: string;
  /** ISO time callrelay stored it. */
  recordedAt: string;
};

/** A non-final transcript fragment: forwarded live, never stored, no seq. */
export interface PartialSegment {
  kind: 'partial';
  callId: string;
  speaker: Speaker;
  text: string;
  stability?: number;
  occurredAt?: string;
}

/** Keyed by every kind, so the compiler flags a kind added to `CallEventBody` but missing here. */
const KINDS: Record<CallEventKind, true> = {
  call_status: true,
  segment: true,
  transcript: true,
  intervention: true,
};

/** Every durable event kind: the one list the bus codec and the relay protocol check against. */
export const EVENT_KINDS: readonly CallEventKind[] = Object.keys(KINDS) as CallEventKind[];

/** True for the kind of a durable event (which carries `callId` and `seq` on the wire). */
export function isEventKind(value: unknown): value is CallEventKind {
  return typeof value === 'string' && Object.hasOwn(KINDS, value);
}
