// Contract suite every AnalyticsStore adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import { ackBucketOf, emptyCounts, type AnalyticsFact, type AnalyticsGroup } from '../domain/analytics.ts';
import { uid } from './call-store.contract.ts';
import type { AnalyticsEntry, AnalyticsStore } from './analytics-store.ts';

export interface AnalyticsStoreFixture {
  store: AnalyticsStore;
  /** `n` more stores over the same storage, as other processes hold them (memory: the same store again). */
  peers(n: number): AnalyticsStore[];
}

/** Registers the contract cases; `make` returns a store over empty, isolated storage. */
export function analyticsStoreContract(
  name: string,
  make: () => Promise<AnalyticsStoreFixture> | AnalyticsStoreFixture,
): void {
  describe(`AnalyticsStore contract: ${name}`, () => {
    const groups = (day: string, campaign = 'none'): AnalyticsGroup[] => [
      { dimension: 'day', key: day },
      { dimension: 'violationType', key: 'violation:temperature' },
      { dimension: 'violationType', key: 'reminder:documents' },
      { dimension: 'campaign', key: campaign },
    ];
    const entry = (
      orgId: string,
      markerId: string,
      fact: AnalyticsFact,
      day = '2030-03-01',
    ): AnalyticsEntry => ({
      orgId,
      markerId,
      day,
      groups: groups(day, 'cmp-1'),
      fact,
    });
    const counts = (over: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(), ...over });

    it('counts a fact once per marker, in every group it belongs to', async () => {
      const { store } = await make();
      const org = uid('org');
      expect(await store.record(entry(org, 'call:a:dialed', { metric: 'dialed' }))).toBe(true);
      expect(await store.record(entry(org, 'call:a:dialed', { metric: 'dialed' }))).toBe(false);
      expect(await store.record(entry(org, 'call:a:connected', { metric: 'connected' }))).toBe(true);
      expect(await store.record(entry(org, 'call:b:dialed', { metric: 'dialed' }))).toBe(true);
      const range = { fromDay: '2030-03-01', toDay: '2030-03-01' };
      expect(await store.read(org, 'day', range)).toEqual([
        {
          dimension: 'day',
          key: '2030-03-01',
          day: '2030-03-01',
          counts: counts({ dialed: 2, connected: 1 }),
        },
      ]);
      const byType = await store.read(org, 'violationType', range);
      expect(byType.map((c) => c.key).sort()).toEqual(['reminder:documents', 'violation:temperature']);
      for (const c of byType) expect(c.counts).toEqual(counts({ dialed: 2, connected: 1 }));
      expect((await store.read(org, 'campaign', range)).map((c) => [c.key, c.counts.dialed])).toEqual([
        ['cmp-1', 2],
      ]);
    });

    it('keeps the time-to-acknowledgment histogram by bucket', async () => {
      const { store } = await make();
      const org = uid('org');
      for (const [i, secs] of [20, 25, 100, 7200].entries()) {
        await store.record(
          entry(org, `call:${i}:acknowledged`, { metric: 'acknowledged', ackSeconds: secs }),
        );
      }
      const [day] = await store.read(org, 'day', { fromDay: '2030-03-01', toDay: '2030-03-01' });
      const histogram = emptyCounts().ackHistogram;
      for (const secs of [20, 25, 100, 7200]) histogram[ackBucketOf(secs)]! += 1;
      expect(day?.counts).toEqual(counts({ acknowledged: 4, ackHistogram: histogram }));
    });

    it('reads an inclusive day range of one org and one dimension', async () => {
      const { store } = await make();
      const [a, b] = [uid('org'), uid('org')];
      for (const day of ['2030-02-28', '2030-03-01', '2030-03-02', '2030-03-03']) {
        await store.record(entry(a, `call:${day}:dialed`, { metric: 'dialed' }, day));
      }
      await store.record(entry(b, 'call:x:dialed', { metric: 'dialed' }, '2030-03-01'));
      const days = await store.read(a, 'day', { fromDay: '2030-03-01', toDay: '2030-03-02' });
      expect(days.map((c) => c.day).sort()).toEqual(['2030-03-01', '2030-03-02']);
      expect(await store.read(b, 'day', { fromDay: '2030-03-02', toDay: '2030-03-31' })).toEqual([]);
      expect(await store.read(uid('org'), 'day', { fromDay: '2000-01-01', toDay: '2099-12-31' })).toEqual([]);
    });

    it('keeps markers per org: the same marker id in two orgs counts in each', async () => {
      const { store } = await make();
      const [a, b] = [uid('org'), uid('org')];
      expect(await store.record(entry(a, 'call:same:dialed', { metric: 'dialed' }))).toBe(true);
      expect(await store.record(entry(b, 'call:same:dialed', { metric: 'dialed' }))).toBe(true);
    });

    it('counts concurrent duplicate deliveries of one fact once, across processes', async () => {
      const { store, peers } = await make();
      const org = uid('org');
      const all = [store, ...peers(3)];
      const results = await Promise.all(
        all
          .flatMap((s) => [s, s])
          .map((s) => s.record(entry(org, 'call:dup:attentionOpened', { metric: 'attentionOpened' }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const [day] = await store.read(org, 'day', { fromDay: '2030-03-01', toDay: '2030-03-01' });
      expect(day?.counts).toEqual(counts({ attentionOpened: 1 }));
    });

    it('loses no count of concurrent distinct facts of one group', async () => {
      const { store, peers } = await make();
      const org = uid('org');
      const all = [store, ...peers(2)];
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          all[i % all.length]!.record(
            entry(org, `call:${i}:attentionResolved`, { metric: 'attentionResolved' }),
          ),
        ),
      );
      const [day] = await store.read(org, 'day', { fromDay: '2030-03-01', toDay: '2030-03-01' });
      expect(day?.counts.attentionResolved).toBe(12);
    });
  });
}
