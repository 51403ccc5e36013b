// Firestore CallStore: calls, their gapless event streams, dedupe markers and the provider-id index, all via transactions.
import type {
  CollectionReference,
  DocumentData,
  DocumentReference,
  Firestore,
  FirestoreDataConverter,
  PartialWithFieldValue,
  Query,
  QueryDocumentSnapshot,
  Transaction,
} from '@google-cloud/firestore';
import {
  CALL_STATUSES,
  TERMINAL_STATUSES,
  newCallRecord,
  type Call,
  type NewCall,
} from '../../domain/call.ts';
import type { CallEvent } from '../../domain/call-event.ts';
import { applyEvent } from '../../domain/call-reducer.ts';
import { lookupToken, matchesAllTokens } from '../../domain/search-tokens.ts';
import { scanPage } from '../call-search-scan.ts';
import { decodeCursor, derivedCallId, encodeCursor, keyHash, providerKeys } from '../store-keys.ts';
import { isoNow, systemClock, type Clock } from '../../support/clock.ts';
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
import { SerialLanes } from '../../support/serial-lanes.ts';
import { guardStore, retryClosedTransaction } from './firestore-errors.ts';

/** Marker of an appended event, keyed by `keyHash(dedupeKey)`. */
interface DedupeDoc {
  dedupeKey: string;
  seq: number;
}

/** Provider-id index entry, keyed by `keyHash(key)`; first writer wins. */
interface ProviderIdDoc {
  key: string;
  callId: string;
}

type ProviderIds = { callSid?: string; conversationId?: string };

/** An append waiting for its call's lane. */
interface PendingAppend {
  draft: EventDraft;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/**
 * Most appends of one call committed in one transaction: each writes two documents besides the call, far below
 * Firestore's 500 writes per commit, and a group this large means the call is flooded anyway.
 */
const MAX_APPEND_GROUP = 100;

export interface FirestoreCallStoreOptions {
  clock?: Clock;
  /**
   * Attempts per transaction before giving up with `store_unavailable`. Default 50: with 20 writers on one call
   * every commit but one per round is aborted, and Firestore's default of 5 loses events.
   */
  maxAttempts?: number;
}

export const DEFAULT_TRANSACTION_ATTEMPTS = 50;

/** Width of the zero-padded seq in event document ids, so ids sort like seqs. */
const SEQ_ID_WIDTH = 10;

const ACTIVE_STATUSES = CALL_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s));

/**
 * CallStore on Firestore. Layout: `calls/{callId}` (Call incl. `lastSeq`), `calls/{callId}/events/{seq:010}`,
 * `calls/{callId}/dedupe/{keyHash(dedupeKey)}`, `providerIds/{keyHash(providerKey)}`. Every write goes through a
 * transaction, so seq stays gapless and resolution race-free across any number of processes. The Firestore client
 * must be built with `ignoreUndefinedProperties: true` (see `google-backend.ts`).
 *
 * Within one process, writes to the same call run one at a time (`SerialLanes`): concurrent webhooks of one call
 * (both transcription tracks, status callbacks) would otherwise contend on the call document, and Firestore answers
 * contention with aborts and retry backoff of seconds. Across processes the transactions still guarantee correctness.
 * Appends that queue up behind a running transaction of their call are committed together (group commit), so a
 * busy call's document is written once per transaction rather than once per event (Firestore sustains about one
 * write per second per document).
 */
export class FirestoreCallStore implements CallStore {
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly lanes = new SerialLanes();
  /** Per call, the appends waiting for the call's lane, to be committed as one group. */
  private readonly appendGroups = new Map<string, PendingAppend[]>();

  constructor(
    private readonly db: Firestore,
    options: FirestoreCallStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_TRANSACTION_ATTEMPTS;
  }

  createCall(input: NewCall): Promise<{ call: Call; created: boolean }> {
    return this.transact(input.callId, async (tx) => {
      const snap = await tx.get(this.callRef(input.callId));
      const existing = snap.data();
      if (existing) return { call: existing, created: false };
      const call = newCallRecord(input, isoNow(this.clock));
      const claims = await this.readIndex(tx, providerKeys(call));
      tx.set(this.callRef(call.callId), call);
      this.claimIndex(tx, claims, call);
      return { call, created: true };
    });
  }

  getCall(callId: string): Promise<Call | null> {
    return guardStore(async () => (await this.callRef(callId).get()).data() ?? null);
  }

