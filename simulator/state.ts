// The simulator's in-memory provider state: Twilio calls, their transcription sessions, ElevenLabs conversations.
import type { DeliveryLane } from './delivery.ts';
import type { Random } from './rng.ts';
import type { CallScript } from './scripts/script.ts';
import type { ConversationStatus, DialMode, SimulatedCall, TwilioCallStatus } from './types.ts';

export type TranscriptionTrack = 'inbound_track' | 'outbound_track' | 'both_tracks';

export interface TranscriptionSession {
  sid: string;
  name: string;
  callSid: string;
  /** Null: the session runs but nobody is told (Twilio accepts a transcription without a callback). */
  statusCallbackUrl: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  track: TranscriptionTrack;
  inboundTrackLabel?: string;
  outboundTrackLabel?: string;
  partialResults: boolean;
  languageCode: string;
  transcriptionEngine: string;
  speechModel: string;
  profanityFilter: boolean;
  status: 'in-progress' | 'stopped';
  dateUpdated: Date;
  /** Last SequenceId sent on this session. */
  sequence: number;
  lane: DeliveryLane;
}

export interface TranscriptTurn {
  role: 'agent' | 'user';
  message: string;
  time_in_call_secs: number;
  interrupted: boolean;
}

export interface ConversationRecord {
  conversationId: string;
  agentId: string;
  mode: DialMode;
  status: ConversationStatus;
  fromNumber: string;
  toNumber: string;
  /** ElevenLabs phone number id (outbound-call), null for register-call. */
  phoneNumberId: string | null;
  /** `conversation_initiation_client_data` as received (wire, snake_case). */
  clientData: Record<string, unknown>;
  dynamicVariables: Record<string, unknown>;
  userId: string | null;
  callSid: string | null;
  streamSid: string | null;
  createdAtMs: number;
  transcript: TranscriptTurn[];
  durationSecs: number;
  script: CallScript | null;
  callResult: CallScript['callResult'] | null;
  /** Set when the call never connected (busy / no-answer / failed). */
  failureReason: 'busy' | 'no-answer' | 'unknown' | null;
}

/**
 * A call update that replaced the call's TwiML (or set `Status=completed`): the agent's stream ends, then the
 * `<Say>` notice (if any) plays, then either a `<Dial>` to `to` (the scripted human conversation) or a hang-up.
 */
export type CallInterrupt =
  { kind: 'dial'; to: string; notice: string | null } | { kind: 'hangup'; notice: string | null };

export interface CallRecord {
  sid: string;
  mode: DialMode;
  to: string;
  from: string;
  status: TwilioCallStatus;
  script: CallScript;
  /** Voice webhook (register mode); `twiml` wins when both are given. */
  url: string | null;
  method: 'GET' | 'POST';
  twiml: string | null;
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  statusCallbackEvents: ReadonlySet<string>;
  machineDetection: string | null;
  answeredBy: string | null;
  dateCreated: Date;
  startTime: Date | null;
  endTime: Date | null;
  durationSecs: number | null;
  conversationId: string | null;
  sessions: TranscriptionSession[];
  /** Simulated milliseconds since dateCreated (the call's own clock, advanced by its player). */
  clockMs: number;
  /** Next Twilio status callback SequenceNumber. */
  statusSequence: number;
  statusLane: DeliveryLane | null;
  random: Random;
  /** Woken when a transcription session starts (elevenlabs mode waits for one after the answer). */
  onSessionStarted: (() => void) | null;
  /** Call updates received, oldest first; the player acts on each new one. */
  interrupts: CallInterrupt[];
  /** Woken when a call update arrives, so a waiting player acts at once. */
  onInterrupt: (() => void) | null;
}

/** The call's simulated "now". */
export function callNow(call: CallRecord): Date {
  return new Date(call.dateCreated.getTime() + call.clockMs);
}

export class SimulatorState {
  readonly calls = new Map<string, CallRecord>();
  readonly conversations = new Map<string, ConversationRecord>();

  snapshot(): SimulatedCall[] {
    return [...this.calls.values()].map((c) => ({
      callSid: c.sid,
      conversationId: c.conversationId,
      mode: c.mode,
      script: c.script.name,
      to: c.to,
      from: c.from,
      status: c.status,
      transcriptionSids: c.sessions.map((s) => s.sid),
      conversationStatus: c.conversationId
        ? (this.conversations.get(c.conversationId)?.status ?? null)
        : null,
    }));
  }
}
