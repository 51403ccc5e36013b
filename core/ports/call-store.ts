// Port: durable history of calls and their gapless per-call event streams.
import type { Call, CallStatus, NewCall } from '../domain/call.ts';
import type { OutcomeFilter } from '../domain/call-facets.ts';
import type { CallEvent, EventDraft } from '../domain/call-event.ts';

/** How a webhook or the API refers to a call; any one id is enough to find it. */
export interface CallRef {
  callId?: string;
  callSid?: string;
  conversationId?: string;
}

export type { EventDraft };

export type AppendResult =
  /** Stored now with the next seq. */
  | { outcome: 'appended'; event: CallEvent; call: Call }
  /** The dedupe key was seen before: the original event, nothing new stored. */
  | { outcome: 'duplicate'; event: CallEvent; call: Call }
  /** The event would change nothing (e.g. a status moving backwards): nothing stored. */
  | { outcome: 'ignored'; call: Call };

export interface CallFilter {
  status?: CallStatus;
  /** Only calls not in a terminal status. */
  active?: boolean;
  callSid?: string;
  conversationId?: string;
  driverId?: string;
  /** `createdAt >= from` (ISO, as stored). */
  from?: string;
  /** `createdAt < to` (ISO, as stored). */
  to?: string;
  /** `Call.campaign.campaignId`. */
  campaignId?: string;
  /** One outcome (`Call.facets`); calls without facets (still pending) never match. */
  outcome?: OutcomeFilter;
  /**
   * Transcript words (from `queryTokens`), all of which a call's `searchTokens` must hold. The store looks up one
   * of them in its index (`lookupToken`) and checks the rest in code, reading at most `scanLimit` calls per page.
   */
  words?: string[];
}

/** Paging of `listCalls`. */
export interface CallPageRequest {
  limit: number;
  cursor?: string;
  /** With `filter.words`: most calls read for one page (default `SEARCH_SCAN_LIMIT`). */
  scanLimit?: number;
}

/** Calls read at most for one page of a transcript search before answering with what was found. */
export const SEARCH_SCAN_LIMIT = 1000;

export interface CallPage {
  calls: Call[];
  /** Opaque; pass back to get the next (older) page. Absent on the last page. */
  nextCursor?: string;
  /**
   * Text search only: the page holds fewer than `limit` calls because the scan bound was reached, not because the
   * history ended; `nextCursor` continues the scan where it stopped.
   */
  scanLimited?: true;
}

/**
 * Contract (checked by `call-store.contract.ts` against every adapter):
 * - `append` is idempotent per `dedupeKey` within a call; `seq` starts at 1 and increases by exactly 1 per call,
 *   across concurrent writers in any number of processes (no gap, no duplicate).
 * - `append` applies `applyEvent` from `call-reducer.ts` atomically with the write; an `ignored` result stores nothing.
 * - `resolveCall` finds a call by any of its ids, attaches ids it did not have yet, or creates it under
 *   `fallbackOrgId`; concurrent resolutions of the same ids yield one call.
 * - Unavailability of the backing service surfaces as `AppError('store_unavailable')`.
 */
export interface CallStore {
  /** Creates the call, or returns the existing one with the same `callId` (`created: false`). */
  createCall(input: NewCall): Promise<{ call: Call; created: boolean }>;
  getCall(callId: string): Promise<Call | null>;
  resolveCall(ref: CallRef, fallbackOrgId: string): Promise<Call>;
  /** Attaches provider ids to an existing call. */
  linkProviderIds(callId: string, ids: { callSid?: string; conversationId?: string }): Promise<Call>;
  append(callId: string, draft: EventDraft): Promise<AppendResult>;
  /** Durable events with `seq > afterSeq`, ascending, at most `limit` (default: all). */
  eventsAfter(callId: string, afterSeq: number, limit?: number): Promise<CallEvent[]>;
  /**
   * Calls of an org, newest first, matching every clause of `filter`. With `filter.words` a page may be short
   * (`scanLimited`), and a `nextCursor` may lead to an empty page.
   */
  listCalls(orgId: string, filter: CallFilter, page: CallPageRequest): Promise<CallPage>;
}