  async resolveCall(ref: CallRef, fallbackOrgId: string): Promise<Call> {
    // Fast path (the common case: callrelay's callbacks carry the callId): a plain read, no transaction, when the
    // call exists and already has every id the ref brings.
    if (ref.callId) {
      const known = await this.getCall(ref.callId);
      if (known && hasIds(known, ref)) return known;
    }
    const lane = ref.callId ?? providerKeys(ref)[0] ?? '';
    return this.transact(lane, async (tx) => {
      const keys = providerKeys(ref);
      const claims = await this.readIndex(tx, keys);
      const found = await this.find(tx, ref, claims);
      if (found) return this.link(tx, found, ref, claims);
      const call = newCallRecord(
        {
          callId: ref.callId ?? derivedCallId(ref),
          orgId: fallbackOrgId,
          ...(ref.callSid ? { callSid: ref.callSid } : {}),
          ...(ref.conversationId ? { conversationId: ref.conversationId } : {}),
        },
        isoNow(this.clock),
      );
      tx.set(this.callRef(call.callId), call);
      this.claimIndex(tx, claims, call);
      return call;
    });
  }

  linkProviderIds(callId: string, ids: ProviderIds): Promise<Call> {
    return this.transact(callId, async (tx) => {
      const snap = await tx.get(this.callRef(callId));
      const call = snap.data();
      if (!call) throw new AppError('not_found', 'call not found');
      const claims = await this.readIndex(tx, newKeys(call, mergeIds(call, ids)));
      return this.link(tx, call, ids, claims);
    });
  }

