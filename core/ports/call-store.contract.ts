// The CallStore contract as one vitest suite, run against every adapter (memory always, Firestore on the emulator).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallStatus, NewCall } from '../domain/call.ts';
import type { CallEventBody } from '../domain/call-event.ts';
import { derivedCallId } from '../adapters/store-keys.ts';
import type { Clock } from '../support/clock.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import { AppError } from '../support/errors.ts';
import type { CallStore, EventDraft } from './call-store.ts';

export interface CallStoreFixture {
  store: CallStore;
  close?: () => Promise<void>;
}

/** A clock that moves forward `step` ms on every read, so records get distinct, ordered timestamps. */
export class SteppingClock implements Clock {
  step = 1000;
  private t = Date.parse('2030-01-01T00:00:00.000Z');
  now(): Date {
    const at = new Date(this.t);
    this.t += this.step;
    return at;
  }
}

export const uid = (prefix: string): string => `${prefix}_${randomUUID().slice(0, 12)}`;

export function statusDraft(callId: string, status: CallStatus, n: number | string = status): EventDraft {
  return {
    dedupeKey: dedupeKeys.internal(callId, `status-${n}`),
    body: { kind: 'call_status', status, source: 'api' },
  };
}

export function segmentDraft(key: string, text = key): EventDraft {
  return { dedupeKey: key, body: { kind: 'segment', speaker: 'driver', text, source: 'twilio_realtime' } };
}

async function expectAppError(promise: Promise<unknown>, code: AppError['code']): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

