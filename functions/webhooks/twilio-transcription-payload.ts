// Twilio Real-Time Transcription callback (form params) → typed event; final content → durable `segment` draft.
import { z } from 'zod';
import type { Call } from '../../core/domain/call.ts';
import type { PartialSegment, Speaker } from '../../core/domain/call-event.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import { speakerOf } from '../../core/domain/intervention.ts';
import type { EventDraft } from '../../core/ports/call-store.ts';
import { TRANSCRIPTION_SETTINGS } from '../../core/domain/callback-urls.ts';
import { isoTime } from '../../core/support/iso-time.ts';
import { parseJsonText, parseOrThrow } from './payload-parse.ts';

/**
 * On callrelay's outbound calls the called party (inbound audio) is the driver; our side is the agent. callrelay
 * also labels the tracks with those names (TRANSCRIPTION_SETTINGS); Twilio documents `Track` as the track id, but a
 * label arriving there is accepted too rather than losing the segment to a 400 Twilio does not retry.
 */
const TRACK_SPEAKER = {
  inbound_track: 'driver',
  outbound_track: 'agent',
  [TRANSCRIPTION_SETTINGS.inboundTrackLabel]: 'driver',
  [TRANSCRIPTION_SETTINGS.outboundTrackLabel]: 'agent',
} as const satisfies Record<string, Speaker>;
const TRACKS = Object.keys(TRACK_SPEAKER) as [keyof typeof TRACK_SPEAKER, ...(keyof typeof TRACK_SPEAKER)[]];

const common = z.object({
  CallSid: z.string().min(1),
  TranscriptionSid: z.string().min(1),
  SequenceId: z.string().regex(/^\d+$/, 'must be a non-negative integer'),
  TranscriptionEvent: z.string().min(1),
  Timestamp: z.string().optional(),
});

const content = z.object({
  Track: z.enum(TRACKS),
  Final: z.enum(['true', 'false']),
  TranscriptionData: z.string().min(1),
  Stability: z.string().optional(),
});

const transcriptionData = z.object({
  transcript: z.string(),
  confidence: z.number().min(0).max(1).optional(),
});

const failure = z.object({
  TranscriptionErrorCode: z.string().optional(),
  TranscriptionError: z.string().optional(),
});

interface Ids {
  callSid: string;
  transcriptionSid: string;
  sequenceId: string;
  occurredAt?: string;
}

export type TwilioTranscriptionPayload =
  | (Ids & {
      kind: 'content';
      speaker: Speaker;
      text: string;
      final: boolean;
      confidence?: number;
      stability?: number;
    })
  | (Ids & { kind: 'started' | 'stopped' })
  | (Ids & { kind: 'error'; errorCode?: string; error?: string })
  | (Ids & { kind: 'unknown'; event: string });

/** Parses verified transcription-callback params; extra params are ignored. */
export function parseTwilioTranscription(params: Record<string, string>): TwilioTranscriptionPayload {
  const c = parseOrThrow(common, params, 'Twilio transcription callback');
  const occurredAt = isoTime(c.Timestamp);
  const ids: Ids = {
    callSid: c.CallSid,
    transcriptionSid: c.TranscriptionSid,
    sequenceId: c.SequenceId,
    ...(occurredAt ? { occurredAt } : {}),
  };
  switch (c.TranscriptionEvent) {
    case 'transcription-started':
      return { ...ids, kind: 'started' };
    case 'transcription-stopped':
      return { ...ids, kind: 'stopped' };
    case 'transcription-error': {
      const f = parseOrThrow(failure, params, 'Twilio transcription error');
      return {
        ...ids,
        kind: 'error',
        ...(f.TranscriptionErrorCode ? { errorCode: f.TranscriptionErrorCode } : {}),
        ...(f.TranscriptionError ? { error: f.TranscriptionError } : {}),
      };
    }
    case 'transcription-content': {
      const p = parseOrThrow(content, params, 'Twilio transcription content');
      const data = parseOrThrow(
        transcriptionData,
        parseJsonText(p.TranscriptionData, 'TranscriptionData'),
        'TranscriptionData',
      );
      const stability = p.Stability === undefined ? undefined : Number(p.Stability);
      return {
        ...ids,
        kind: 'content',
        speaker: TRACK_SPEAKER[p.Track],
        text: data.transcript,
        final: p.Final === 'true',
        ...(data.confidence !== undefined ? { confidence: data.confidence } : {}),
        ...(stability !== undefined && Number.isFinite(stability) ? { stability } : {}),
      };
    }
    default:
      return { ...ids, kind: 'unknown', event: c.TranscriptionEvent };
  }
}

type Content = Extract<TwilioTranscriptionPayload, { kind: 'content' }>;

/**
 * The durable segment for final content, keyed by TranscriptionSid + SequenceId. `offsetMs` is the time since the
 * call was answered, when both the answer time and the segment's Timestamp are known. Outbound speech heard after
 * the call was taken over is the dispatcher's (`speakerOf`); `now` stands in for a missing Timestamp.
 */
export function segmentDraft(p: Content, call: Call, now: Date): EventDraft {
  const offsetMs = offsetSinceAnswer(call.answeredAt, p.occurredAt);
  return {
    dedupeKey: dedupeKeys.twilioTranscription(p.transcriptionSid, p.sequenceId),
    body: {
      kind: 'segment',
      speaker: speakerOf(p.speaker, call, p.occurredAt ?? now.toISOString()),
      text: p.text,
      source: 'twilio_realtime',
      ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
      ...(offsetMs !== undefined ? { offsetMs } : {}),
      ...(p.occurredAt ? { occurredAt: p.occurredAt } : {}),
    },
  };
}

/** The volatile live fragment for non-final content (speaker mapped like {@link segmentDraft}). */
export function partialSegment(p: Content, call: Call, now: Date): PartialSegment {
  return {
    kind: 'partial',
    callId: call.callId,
    speaker: speakerOf(p.speaker, call, p.occurredAt ?? now.toISOString()),
    text: p.text,
    ...(p.stability !== undefined ? { stability: p.stability } : {}),
    ...(p.occurredAt ? { occurredAt: p.occurredAt } : {}),
  };
}

function offsetSinceAnswer(
  answeredAt: string | undefined,
  occurredAt: string | undefined,
): number | undefined {
  if (!answeredAt || !occurredAt) return undefined;
  const ms = Date.parse(occurredAt) - Date.parse(answeredAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}
