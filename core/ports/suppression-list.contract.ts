// Contract suite every SuppressionList adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import type { Suppression } from '../domain/suppression.ts';
import type { AppError } from '../support/errors.ts';
import { uid } from './call-store.contract.ts';
import type { NewSuppression, SuppressionList } from './suppression-list.ts';

export interface SuppressionListFixture {
  list: SuppressionList;
  /** `n` more lists over the same storage, as other processes hold them (memory: the same list again). */
  peers(n: number): SuppressionList[];
}

/** Registers the contract cases; `make` returns a list over empty, isolated storage. */
export function suppressionListContract(
  name: string,
  make: () => Promise<SuppressionListFixture> | SuppressionListFixture,
): void {
  describe(`SuppressionList contract: ${name}`, () => {
    it('adds a number once per org, under an id that reveals neither', async () => {
      const { list } = await make();
      const org = uid('org');
      const first = await list.add(entry(org, '+15550001234', { callId: 'call-1', driverId: 'd1' }));
      expect(first.created).toBe(true);
      expect(first.suppression).toEqual({
        ...entry(org, '+15550001234', { callId: 'call-1', driverId: 'd1' }),
        suppressionId: expect.any(String),
      });
      const id = first.suppression.suppressionId;
      expect(id).not.toContain('5550001234');
      expect(id).not.toContain(org);
      const again = await list.add({ ...entry(org, '+15550001234'), reason: 'manual', note: 'again' });
      expect(again).toEqual({ suppression: first.suppression, created: false });
      expect(await list.find(org, '+15550001234')).toEqual(first.suppression);
    });

    it('makes one entry out of racing adds of a number', async () => {
      const { list, peers } = await make();
      const org = uid('org');
      const results = await Promise.all([list, ...peers(2)].map((l) => l.add(entry(org, '+15550001111'))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.suppression.suppressionId)).size).toBe(1);
      expect((await list.list(org, { limit: 10 })).suppressions).toHaveLength(1);
    });

    it("keeps orgs apart: one org's entry is neither found, listed nor removed by another", async () => {
      const { list } = await make();
      const [a, b] = [uid('org'), uid('org')];
      const { suppression } = await list.add(entry(a, '+15550002222'));
      expect(await list.find(b, '+15550002222')).toBeNull();
      expect(await list.list(b, { limit: 10 })).toEqual({ suppressions: [] });
      expect(await list.remove(b, suppression.suppressionId)).toBe(false);
      expect(await list.find(a, '+15550002222')).toEqual(suppression);
      const other = await list.add(entry(b, '+15550002222'));
      expect(other.created).toBe(true);
      expect(other.suppression.suppressionId).not.toBe(suppression.suppressionId);
    });

    it('answers null for a number not listed', async () => {
      const { list } = await make();
      const org = uid('org');
      await list.add(entry(org, '+15550003333'));
      expect(await list.find(org, '+15550003334')).toBeNull();
    });

    it('removes by id within the org and answers whether it existed', async () => {
      const { list } = await make();
      const org = uid('org');
      const { suppression } = await list.add(entry(org, '+15550004444'));
      expect(await list.remove(org, suppression.suppressionId)).toBe(true);
      expect(await list.find(org, '+15550004444')).toBeNull();
      expect(await list.remove(org, suppression.suppressionId)).toBe(false);
      for (const unknown of ['sup_unknown', 'a/b', '..', ''])
        expect(await list.remove(org, unknown)).toBe(false);
      expect((await list.add(entry(org, '+15550004444'))).created).toBe(true);
    });

    it('lists newest first, ties by id, paging with cursors', async () => {
      const { list } = await make();
      const org = uid('org');
      const minutes = ['01', '04', '02', '04', '03', '04', '00'];
      const added: Suppression[] = [];
      for (const [i, m] of minutes.entries()) {
        const at = `2030-01-01T00:${m}:00.000Z`;
        added.push((await list.add({ ...entry(org, `+1555000500${i}`), createdAt: at })).suppression);
      }
      const expected = [...added].sort((x, y) =>
        x.createdAt !== y.createdAt
          ? y.createdAt.localeCompare(x.createdAt)
          : x.suppressionId < y.suppressionId
            ? 1
            : -1,
      );
      const seen: Suppression[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await list.list(org, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.suppressions);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
      expect((await list.list(org, { limit: 7 })).nextCursor).toBeUndefined();
      const err: unknown = await list.list(org, { limit: 2, cursor: 'nope' }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('bad_request');
    });
  });
}

function entry(orgId: string, phoneNumber: string, extra: Partial<NewSuppression> = {}): NewSuppression {
  return {
    orgId,
    phoneNumber,
    reason: 'opt_out',
    createdBy: 'system',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...extra,
  };
}
