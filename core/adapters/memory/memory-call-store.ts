// In-memory CallStore: the embedded backend for `npm start` without emulators; same contract as Firestore.
import { isTerminal, newCallRecord, newestFirst, type Call, type NewCall } from '../../domain/call.ts';
import type { CallEvent } from '../../domain/call-event.ts';
import { applyEvent } from '../../domain/call-reducer.ts';
import { matchesOutcome } from '../../domain/call-facets.ts';
import { lookupToken, matchesAllTokens } from '../../domain/search-tokens.ts';
import { systemClock, isoNow, type Clock } from '../../support/clock.ts';
import { AppError } from '../../support/errors.ts';
import type {
  AppendResult,
  CallFilter,
  CallPage,
  CallPageRequest,
  CallRef,
  CallStore,
  EventDraft,
} from '../../ports/call-store.ts';
import { copyPlain } from '../../support/plain-clone.ts';
import { decodeCursor, derivedCallId, encodeCursor, providerKeys } from '../store-keys.ts';
import { scanPage } from '../call-search-scan.ts';

interface Entry {
  call: Call;
  events: CallEvent[];
  byDedupe: Map<string, CallEvent>;
}

export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, Entry>();
  private readonly providerIndex = new Map<string, string>();

  constructor(private readonly clock: Clock = systemClock) {}

  async createCall(input: NewCall): Promise<{ call: Call; created: boolean }> {
    const existing = this.calls.get(input.callId);
    if (existing) return { call: clone(existing.call), created: false };
    const call = newCallRecord(input, isoNow(this.clock));
    this.calls.set(call.callId, { call, events: [], byDedupe: new Map() });
    this.index(call);
    return { call: clone(call), created: true };
  }

  async getCall(callId: string): Promise<Call | null> {
    const entry = this.calls.get(callId);
    return entry ? clone(entry.call) : null;
  }

  async resolveCall(ref: CallRef, fallbackOrgId: string): Promise<Call> {
    const found = this.find(ref);
    if (found) return this.link(found, ref);
    const callId = ref.callId ?? derivedCallId(ref);
    const { call } = await this.createCall({
      callId,
      orgId: fallbackOrgId,
      ...(ref.callSid ? { callSid: ref.callSid } : {}),
      ...(ref.conversationId ? { conversationId: ref.conversationId } : {}),
    });
    return call;
  }

  async linkProviderIds(callId: string, ids: { callSid?: string; conversationId?: string }): Promise<Call> {
    const entry = this.calls.get(callId);
    if (!entry) throw new AppError('not_found', 'call not found');
    return this.link(entry, ids);
  }

  async append(callId: string, draft: EventDraft): Promise<AppendResult> {
    const entry = this.calls.get(callId);
    if (!entry) throw new AppError('not_found', 'call not found');
    const seen = entry.byDedupe.get(draft.dedupeKey);
    if (seen) return { outcome: 'duplicate', event: clone(seen), call: clone(entry.call) };
    const now = isoNow(this.clock);
    const next = applyEvent(entry.call, draft.body, now);
    if (!next) return { outcome: 'ignored', call: clone(entry.call) };
    const seq = entry.call.lastSeq + 1;
    const event: CallEvent = { ...draft.body, callId, seq, dedupeKey: draft.dedupeKey, recordedAt: now };
    entry.call = withFrozenTokens({ ...next, lastSeq: seq });
    entry.events.push(event);
    entry.byDedupe.set(draft.dedupeKey, event);
    this.index(entry.call);
    return { outcome: 'appended', event: clone(event), call: clone(entry.call) };
  }

  async eventsAfter(callId: string, afterSeq: number, limit?: number): Promise<CallEvent[]> {
    const entry = this.calls.get(callId);
    if (!entry) return [];
    const events = entry.events.slice(Math.max(0, afterSeq));
    return clone(limit === undefined ? events : events.slice(0, limit));
  }

  async listCalls(orgId: string, filter: CallFilter, page: CallPageRequest): Promise<CallPage> {
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const olderThan = (c: Call, at?: { createdAt: string; callId: string }) => !at || newestFirst(c, at) > 0;
    const sorted = [...this.calls.values()]
      .map((e) => e.call)
      .filter((c) => c.orgId === orgId && matchesFilter(c, filter))
      .sort(newestFirst);
    if (filter.words && filter.words.length > 0) {
      // The same two steps as Firestore: the index lookup of one word, then every word checked in code.
      const lookup = lookupToken(filter.words);
      const indexed = sorted.filter((c) => lookup === undefined || (c.searchTokens ?? []).includes(lookup));
      const words = filter.words;
      const result = await scanPage(
        async (at, count) => indexed.filter((c) => olderThan(c, at)).slice(0, count),
        (c) => matchesAllTokens(c.searchTokens, words),
        {
          limit: page.limit,
          ...(after ? { after } : {}),
          ...(page.scanLimit ? { scanLimit: page.scanLimit } : {}),
        },
      );
      return { ...result, calls: clone(result.calls) };
    }
    const matches = sorted.filter((c) => olderThan(c, after));
    const calls = matches.slice(0, page.limit);
    const last = calls[calls.length - 1];
    return {
      calls: clone(calls),
      ...(matches.length > page.limit && last ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  private find(ref: CallRef): Entry | undefined {
    if (ref.callId) {
      const byId = this.calls.get(ref.callId);
      if (byId) return byId;
    }
    for (const key of providerKeys(ref)) {
      const callId = this.providerIndex.get(key);
      if (callId) return this.calls.get(callId);
    }
    return undefined;
  }

  private link(entry: Entry, ids: { callSid?: string; conversationId?: string }): Call {
    const call = entry.call;
    const callSid = call.callSid ?? ids.callSid;
    const conversationId = call.conversationId ?? ids.conversationId;
    if (callSid !== call.callSid || conversationId !== call.conversationId) {
      entry.call = {
        ...call,
        ...(callSid ? { callSid } : {}),
        ...(conversationId ? { conversationId } : {}),
        updatedAt: isoNow(this.clock),
      };
      this.index(entry.call);
    }
    return clone(entry.call);
  }

  private index(call: Call): void {
    for (const key of providerKeys(call)) {
      if (!this.providerIndex.has(key)) this.providerIndex.set(key, call.callId);
    }
  }
}

function matchesFilter(call: Call, filter: CallFilter): boolean {
  if (filter.status && call.status !== filter.status) return false;
  if (filter.active !== undefined && filter.active === isTerminal(call.status)) return false;
  if (filter.callSid && call.callSid !== filter.callSid) return false;
  if (filter.conversationId && call.conversationId !== filter.conversationId) return false;
  if (filter.driverId && call.driver?.id !== filter.driverId) return false;
  if (filter.from && call.createdAt < filter.from) return false;
  if (filter.to && call.createdAt >= filter.to) return false;
  if (filter.campaignId && call.campaign?.campaignId !== filter.campaignId) return false;
  if (filter.outcome && !matchesOutcome(call.facets, filter.outcome)) return false;
  return true;
}

/**
 * What the store hands out: a copy the caller may mutate. The stored search tokens are frozen (see
 * {@link withFrozenTokens}), so every copy shares them instead of copying up to 500 words per read.
 */
function clone<T>(value: T): T {
  return copyPlain(value);
}

/** Freezes the call's search tokens in place: the reducer only ever replaces the array, never mutates it. */
function withFrozenTokens(call: Call): Call {
  if (call.searchTokens && !Object.isFrozen(call.searchTokens)) Object.freeze(call.searchTokens);
  return call;
}