  append(callId: string, draft: EventDraft): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      const item: PendingAppend = { draft, resolve, reject };
      const waiting = this.appendGroups.get(callId);
      if (waiting && waiting.length < MAX_APPEND_GROUP) {
        waiting.push(item);
        return;
      }
      const group = [item];
      this.appendGroups.set(callId, group);
      void this.lanes.run(callId, async () => {
        // The group closes when its turn comes: appends arriving from now on wait for the next transaction.
        if (this.appendGroups.get(callId) === group) this.appendGroups.delete(callId);
        try {
          const results = await this.runTransaction((tx) => this.appendGroup(tx, callId, group));
          group.forEach((g, i) => g.resolve(results[i]!));
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      });
    });
  }

  /**
   * Group commit: the appends of one call queued while its previous transaction ran are applied in order and
   * committed together, in one transaction with one read round trip and one write of the call document. Each
   * gets the result it would have got alone (its seq, a duplicate's original event, the call after it).
   */
  private async appendGroup(
    tx: Transaction,
    callId: string,
    group: PendingAppend[],
  ): Promise<AppendResult[]> {
    const hashes = group.map((g) => keyHash(g.draft.dedupeKey));
    const distinct = [...new Set(hashes)];
    const [callSnap, ...dedupeSnaps] = await tx.getAll(
      this.callRef(callId).withConverter(null),
      ...distinct.map((h) => this.dedupe(callId).doc(h).withConverter(null)),
    );
    const stored = callSnap?.data() as Call | undefined;
    if (!stored) throw new AppError('not_found', 'call not found');
    const seenSeq = new Map<string, number>();
    distinct.forEach((h, i) => {
      const seen = dedupeSnaps[i]?.data() as DedupeDoc | undefined;
      if (seen) seenSeq.set(h, seen.seq);
    });
    const originals = new Map<number, CallEvent>();
    const originalSeqs = [...new Set(seenSeq.values())];
    if (originalSeqs.length > 0) {
      const snaps = await tx.getAll(
        ...originalSeqs.map((seq) => this.eventRef(callId, seq).withConverter(null)),
      );
      originalSeqs.forEach((seq, i) => {
        const original = snaps[i]?.data() as CallEvent | undefined;
        if (!original) throw new Error(`dedupe marker of call ${callId} points at missing seq ${seq}`);
        originals.set(seq, original);
      });
    }
    const now = isoNow(this.clock);
    const appended = new Map<string, CallEvent>();
    const results: AppendResult[] = [];
    let call = stored;
    group.forEach(({ draft }, i) => {
      const hash = hashes[i]!;
      const seq = seenSeq.get(hash);
      const original = seq !== undefined ? originals.get(seq) : appended.get(hash);
      if (original) {
        results.push({ outcome: 'duplicate', event: original, call });
        return;
      }
      const applied = applyEvent(call, draft.body, now);
      if (!applied) {
        results.push({ outcome: 'ignored', call });
        return;
      }
      call = { ...applied, lastSeq: call.lastSeq + 1 };
      const event: CallEvent = {
        ...draft.body,
        callId,
        seq: call.lastSeq,
        dedupeKey: draft.dedupeKey,
        recordedAt: now,
      };
      appended.set(hash, event);
      results.push({ outcome: 'appended', event, call });
    });
    if (appended.size === 0) return results;
    const claims = await this.readIndex(tx, newKeys(stored, call));
    for (const [hash, event] of appended) {
      tx.create(this.eventRef(callId, event.seq), event);
      tx.create(this.dedupe(callId).doc(hash), { dedupeKey: event.dedupeKey, seq: event.seq });
    }
    tx.set(this.callRef(callId), call);
    this.claimIndex(tx, claims, call);
    return results;
  }

  eventsAfter(callId: string, afterSeq: number, limit?: number): Promise<CallEvent[]> {
    return guardStore(async () => {
      if (limit !== undefined && limit <= 0) return [];
      let query = this.events(callId).where('seq', '>', afterSeq).orderBy('seq');
      if (limit !== undefined) query = query.limit(limit);
      return (await query.get()).docs.map((d) => d.data());
    });
  }

  listCalls(orgId: string, filter: CallFilter, page: CallPageRequest): Promise<CallPage> {
    return guardStore(async () => {
      const after = page.cursor ? decodeCursor(page.cursor) : undefined;
      const filtered = applyFilter(this.calls().where('orgId', '==', orgId), filter);
      if (!filtered || page.limit <= 0) return { calls: [] };
      const ordered = filtered.orderBy('createdAt', 'desc').orderBy('callId', 'desc');
      if (filter.words && filter.words.length > 0) {
        const words = filter.words;
        return scanPage(
          async (at, count) => {
            const q = at ? ordered.startAfter(at.createdAt, at.callId) : ordered;
            return (await q.limit(count).get()).docs.map((d) => d.data());
          },
          (c) => matchesAllTokens(c.searchTokens, words),
          {
            limit: page.limit,
            ...(after ? { after } : {}),
            ...(page.scanLimit ? { scanLimit: page.scanLimit } : {}),
          },
        );
      }
      let query = ordered;
      if (after) query = query.startAfter(after.createdAt, after.callId);
      const calls = (await query.limit(page.limit + 1).get()).docs.map((d) => d.data());
      const pageCalls = calls.slice(0, page.limit);
      const last = pageCalls[pageCalls.length - 1];
      return {
        calls: pageCalls,
        ...(calls.length > page.limit && last ? { nextCursor: encodeCursor(last) } : {}),
      };
    });
  }

  /** One transaction, queued behind this process's other writes to the same `lane` (a call). */
  private transact<T>(lane: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.lanes.run(lane, () => this.runTransaction(fn));
  }

  private runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return guardStore(() =>
      retryClosedTransaction(() => this.db.runTransaction(fn, { maxAttempts: this.maxAttempts })),
    );
  }

  /** The call a ref names: by callId first, then by any provider id already indexed. Reads only. */
  private async find(tx: Transaction, ref: CallRef, claims: IndexClaims): Promise<Call | undefined> {
    if (ref.callId) {
      const byId = (await tx.get(this.callRef(ref.callId))).data();
      if (byId) return byId;
    }
    for (const owner of claims.values()) {
      if (!owner) continue;
      const call = (await tx.get(this.callRef(owner))).data();
      if (call) return call;
    }
    if (!ref.callId) return (await tx.get(this.callRef(derivedCallId(ref)))).data();
    return undefined;
  }

  /** Adds ids the call does not have yet (never overwriting one it has) and indexes them. Writes only. */
  private link(tx: Transaction, call: Call, ids: ProviderIds, claims: IndexClaims): Call {
    const merged = mergeIds(call, ids);
    const changed = merged.callSid !== call.callSid || merged.conversationId !== call.conversationId;
    const next: Call = changed ? { ...call, ...merged, updatedAt: isoNow(this.clock) } : call;
    if (changed) tx.set(this.callRef(call.callId), next);
    this.claimIndex(tx, claims, next);
    return next;
  }

  /** Reads the index entries for `keys`: key → owning callId, or undefined when unclaimed. */
  private async readIndex(tx: Transaction, keys: string[]): Promise<IndexClaims> {
    const claims: IndexClaims = new Map();
    if (keys.length === 0) return claims;
    const snaps = await tx.getAll(...keys.map((k) => this.providerIdRef(k)));
    keys.forEach((key, i) => claims.set(key, snaps[i]?.data()?.callId));
    return claims;
  }

  /** Indexes the call's own ids that `claims` read as unclaimed; a key owned by another call stays theirs. */
  private claimIndex(tx: Transaction, claims: IndexClaims, call: Call): void {
    for (const key of providerKeys(call)) {
      if (claims.has(key) && claims.get(key) === undefined) {
        tx.create(this.providerIdRef(key), { key, callId: call.callId });
      }
    }
  }

  private calls(): CollectionReference<Call> {
    return this.db.collection('calls').withConverter(converter<Call>());
  }

  private callRef(callId: string): DocumentReference<Call> {
    return this.calls().doc(callId);
  }

  private events(callId: string): CollectionReference<CallEvent> {
    return this.db.collection('calls').doc(callId).collection('events').withConverter(converter<CallEvent>());
  }

  private eventRef(callId: string, seq: number): DocumentReference<CallEvent> {
    return this.events(callId).doc(String(seq).padStart(SEQ_ID_WIDTH, '0'));
  }

  private dedupe(callId: string): CollectionReference<DedupeDoc> {
    return this.db.collection('calls').doc(callId).collection('dedupe').withConverter(converter<DedupeDoc>());
  }

  private providerIdRef(key: string): DocumentReference<ProviderIdDoc> {
    return this.db.collection('providerIds').withConverter(converter<ProviderIdDoc>()).doc(keyHash(key));
  }
}

