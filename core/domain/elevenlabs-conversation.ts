// An ElevenLabs conversation → callrelay's ConversationResult and drafts, one mapping for the webhook and GET conversation.
import { isoTime } from '../support/iso-time.ts';
import type { ConversationResult, EventDraft, TranscriptBody, TranscriptTurn } from './call-event.ts';
import { dedupeKeys } from './dedupe-key.ts';

/** One transcript item, with the field names of either source (webhook snake_case is mapped by the caller). */
export interface ProviderTurn {
  role: string;
  message?: string | null;
  timeInCallSecs?: number | null;
}

export type ProviderDataCollection = Record<string, { value?: unknown; rationale?: string | null }>;

/** `user` → driver, `agent` → agent; turns without text (tool-only) or with another role are skipped. */
export function transcriptTurns(turns: readonly ProviderTurn[] | null | undefined): TranscriptTurn[] {
  return (turns ?? []).flatMap((t): TranscriptTurn[] => {
    const speaker = t.role === 'user' ? 'driver' : t.role === 'agent' ? 'agent' : undefined;
    return speaker && t.message ? [{ speaker, text: t.message, offsetSecs: t.timeInCallSecs ?? 0 }] : [];
  });
}

/** Data-collection results by id as `{ value, rationale? }` (a missing value is `null`). */
export function dataCollection(
  results: ProviderDataCollection | null | undefined,
): ConversationResult['dataCollection'] {
  return Object.fromEntries(
    Object.entries(results ?? {}).map(([id, r]) => [
      id,
      { value: r.value ?? null, ...(r.rationale ? { rationale: r.rationale } : {}) },
    ]),
  );
}

/** When a conversation ended: its start plus its duration (unix seconds), when both are known. */
export function conversationEndedAt(
  startUnixSecs: number | null | undefined,
  durationSecs: number | null | undefined,
): string | undefined {
  return startUnixSecs != null && durationSecs != null ? isoTime(startUnixSecs + durationSecs) : undefined;
}

/** A finished conversation as both the post-call webhook and GET conversation describe it. */
export interface FinishedConversation extends ConversationResult {
  conversationId: string;
  endedAt?: string;
}

/**
 * Drafts for a finished conversation: a `completed` status (the conversation happened, so the call was answered and
 * has ended; the store ignores it if Twilio already set a terminal status) and the authoritative `transcript`.
 * ElevenLabs owns the Twilio StatusCallback of calls it places, so this is often the only end-of-call signal. The
 * webhook and a fetch produce the same dedupe keys, so whichever comes second stores nothing.
 */
export function conversationDrafts(c: FinishedConversation, source: TranscriptBody['source']): EventDraft[] {
  return [
    {
      dedupeKey: dedupeKeys.elevenlabs(c.conversationId, 'post_call_transcription.call_status'),
      body: {
        kind: 'call_status',
        status: 'completed',
        source: 'elevenlabs',
        ...(c.endedAt ? { occurredAt: c.endedAt } : {}),
        ...(c.durationSecs !== undefined ? { durationSecs: c.durationSecs } : {}),
      },
    },
    {
      dedupeKey: dedupeKeys.elevenlabs(c.conversationId, 'post_call_transcription'),
      body: {
        kind: 'transcript',
        conversationId: c.conversationId,
        source,
        conversationStatus: c.conversationStatus,
        turns: c.turns,
        dataCollection: c.dataCollection,
        ...(c.summary !== undefined ? { summary: c.summary } : {}),
        ...(c.callSuccessful !== undefined ? { callSuccessful: c.callSuccessful } : {}),
        ...(c.durationSecs !== undefined ? { durationSecs: c.durationSecs } : {}),
        ...(c.terminationReason !== undefined ? { terminationReason: c.terminationReason } : {}),
      },
    },
  ];
}
