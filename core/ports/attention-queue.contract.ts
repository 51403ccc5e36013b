// Contract suite every AttentionQueue adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import type { AttentionItem } from '../domain/attention.ts';
import type { AppError } from '../support/errors.ts';
import { uid } from './call-store.contract.ts';
import type { AttentionQueue, NewAttentionItem } from './attention-queue.ts';

export interface AttentionQueueFixture {
  queue: AttentionQueue;
  /** `n` more queues over the same storage, as other processes hold them (memory: the same queue again). */
  peers(n: number): AttentionQueue[];
}

/** Registers the contract cases; `make` returns a queue over empty, isolated storage. */
export function attentionQueueContract(
  name: string,
  make: () => Promise<AttentionQueueFixture> | AttentionQueueFixture,
): void {
  describe(`AttentionQueue contract: ${name}`, () => {
    const by = (who: string, note = `handled by ${who}`) => ({
      by: who,
      at: '2030-01-02T00:00:00.000Z',
      note,
    });

    it('opens an item once: opening it again returns the first unchanged', async () => {
      const { queue } = await make();
      const org = uid('org');
      const input = item(org, { campaignId: 'cmp-1', summary: 'Driver disputes the violation' });
      const first = await queue.open(input);
      expect(first).toEqual({ item: input, created: true });
      const again = await queue.open({ ...input, summary: 'other', callIds: ['call-9'] });
      expect(again).toEqual({ item: input, created: false });
      expect(await queue.get(org, input.attentionId)).toEqual(input);
    });

    it('makes one item out of racing opens', async () => {
      const { queue, peers } = await make();
      const input = item(uid('org'));
      const results = await Promise.all([queue, ...peers(2)].map((q) => q.open(input)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      for (const r of results) expect(r.item).toEqual(input);
    });

    it("keeps orgs apart: another org's item is neither read, listed nor resolved", async () => {
      const { queue } = await make();
      const [a, b] = [uid('org'), uid('org')];
      const input = item(a);
      await queue.open(input);
      expect(await queue.get(b, input.attentionId)).toBeNull();
      expect(await queue.list(b, { state: 'all', limit: 10 })).toEqual({ items: [] });
      expect(await queue.resolve(b, input.attentionId, by('intruder'))).toEqual({ outcome: 'not_found' });
      expect(await queue.get(a, input.attentionId)).toEqual(input);
    });

    it('answers not found for an unknown item', async () => {
      const { queue } = await make();
      const org = uid('org');
      for (const unknown of [uid('att'), 'a/b', '..', '']) {
        expect(await queue.get(org, unknown)).toBeNull();
        expect(await queue.resolve(org, unknown, by('u1'))).toEqual({ outcome: 'not_found' });
      }
    });

    it('resolves once, recording who, when and the note; later resolves change nothing', async () => {
      const { queue } = await make();
      const org = uid('org');
      const input = item(org);
      await queue.open(input);
      const resolved = await queue.resolve(org, input.attentionId, by('u1', 'called back, fine'));
      const expected: AttentionItem = { ...input, resolved: by('u1', 'called back, fine') };
      expect(resolved).toEqual({ outcome: 'resolved', item: expected });
      expect(await queue.get(org, input.attentionId)).toEqual(expected);
      expect(await queue.resolve(org, input.attentionId, by('u2'))).toEqual({
        outcome: 'already_resolved',
        item: expected,
      });
      expect(await queue.open(input)).toEqual({ item: expected, created: false });
    });

    it('lets exactly one of racing resolves win', async () => {
      const { queue, peers } = await make();
      const org = uid('org');
      const input = item(org);
      await queue.open(input);
      const queues = [queue, ...peers(2)];
      const results = await Promise.all(queues.map((q, i) => q.resolve(org, input.attentionId, by(`u${i}`))));
      const winners = results.flatMap((r) => (r.outcome === 'resolved' ? [r.item] : []));
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'already_resolved')).toHaveLength(queues.length - 1);
      expect(await queue.get(org, input.attentionId)).toEqual(winners[0]);
    });

    it('lists newest first by state, paging with cursors', async () => {
      const { queue } = await make();
      const org = uid('org');
      const minutes = ['01', '05', '02', '05', '03', '04', '05', '00'];
      const opened: AttentionItem[] = [];
      for (const m of minutes) {
        opened.push((await queue.open(item(org, { openedAt: `2030-01-01T00:${m}:00.000Z` }))).item);
      }
      await queue.open(item(uid('org')));
      const toResolve = [opened[1]!, opened[4]!, opened[7]!];
      for (const r of toResolve) await queue.resolve(org, r.attentionId, by('u1'));
      const newest = (xs: AttentionItem[]) =>
        [...xs].sort((x, y) =>
          x.openedAt !== y.openedAt
            ? y.openedAt.localeCompare(x.openedAt)
            : x.attentionId < y.attentionId
              ? 1
              : -1,
        );
      const all = newest(await Promise.all(opened.map(async (o) => (await queue.get(org, o.attentionId))!)));
      const pageThrough = async (state: 'open' | 'resolved' | 'all') => {
        const seen: AttentionItem[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await queue.list(org, { state, limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor && pages < 10);
        return seen;
      };
      expect(await pageThrough('all')).toEqual(all);
      expect(await pageThrough('open')).toEqual(all.filter((i) => !i.resolved));
      expect(await pageThrough('resolved')).toEqual(all.filter((i) => i.resolved));
      expect((await queue.list(org, { state: 'resolved', limit: 3 })).nextCursor).toBeUndefined();
      const err: unknown = await queue
        .list(org, { state: 'all', limit: 2, cursor: 'x' })
        .catch((e: unknown) => e);
      expect((err as AppError).code).toBe('bad_request');
    });
  });
}

function item(orgId: string, extra: Partial<NewAttentionItem> = {}): NewAttentionItem {
  return {
    attentionId: uid('att'),
    orgId,
    reason: 'not_acknowledged',
    driverId: 'd1',
    driverName: 'Dana Driver',
    callIds: ['call-1'],
    openedAt: '2030-01-01T00:00:00.000Z',
    ...extra,
  };
}