type IndexClaims = Map<string, string | undefined>;

/** Typed view of documents only this adapter writes; the shapes are ours, so no runtime parse. */
function converter<T extends object>(): FirestoreDataConverter<T> {
  return {
    toFirestore: (value: PartialWithFieldValue<T>): DocumentData => value as DocumentData,
    fromFirestore: (snap: QueryDocumentSnapshot) => snap.data() as T,
  };
}

function mergeIds(call: Call, ids: ProviderIds): ProviderIds {
  const callSid = call.callSid ?? ids.callSid;
  const conversationId = call.conversationId ?? ids.conversationId;
  return { ...(callSid ? { callSid } : {}), ...(conversationId ? { conversationId } : {}) };
}

/** Index keys `after` has that `before` did not. */
function newKeys(before: ProviderIds, after: ProviderIds): string[] {
  const had = new Set(providerKeys(before));
  return providerKeys(after).filter((k) => !had.has(k));
}

/** Adds the filter's clauses; null when the filter cannot match anything (e.g. a terminal status and `active`). */
function applyFilter(query: Query<Call>, filter: CallFilter): Query<Call> | null {
  let q = query;
  if (filter.status) {
    if (filter.active !== undefined && filter.active === TERMINAL_STATUSES.has(filter.status)) return null;
    q = q.where('status', '==', filter.status);
  } else if (filter.active !== undefined) {
    q = q.where('status', 'in', filter.active ? ACTIVE_STATUSES : [...TERMINAL_STATUSES]);
  }
  if (filter.callSid) q = q.where('callSid', '==', filter.callSid);
  if (filter.conversationId) q = q.where('conversationId', '==', filter.conversationId);
  if (filter.driverId) q = q.where('driver.id', '==', filter.driverId);
  if (filter.campaignId) q = q.where('campaign.campaignId', '==', filter.campaignId);
  switch (filter.outcome) {
    case undefined:
      break;
    case 'escalation':
      q = q.where('facets.escalation', '==', true);
      break;
    case 'opted_out':
      q = q.where('facets.optedOut', '==', true);
      break;
    default:
      q = q.where('facets.outcome', '==', filter.outcome);
  }
  if (filter.from) q = q.where('createdAt', '>=', filter.from);
  if (filter.to) q = q.where('createdAt', '<', filter.to);
  // One word through the index (array-contains), every word checked by `listCalls` in code.
  const lookup = filter.words ? lookupToken(filter.words) : undefined;
  if (lookup !== undefined) q = q.where('searchTokens', 'array-contains', lookup);
  return q;
}

/** Whether `call` already carries every provider id `ref` names (so resolving it would change nothing). */
function hasIds(call: Call, ref: CallRef): boolean {
  return (
    (!ref.callSid || call.callSid !== undefined) && (!ref.conversationId || call.conversationId !== undefined)
  );
}