/** Registers the CallStore contract suite for one adapter. `makeStore` gets the clock the store must use. */
export function describeCallStoreContract(
  name: string,
  makeStore: (clock: Clock) => Promise<CallStoreFixture>,
): void {
  describe(`CallStore contract: ${name}`, () => {
    const clock = new SteppingClock();
    let fixture: CallStoreFixture;
    let store: CallStore;

    beforeAll(async () => {
      fixture = await makeStore(clock);
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.close?.();
    });

    async function newCall(input: Partial<NewCall> = {}) {
      const { call } = await store.createCall({ callId: uid('call'), orgId: uid('org'), ...input });
      return call;
    }

    describe('createCall / getCall', () => {
      it('creates once, then returns the existing call', async () => {
        const callId = uid('call');
        const first = await store.createCall({ callId, orgId: 'org-a', driver: { id: 'd1', name: 'Dana' } });
        expect(first.created).toBe(true);
        expect(first.call).toMatchObject({
          callId,
          orgId: 'org-a',
          status: 'queued',
          lastSeq: 0,
          triggers: [],
        });
        const again = await store.createCall({ callId, orgId: 'org-b' });
        expect(again).toEqual({ call: first.call, created: false });
        expect(await store.getCall(callId)).toEqual(first.call);
      });

      it('returns null for an unknown call', async () => {
        expect(await store.getCall(uid('missing'))).toBeNull();
      });
    });

    describe('what the store hands out', () => {
      it("is the caller's own: changing a returned call or event leaves the stored ones alone", async () => {
        const call = await newCall({ driver: { id: 'd1', name: 'Dana' } });
        const appended = await store.append(call.callId, segmentDraft(uid('seg'), 'reefer door jammed'));
        if (appended.outcome !== 'appended') throw new Error('expected appended');
        const stored = await store.getCall(call.callId);
        const events = await store.eventsAfter(call.callId, 0);
        const mutate = (act: () => void): void => {
          try {
            act();
          } catch (err) {
            // A store may hand out frozen parts (the memory store's search tokens): refusing is fine too.
            expect(err).toBeInstanceOf(TypeError);
          }
        };
        for (const c of [appended.call, stored!]) {
          mutate(() => (c.status = 'failed'));
          mutate(() => (c.driver!.name = 'Mallory'));
          mutate(() => c.searchTokens!.push('injected'));
        }
        for (const e of [appended.event, events[0]!]) {
          mutate(() => ((e as { text: string }).text = 'changed'));
          mutate(() => (e.seq = 99));
        }
        const again = await store.getCall(call.callId);
        expect(again).toMatchObject({ status: 'queued', driver: { name: 'Dana' } });
        expect(again?.searchTokens).toEqual(['reefer', 'door', 'jammed']);
        expect(await store.eventsAfter(call.callId, 0)).toMatchObject([
          { seq: 1, text: 'reefer door jammed' },
        ]);
        const next = await store.append(call.callId, segmentDraft(uid('seg'), 'door open'));
        expect(next.call.searchTokens).toEqual(['reefer', 'door', 'jammed', 'open']);
      });
    });

    describe('append', () => {
      it('numbers events from 1 without gaps and keeps lastSeq in step', async () => {
        const call = await newCall();
        const results = [];
        results.push(await store.append(call.callId, statusDraft(call.callId, 'initiated')));
        for (let i = 0; i < 4; i++) results.push(await store.append(call.callId, segmentDraft(uid('seg'))));
        expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('appended'));
        expect(results.map((r) => (r.outcome === 'appended' ? r.event.seq : 0))).toEqual([1, 2, 3, 4, 5]);
        expect(results.map((r) => r.call.lastSeq)).toEqual([1, 2, 3, 4, 5]);
        expect((await store.getCall(call.callId))?.lastSeq).toBe(5);
        const events = await store.eventsAfter(call.callId, 0);
        expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(events[0]).toMatchObject({ callId: call.callId, kind: 'call_status', status: 'initiated' });
      });

      it('stays gapless under concurrent appends', async () => {
        const call = await newCall();
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.append(call.callId, segmentDraft(uid('seg')))),
        );
        const seqs = results.map((r) => (r.outcome === 'appended' ? r.event.seq : -1)).sort((a, b) => a - b);
        expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect((await store.eventsAfter(call.callId, 0)).map((e) => e.seq)).toEqual(seqs);
      });

      it('gives each of a burst of appends to one call its own result, in order', async () => {
        const call = await newCall();
        await store.append(call.callId, segmentDraft('stored-before'));
        // Issued together: an adapter may commit them as one group; each must still see what it would see alone.
        const burst = await Promise.all([
          store.append(call.callId, statusDraft(call.callId, 'in-progress')),
          store.append(call.callId, segmentDraft('burst-a')),
          store.append(call.callId, segmentDraft('stored-before', 'repeat of an older event')),
          store.append(call.callId, segmentDraft('burst-a', 'repeat within the burst')),
          store.append(call.callId, statusDraft(call.callId, 'ringing', 'late-ringing')),
          store.append(call.callId, segmentDraft('burst-b')),
        ]);
        expect(burst.map((r) => r.outcome)).toEqual([
          'appended',
          'appended',
          'duplicate',
          'duplicate',
          'ignored',
          'appended',
        ]);
        const seqOf = (r: (typeof burst)[number]): number => (r.outcome === 'ignored' ? 0 : r.event.seq);
        expect(burst.map(seqOf)).toEqual([2, 3, 1, 3, 0, 4]);
        expect(burst.map((r) => r.call.lastSeq)).toEqual([2, 3, 3, 3, 3, 4]);
        expect(burst[0]?.call.status).toBe('in-progress');
        const events = await store.eventsAfter(call.callId, 0);
        expect(events.map((e) => e.dedupeKey)).toEqual([
          'stored-before',
          statusDraft(call.callId, 'in-progress').dedupeKey,
          'burst-a',
          'burst-b',
        ]);
        expect((await store.getCall(call.callId))?.lastSeq).toBe(4);
      });

      it('returns the original event for a repeated dedupe key and stores nothing new', async () => {
        const call = await newCall();
        const first = await store.append(call.callId, segmentDraft('seg-key', 'first text'));
        await store.append(call.callId, segmentDraft('other-key'));
        const again = await store.append(call.callId, segmentDraft('seg-key', 'different text'));
        expect(first.outcome).toBe('appended');
        expect(again.outcome).toBe('duplicate');
        if (first.outcome !== 'appended' || again.outcome !== 'duplicate') return;
        expect(again.event).toEqual(first.event);
        expect(again.call.lastSeq).toBe(2);
        expect(await store.eventsAfter(call.callId, 0)).toHaveLength(2);
      });

      it('scopes dedupe keys to their call', async () => {
        const a = await newCall();
        const b = await newCall();
        expect((await store.append(a.callId, segmentDraft('shared'))).outcome).toBe('appended');
        expect((await store.append(b.callId, segmentDraft('shared'))).outcome).toBe('appended');
      });

      it('never moves a status backwards: ignored results store nothing', async () => {
        const call = await newCall();
        await store.append(call.callId, statusDraft(call.callId, 'ringing'));
        const done = await store.append(call.callId, statusDraft(call.callId, 'completed'));
        const before = await store.getCall(call.callId);
        for (const late of ['ringing', 'in-progress', 'failed'] as const) {
          const result = await store.append(call.callId, statusDraft(call.callId, late, `late-${late}`));
          expect(result).toEqual({ outcome: 'ignored', call: before });
        }
        expect(done.call.status).toBe('completed');
        expect(await store.getCall(call.callId)).toEqual(before);
        expect(await store.eventsAfter(call.callId, 0)).toHaveLength(2);
        // An ignored key is not remembered: nothing was stored under it.
        const retry = await store.append(call.callId, statusDraft(call.callId, 'ringing', 'late-ringing'));
        expect(retry.outcome).toBe('ignored');
      });

      it('applies the reducer atomically: answeredAt, endedAt, duration, reason', async () => {
        const call = await newCall();
        const answered = '2030-01-01T10:00:00.000Z';
        await store.append(call.callId, {
          dedupeKey: 'a',
          body: { kind: 'call_status', status: 'in-progress', source: 'twilio', occurredAt: answered },
        });
        const end: CallEventBody = {
          kind: 'call_status',
          status: 'failed',
          source: 'twilio',
          reason: 'carrier',
          durationSecs: 12,
        };
        const result = await store.append(call.callId, { dedupeKey: 'b', body: end });
        expect(result.call).toMatchObject({
          status: 'failed',
          answeredAt: answered,
          failureReason: 'carrier',
          durationSecs: 12,
        });
        expect(result.call.endedAt).toBeDefined();
        expect(await store.getCall(call.callId)).toEqual(result.call);
      });

      it('indexes a conversation id learned from a transcript', async () => {
        const call = await newCall();
        const conversationId = uid('conv');
        const body: CallEventBody = {
          kind: 'transcript',
          conversationId,
          source: 'elevenlabs_webhook',
          conversationStatus: 'done',
          turns: [{ speaker: 'agent', text: 'hello', offsetSecs: 0 }],
          summary: 'ok',
          dataCollection: { eta: { value: '10 min' } },
        };
        const result = await store.append(call.callId, {
          dedupeKey: dedupeKeys.elevenlabs(conversationId, 'transcript'),
          body,
        });
        expect(result.call).toMatchObject({
          conversationId,
          outcome: { summary: 'ok', dataCollection: { eta: '10 min' } },
        });
        expect((await store.resolveCall({ conversationId }, 'other-org')).callId).toBe(call.callId);
      });

      it('rejects an append to an unknown call with not_found', async () => {
        await expectAppError(store.append(uid('missing'), segmentDraft('x')), 'not_found');
      });
    });

    describe('resolveCall / linkProviderIds', () => {
      it('finds a call by callId, callSid or conversationId', async () => {
        const call = await newCall({ callSid: uid('CA'), conversationId: uid('conv') });
        expect(await store.resolveCall({ callId: call.callId }, 'fallback')).toEqual(call);
        expect(await store.resolveCall({ callSid: call.callSid! }, 'fallback')).toEqual(call);
        expect(await store.resolveCall({ conversationId: call.conversationId! }, 'fallback')).toEqual(call);
      });

      it('creates an unknown call under the fallback org with a derived id, once', async () => {
        const callSid = uid('CA');
        const org = uid('org');
        const created = await store.resolveCall({ callSid }, org);
        expect(created).toMatchObject({
          callId: derivedCallId({ callSid }),
          orgId: org,
          callSid,
          status: 'queued',
          lastSeq: 0,
        });
        expect(await store.resolveCall({ callSid }, 'another-org')).toEqual(created);
        const withId = await store.resolveCall({ callId: uid('call'), conversationId: uid('conv') }, org);
        expect(await store.resolveCall({ conversationId: withId.conversationId! }, 'x')).toEqual(withId);
      });

      it('links ids it did not have yet, so later lookups by them work', async () => {
        const call = await newCall({ callSid: uid('CA') });
        const conversationId = uid('conv');
        const linked = await store.resolveCall({ callSid: call.callSid!, conversationId }, 'fallback');
        expect(linked).toMatchObject({ callId: call.callId, callSid: call.callSid, conversationId });
        expect((await store.resolveCall({ conversationId }, 'fallback')).callId).toBe(call.callId);
        expect(await store.getCall(call.callId)).toEqual(linked);
      });

      it('linkProviderIds attaches new ids and never overwrites existing ones', async () => {
        const call = await newCall({ callSid: uid('CA') });
        const conversationId = uid('conv');
        const linked = await store.linkProviderIds(call.callId, { callSid: uid('CA-other'), conversationId });
        expect(linked).toMatchObject({ callSid: call.callSid, conversationId });
        expect((await store.resolveCall({ conversationId }, 'x')).callId).toBe(call.callId);
        expect(await store.linkProviderIds(call.callId, { conversationId })).toEqual(linked);
        await expectAppError(store.linkProviderIds(uid('missing'), { conversationId: 'c' }), 'not_found');
      });

      it('gives one call to concurrent first resolutions of the same provider id', async () => {
        const callSid = uid('CA');
        const org = uid('org');
        const calls = await Promise.all(Array.from({ length: 8 }, () => store.resolveCall({ callSid }, org)));
        expect(new Set(calls.map((c) => c.callId)).size).toBe(1);
        expect((await store.listCalls(org, {}, { limit: 10 })).calls).toHaveLength(1);
      });
    });

    describe('eventsAfter', () => {
      it('returns events after a seq, ascending, up to a limit', async () => {
        const call = await newCall();
        for (let i = 0; i < 5; i++) await store.append(call.callId, segmentDraft(uid('seg')));
        const seqs = async (after: number, limit?: number) =>
          (await store.eventsAfter(call.callId, after, limit)).map((e) => e.seq);
        expect(await seqs(2)).toEqual([3, 4, 5]);
        expect(await seqs(2, 2)).toEqual([3, 4]);
        expect(await seqs(0, 1)).toEqual([1]);
        expect(await seqs(5)).toEqual([]);
        expect(await store.eventsAfter(uid('missing'), 0)).toEqual([]);
      });
    });

    describe('listCalls', () => {
      const org = uid('org');
      const ids: string[] = [];

      beforeAll(async () => {
        // Created oldest first; c3 is answered then completed, c1 fails, c4 belongs to driver d2.
        for (let i = 0; i < 6; i++) {
          const { call } = await store.createCall({
            callId: `c${i}_${uid('x')}`,
            orgId: org,
            callSid: uid(`CA${i}`),
            driver: { id: i === 4 ? 'd2' : 'd1', name: 'D' },
          });
          ids.push(call.callId);
        }
        await store.append(ids[3]!, statusDraft(ids[3]!, 'in-progress'));
        await store.append(ids[3]!, statusDraft(ids[3]!, 'completed'));
        await store.append(ids[1]!, statusDraft(ids[1]!, 'failed'));
        await store.createCall({ callId: uid('other'), orgId: uid('org') });
      });

      const newestFirst = () => [...ids].reverse();
      const list = async (filter: Parameters<CallStore['listCalls']>[1]) =>
        (await store.listCalls(org, filter, { limit: 50 })).calls.map((c) => c.callId);

      it('lists only the org, newest first', async () => {
        expect(await list({})).toEqual(newestFirst());
      });

      it('pages with a cursor, with no overlap and no cursor on the last page', async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listCalls(org, {}, { limit: 4, ...(cursor ? { cursor } : {}) });
          seen.push(...page.calls.map((c) => c.callId));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(2);
        expect(seen).toEqual(newestFirst());
        const exact = await store.listCalls(org, {}, { limit: 6 });
        expect(exact.nextCursor).toBeUndefined();
      });

      it('filters by status, active, callSid and driver', async () => {
        expect(await list({ status: 'completed' })).toEqual([ids[3]]);
        expect(await list({ active: false })).toEqual([ids[3], ids[1]]);
        expect(await list({ active: true })).toEqual(
          newestFirst().filter((id) => id !== ids[3] && id !== ids[1]),
        );
        expect(await list({ status: 'completed', active: true })).toEqual([]);
        expect(await list({ status: 'queued', active: true })).toEqual([ids[5], ids[4], ids[2], ids[0]]);
        const call2 = await store.getCall(ids[2]!);
        expect(await list({ callSid: call2!.callSid! })).toEqual([ids[2]]);
        expect(await list({ driverId: 'd2' })).toEqual([ids[4]]);
        expect(await list({ driverId: 'd1', active: true })).toEqual([ids[5], ids[2], ids[0]]);
      });

      it('filters by conversation id', async () => {
        const conversationId = uid('conv');
        await store.linkProviderIds(ids[0]!, { conversationId });
        expect(await list({ conversationId })).toEqual([ids[0]]);
      });

      it('breaks createdAt ties by callId, across pages', async () => {
        const tieOrg = uid('org');
        clock.step = 0;
        try {
          for (const id of ['t_b', 't_d', 't_a', 't_c'])
            await store.createCall({ callId: `${id}_${uid('x')}`, orgId: tieOrg });
        } finally {
          clock.step = 1000;
        }
        const first = await store.listCalls(tieOrg, {}, { limit: 2 });
        const second = await store.listCalls(tieOrg, {}, { limit: 2, cursor: first.nextCursor! });
        const all = [...first.calls, ...second.calls].map((c) => c.callId.slice(0, 3));
        expect(all).toEqual(['t_d', 't_c', 't_b', 't_a']);
        expect(second.nextCursor).toBeUndefined();
      });

      it('rejects a malformed cursor with bad_request', async () => {
        await expectAppError(store.listCalls(org, {}, { limit: 2, cursor: 'not-a-cursor' }), 'bad_request');
      });
    });

    describe('listCalls: history filters and transcript search', () => {
      const org = uid('org');
      const campaignId = uid('cmp');
      // h[0] oldest … h[4] newest.
      const h: string[] = [];
      const times: string[] = [];
      const transcript = (callId: string, data: Record<string, unknown>, words: string): EventDraft => ({
        dedupeKey: dedupeKeys.internal(callId, 'transcript'),
        body: {
          kind: 'transcript',
          conversationId: uid('conv'),
          source: 'elevenlabs_webhook',
          conversationStatus: 'done',
          turns: [{ speaker: 'driver', text: words, offsetSecs: 1 }],
          dataCollection: Object.fromEntries(Object.entries(data).map(([k, value]) => [k, { value }])),
        },
      });

      beforeAll(async () => {
        for (let i = 0; i < 5; i++) {
          const callId = `h${i}_${uid('x')}`;
          const { call } = await store.createCall({
            callId,
            orgId: org,
            driver: { id: i % 2 === 0 ? 'de' : 'do', name: 'D' },
            ...(i >= 3 ? { campaign: { campaignId, driverId: 'de', attempt: 1 } } : {}),
          });
          h.push(call.callId);
          times.push(call.createdAt);
        }
        const finish = async (i: number, data: Record<string, unknown>, words: string) => {
          await store.append(h[i]!, statusDraft(h[i]!, 'in-progress'));
          await store.append(h[i]!, segmentDraft(uid('seg'), words));
          await store.append(h[i]!, statusDraft(h[i]!, 'completed'));
          await store.append(h[i]!, transcript(h[i]!, data, 'Thanks, bye'));
        };
        await finish(0, { acknowledged: true }, 'The reefer unit is broken at the Café');
        await finish(1, { acknowledged: 'no', escalation_needed: true }, 'reefer fine, trailer door jammed');
        await store.append(h[2]!, statusDraft(h[2]!, 'no-answer'));
        await finish(3, { acknowledged: 'yes', opt_out: true }, 'Stop calling me about the REEFER');
        await store.append(h[4]!, segmentDraft(uid('seg'), 'still talking about the reefer'));
      });

      const list = async (filter: Parameters<CallStore['listCalls']>[1]) =>
        (await store.listCalls(org, filter, { limit: 50 })).calls.map((c) => c.callId);

      it('derives facets in the reducer and keeps them on the record', async () => {
        expect((await store.getCall(h[0]!))?.facets).toEqual({
          outcome: 'acknowledged',
          escalation: false,
          optedOut: false,
        });
        expect((await store.getCall(h[2]!))?.facets?.outcome).toBe('unreachable');
        expect((await store.getCall(h[4]!))?.facets).toBeUndefined();
        expect((await store.getCall(h[0]!))?.searchTokens).toEqual(
          expect.arrayContaining(['reefer', 'broken', 'cafe', 'thanks']),
        );
      });

      it('filters by createdAt range: from inclusive, to exclusive', async () => {
        expect(await list({ from: times[1]!, to: times[3]! })).toEqual([h[2], h[1]]);
        expect(await list({ from: times[4]! })).toEqual([h[4]]);
      });

      it('filters by campaign and by each outcome', async () => {
        expect(await list({ campaignId })).toEqual([h[4], h[3]]);
        expect(await list({ outcome: 'acknowledged' })).toEqual([h[3], h[0]]);
        expect(await list({ outcome: 'not_acknowledged' })).toEqual([h[1]]);
        expect(await list({ outcome: 'unreachable' })).toEqual([h[2]]);
        expect(await list({ outcome: 'escalation' })).toEqual([h[1]]);
        expect(await list({ outcome: 'opted_out' })).toEqual([h[3]]);
        expect(await list({ outcome: 'acknowledged', campaignId })).toEqual([h[3]]);
      });

      it('finds calls holding every query word, folded and case-insensitive', async () => {
        expect(await list({ words: ['reefer'] })).toEqual([h[4], h[3], h[1], h[0]]);
        expect(await list({ words: ['reefer', 'broken'] })).toEqual([h[0]]);
        expect(await list({ words: ['cafe'] })).toEqual([h[0]]);
        expect(await list({ words: ['reefer', 'nowhere'] })).toEqual([]);
        expect(await list({ words: ['reefer'], driverId: 'de' })).toEqual([h[4], h[0]]);
        expect(await list({ words: ['reefer'], outcome: 'acknowledged', from: times[1]! })).toEqual([h[3]]);
      });

      it('pages a search with cursors and reports a scan bound reached', async () => {
        const first = await store.listCalls(org, { words: ['reefer'] }, { limit: 2 });
        expect(first.calls.map((c) => c.callId)).toEqual([h[4], h[3]]);
        const second = await store.listCalls(
          org,
          { words: ['reefer'] },
          { limit: 2, cursor: first.nextCursor! },
        );
        expect(second.calls.map((c) => c.callId)).toEqual([h[1], h[0]]);
        expect(second.nextCursor).toBeUndefined();

        // 'reefer' is looked up (it ties 'jammed' on length; the first wins): 4 calls scanned, 1 per page.
        const seen: string[] = [];
        let cursor: string | undefined;
        let limited = 0;
        do {
          const page = await store.listCalls(
            org,
            { words: ['reefer', 'jammed'] },
            { limit: 5, scanLimit: 1, ...(cursor ? { cursor } : {}) },
          );
          seen.push(...page.calls.map((c) => c.callId));
          if (page.scanLimited) limited++;
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([h[1]]);
        expect(limited).toBeGreaterThanOrEqual(3);
      });
    });
  });
}
