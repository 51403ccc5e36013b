// ElevenLabs post-call webhook (JSON) → typed event, and the durable drafts it produces.
import { z } from 'zod';
import type { CallStatus } from '../../core/domain/call.ts';
import type { ConversationResult } from '../../core/domain/call-event.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import type { CallRef, EventDraft } from '../../core/ports/call-store.ts';
import {
  conversationEndedAt,
  dataCollection,
  transcriptTurns,
} from '../../core/domain/elevenlabs-conversation.ts';
import { isCallId } from '../../core/domain/call-id.ts';
import { CALL_ID_VARIABLE } from '../../core/domain/dynamic-variables.ts';
import { isoTime } from '../../core/support/iso-time.ts';
import { parseJsonText, parseOrThrow } from './payload-parse.ts';

const envelope = z.object({
  type: z.string().min(1),
  event_timestamp: z.number().optional(),
  data: z.unknown(),
});

// Objects strip unknown keys: the data mirrors GET conversation and grows over time.
const turn = z.object({
  role: z.string(),
  message: z.string().nullish(),
  time_in_call_secs: z.number().nullish(),
});

const transcription = z.object({
  conversation_id: z.string().min(1),
  status: z.string().nullish(),
  transcript: z.array(turn).nullish(),
  metadata: z
    .object({
      start_time_unix_secs: z.number().nullish(),
      call_duration_secs: z.number().nullish(),
      termination_reason: z.string().nullish(),
      phone_call: z.object({ call_sid: z.string().nullish() }).nullish(),
    })
    .nullish(),
  analysis: z
    .object({
      transcript_summary: z.string().nullish(),
      call_successful: z.string().nullish(),
      data_collection_results: z
        .record(z.string(), z.object({ value: z.unknown(), rationale: z.string().nullish() }))
        .nullish(),
    })
    .nullish(),
  conversation_initiation_client_data: z
    .object({ dynamic_variables: z.record(z.string(), z.unknown()).nullish() })
    .nullish(),
});

const initiationFailure = z.object({
  conversation_id: z.string().min(1),
  failure_reason: z.string().nullish(),
  metadata: z
    .object({ type: z.string().nullish(), body: z.object({ CallSid: z.string().nullish() }).nullish() })
    .nullish(),
});

const audio = z.object({ conversation_id: z.string().nullish() });

export type ElevenLabsPayload =
  | (ConversationResult & {
      kind: 'post_call_transcription';
      conversationId: string;
      callSid?: string;
      /** From the `callrelay_call_id` dynamic variable, when it is a valid callId. */
      callId?: string;
      /** The variable was present but not a valid callId (ignored: a 4xx would lose the transcript). */
      callIdRejected?: boolean;
      /** When the call ended (start + duration), else the event time. */
      endedAt?: string;
    })
  | {
      kind: 'call_initiation_failure';
      conversationId: string;
      callSid?: string;
      failureReason: string;
      occurredAt?: string;
    }
  | { kind: 'post_call_audio'; conversationId?: string }
  | { kind: 'unknown'; type: string };

/** Parses a verified raw body. Unknown `type`s parse to `unknown`; known ones with a bad `data` are invalid. */
export function parseElevenLabsWebhook(rawBody: string): ElevenLabsPayload {
  const env = parseOrThrow(envelope, parseJsonText(rawBody, 'ElevenLabs webhook'), 'ElevenLabs webhook');
  switch (env.type) {
    case 'post_call_transcription': {
      const d = parseOrThrow(transcription, env.data, 'post_call_transcription data');
      const meta = d.metadata;
      const analysis = d.analysis;
      const start = meta?.start_time_unix_secs;
      const duration = meta?.call_duration_secs;
      const endedAt = conversationEndedAt(start, duration) ?? isoTime(env.event_timestamp);
      return {
        kind: 'post_call_transcription',
        conversationId: d.conversation_id,
        ...(meta?.phone_call?.call_sid ? { callSid: meta.phone_call.call_sid } : {}),
        ...callIdOf(d.conversation_initiation_client_data?.dynamic_variables?.[CALL_ID_VARIABLE]),
        conversationStatus: d.status ?? 'unknown',
        turns: transcriptTurns(d.transcript?.map((t) => ({ ...t, timeInCallSecs: t.time_in_call_secs }))),
        ...(analysis?.transcript_summary ? { summary: analysis.transcript_summary } : {}),
        ...(analysis?.call_successful ? { callSuccessful: analysis.call_successful } : {}),
        dataCollection: dataCollection(analysis?.data_collection_results),
        ...(duration != null ? { durationSecs: duration } : {}),
        ...(meta?.termination_reason ? { terminationReason: meta.termination_reason } : {}),
        ...(endedAt ? { endedAt } : {}),
      };
    }
    case 'call_initiation_failure': {
      const d = parseOrThrow(initiationFailure, env.data, 'call_initiation_failure data');
      const occurredAt = isoTime(env.event_timestamp);
      const callSid = d.metadata?.type === 'twilio' ? d.metadata.body?.CallSid : undefined;
      return {
        kind: 'call_initiation_failure',
        conversationId: d.conversation_id,
        ...(callSid ? { callSid } : {}),
        failureReason: d.failure_reason || 'unknown',
        ...(occurredAt ? { occurredAt } : {}),
      };
    }
    case 'post_call_audio': {
      const d = audio.safeParse(env.data);
      const conversationId = d.success ? d.data.conversation_id : undefined;
      return { kind: 'post_call_audio', ...(conversationId ? { conversationId } : {}) };
    }
    default:
      return { kind: 'unknown', type: env.type };
  }
}

/** Provider ids the payload names its call by; `callId` comes from the handler (query or dynamic variable). */
export function elevenLabsRef(
  p: Extract<ElevenLabsPayload, { conversationId: string }>,
  callId: string | undefined,
): CallRef {
  return {
    ...(callId ? { callId } : {}),
    conversationId: p.conversationId,
    ...(p.callSid ? { callSid: p.callSid } : {}),
  };
}

function callIdOf(variable: unknown): { callId?: string; callIdRejected?: boolean } {
  if (variable === undefined || variable === null || variable === '') return {};
  return isCallId(variable) ? { callId: variable } : { callIdRejected: true };
}

/** The terminal status of a call that never connected: busy and no-answer as such, anything else failed. */
export function initiationFailureDraft(
  p: Extract<ElevenLabsPayload, { kind: 'call_initiation_failure' }>,
): EventDraft {
  return {
    dedupeKey: dedupeKeys.elevenlabs(p.conversationId, 'call_initiation_failure'),
    body: {
      kind: 'call_status',
      status: failureStatus(p.failureReason),
      source: 'elevenlabs',
      reason: p.failureReason,
      ...(p.occurredAt ? { occurredAt: p.occurredAt } : {}),
    },
  };
}

function failureStatus(reason: string): CallStatus {
  if (reason === 'busy') return 'busy';
  if (reason === 'no-answer') return 'no-answer';
  return 'failed';
}
