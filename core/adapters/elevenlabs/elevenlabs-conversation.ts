// ElevenLabs conversation data → callrelay's ConversationResult fields, shared by the post-call webhook and GET conversation.
import type { ConversationResult, TranscriptTurn } from '../../domain/call-event.ts';

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

/** ISO time of a unix-seconds value; undefined when absent or outside the range a Date can hold. */
export function isoFromUnixSecs(secs: number | null | undefined): string | undefined {
  if (secs === null || secs === undefined) return undefined;
  const date = new Date(secs * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
