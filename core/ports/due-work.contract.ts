// Contract suite every DueWork adapter must pass (memory and Firestore run the same cases).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DueWork } from './due-work.ts';

/** Registers the contract cases; `make` returns due work over empty, isolated storage. */
export function dueWorkContract(name: string, make: () => Promise<DueWork> | DueWork): void {
  describe(`DueWork contract: ${name}`, () => {
    const T0 = Date.parse('2026-03-01T08:00:00Z');
    const at = (ms: number) => new Date(T0 + ms);
    const LEASE = 30_000;
    const key = () => `webhook:${randomUUID()}`;
    const claim = (work: DueWork, nowMs: number, limit = 10, kinds?: string[]) =>
      work.claimDue({ now: at(nowMs), limit, leaseMs: LEASE, ...(kinds ? { kinds } : {}) });
    const put = (work: DueWork, k: string, dueMs: number, payload = '{}', nowMs = 0, kind = 'webhook') =>
      work.schedule({ key: k, kind, dueAt: at(dueMs), payload, now: at(nowMs) });

    it('leases a due item with its fields, attempt 1 and a lease until now + leaseMs', async () => {
      const work = await make();
      const k = key();
      expect(await put(work, k, 0, '{"n":1}')).toEqual({ state: 'scheduled' });
      const [item, ...rest] = await claim(work, 5);
      expect(rest).toEqual([]);
      expect(item).toEqual({
        key: k,
        kind: 'webhook',
        payload: '{"n":1}',
        dueAt: at(0),
        attempt: 1,
        leaseToken: expect.any(String),
        leaseUntil: at(5 + LEASE),
      });
    });

    it('gives each due item to exactly one of 5 racing claimers', async () => {
      const work = await make();
      const keys = Array.from({ length: 12 }, key);
      for (const [i, k] of keys.entries()) await put(work, k, i);
      const batches = await Promise.all(Array.from({ length: 5 }, () => claim(work, 100, 12)));
      const claimed = batches.flat().map((item) => item.key);
      expect(claimed).toHaveLength(keys.length);
      expect(new Set(claimed)).toEqual(new Set(keys));
    });

    it('does not claim an item before its due time', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 1_000);
      expect(await claim(work, 999)).toEqual([]);
      expect((await claim(work, 1_000)).map((item) => item.key)).toEqual([k]);
    });

    it('makes an item whose lease ran out claimable again as the next attempt, with a new token', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 0);
      const [first] = await claim(work, 0);
      expect(await claim(work, LEASE - 1)).toEqual([]);
      const [second] = await claim(work, LEASE);
      expect(second).toMatchObject({ key: k, attempt: 2, dueAt: at(LEASE), leaseUntil: at(2 * LEASE) });
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
    });

    it('refuses complete and reschedule with a stale or unknown lease token', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 0);
      const [first] = await claim(work, 0);
      const [second] = await claim(work, LEASE);
      expect(await work.complete(k, first!.leaseToken)).toBe(false);
      expect(await work.reschedule(k, first!.leaseToken, at(0))).toBe(false);
      expect(await work.complete(k, randomUUID())).toBe(false);
      expect(await work.complete(key(), randomUUID())).toBe(false);
      expect(await claim(work, LEASE + 1)).toEqual([]);
      expect(await work.complete(k, second!.leaseToken)).toBe(true);
      expect(await work.complete(k, second!.leaseToken)).toBe(false);
      expect(await claim(work, 10 * LEASE)).toEqual([]);
    });

    it('reschedules to a new due time, ending the lease and keeping the attempt count', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 0, 'a');
      const [first] = await claim(work, 0);
      expect(await work.reschedule(k, first!.leaseToken, at(60_000), 'b')).toBe(true);
      expect(await work.reschedule(k, first!.leaseToken, at(0))).toBe(false);
      expect(await claim(work, 59_999)).toEqual([]);
      const [second] = await claim(work, 60_000);
      expect(second).toMatchObject({ key: k, payload: 'b', attempt: 2, dueAt: at(60_000) });
      expect(await work.reschedule(k, second!.leaseToken, at(61_000))).toBe(true);
      expect(await claim(work, 61_000)).toMatchObject([{ payload: 'b', attempt: 3 }]);
    });

    it('cancels an item whether idle or leased', async () => {
      const work = await make();
      const idle = key();
      const leased = key();
      await put(work, idle, 10);
      await put(work, leased, 0);
      const [item] = await claim(work, 0);
      await work.cancel(idle);
      await work.cancel(leased);
      await work.cancel(key());
      expect(await work.complete(leased, item!.leaseToken)).toBe(false);
      expect(await claim(work, 10 * LEASE)).toEqual([]);
    });

    it('schedules idempotently: the last schedule wins unless the item is leased', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 0, 'a');
      await put(work, k, 0, 'a');
      await put(work, k, 500, 'b');
      expect(await claim(work, 499)).toEqual([]);
      const [first] = await claim(work, 500);
      expect(first).toMatchObject({ key: k, payload: 'b', attempt: 1 });
      expect(await put(work, k, 0, 'c', 600)).toEqual({ state: 'leased' });
      expect(await work.reschedule(k, first!.leaseToken, at(700))).toBe(true);
      expect(await put(work, k, 800, 'd', 600)).toEqual({ state: 'scheduled' });
      expect(await claim(work, 800)).toMatchObject([{ key: k, payload: 'd', attempt: 1 }]);
    });

    it('lets schedule take over an item whose lease ran out, making the old token stale', async () => {
      const work = await make();
      const k = key();
      await put(work, k, 0, 'a');
      const [first] = await claim(work, 0);
      expect(await put(work, k, 2 * LEASE, 'b', LEASE)).toEqual({ state: 'scheduled' });
      expect(await work.complete(k, first!.leaseToken)).toBe(false);
      expect(await claim(work, 2 * LEASE)).toMatchObject([{ key: k, payload: 'b', attempt: 1 }]);
    });

    it('honours limit and claims earliest due first', async () => {
      const work = await make();
      const keys = Array.from({ length: 5 }, key);
      const dues = [400, 100, 300, 0, 200];
      for (const [i, k] of keys.entries()) await put(work, k, dues[i]!);
      const byDue = [3, 1, 4, 2, 0].map((i) => keys[i]);
      expect((await claim(work, 1_000, 2)).map((item) => item.key)).toEqual(byDue.slice(0, 2));
      expect((await claim(work, 1_000, 2)).map((item) => item.key)).toEqual(byDue.slice(2, 4));
      expect((await claim(work, 1_000, 2)).map((item) => item.key)).toEqual(byDue.slice(4));
    });

    it('claims only the requested kinds', async () => {
      const work = await make();
      const dial = key();
      const hook = key();
      await put(work, dial, 0, '{}', 0, 'campaign-dial');
      await put(work, hook, 0, '{}', 0, 'webhook');
      expect((await claim(work, 0, 10, ['webhook'])).map((item) => item.key)).toEqual([hook]);
      expect((await claim(work, 0, 10, ['webhook', 'campaign-dial'])).map((item) => item.key)).toEqual([
        dial,
      ]);
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const work = await make();
      const a = `${key()}/a:b%2F`;
      const b = `${a}x`;
      await put(work, a, 0, 'A');
      await put(work, b, 10_000, 'B');
      expect(await claim(work, 0)).toMatchObject([{ key: a, payload: 'A' }]);
    });

    it.each([
      { limit: 0, leaseMs: LEASE },
      { limit: 1.5, leaseMs: LEASE },
      { limit: 1, leaseMs: 0 },
      { limit: 1, leaseMs: LEASE, kinds: [] },
    ])('rejects claim options %o as a caller bug', async (options) => {
      const work = await make();
      await expect(work.claimDue({ now: at(0), ...options })).rejects.toThrow(TypeError);
    });
  });
}
