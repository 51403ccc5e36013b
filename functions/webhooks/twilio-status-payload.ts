// Twilio call status callback (form params) → a typed status update, and its durable `call_status` draft.
import { z } from 'zod';
import { isCallStatus, isTerminal, type CallStatus } from '../../core/domain/call.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import type { EventDraft } from '../../core/ports/call-store.ts';
import { isoTime } from '../../core/support/iso-time.ts';
import { parseOrThrow } from './payload-parse.ts';

const digits = z.string().regex(/^\d+$/, 'must be a non-negative integer');

const schema = z.object({
  CallSid: z.string().min(1),
  CallStatus: z.string().min(1),
  SequenceNumber: digits.optional(),
  Timestamp: z.string().optional(),
  CallDuration: digits.optional(),
  SipResponseCode: digits.optional(),
});

export type TwilioStatusPayload =
  | {
      kind: 'status';
      callSid: string;
      status: CallStatus;
      /** Absent on callbacks configured without StatusCallbackEvent (then only `completed` is sent). */
      sequenceNumber?: string;
      occurredAt?: string;
      durationSecs?: number;
      sipResponseCode?: string;
    }
  /** A CallStatus value callrelay does not know (acknowledged, not stored). */
  | { kind: 'unknown_status'; callSid: string; callStatus: string };

/** Parses verified status-callback params; extra params are ignored. */
export function parseTwilioStatus(params: Record<string, string>): TwilioStatusPayload {
  const p = parseOrThrow(schema, params, 'Twilio status callback');
  if (!isCallStatus(p.CallStatus))
    return { kind: 'unknown_status', callSid: p.CallSid, callStatus: p.CallStatus };
  const occurredAt = isoTime(p.Timestamp);
  return {
    kind: 'status',
    callSid: p.CallSid,
    status: p.CallStatus,
    ...(p.SequenceNumber !== undefined ? { sequenceNumber: p.SequenceNumber } : {}),
    ...(occurredAt ? { occurredAt } : {}),
    ...(p.CallDuration !== undefined ? { durationSecs: Number(p.CallDuration) } : {}),
    ...(p.SipResponseCode !== undefined ? { sipResponseCode: p.SipResponseCode } : {}),
  };
}

/** The durable event for a status callback, keyed by CallSid + SequenceNumber (or the status when unnumbered). */
export function twilioStatusDraft(p: Extract<TwilioStatusPayload, { kind: 'status' }>): EventDraft {
  const failed = isTerminal(p.status) && p.status !== 'completed';
  return {
    dedupeKey: dedupeKeys.twilioStatus(p.callSid, p.sequenceNumber ?? `status-${p.status}`),
    body: {
      kind: 'call_status',
      status: p.status,
      source: 'twilio',
      ...(p.occurredAt ? { occurredAt: p.occurredAt } : {}),
      ...(p.durationSecs !== undefined && isTerminal(p.status) ? { durationSecs: p.durationSecs } : {}),
      ...(failed ? { reason: p.sipResponseCode ? `${p.status} (SIP ${p.sipResponseCode})` : p.status } : {}),
    },
  };
}
