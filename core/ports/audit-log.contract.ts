// Contract suite every AuditLog adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditEvent } from '../domain/audit.ts';
import type { AppError } from '../support/errors.ts';
import type { AuditLog, AuditQuery } from './audit-log.ts';
import { uid } from './call-store.contract.ts';

export interface AuditLogFixture {
  log: AuditLog;
  /** `n` more logs over the same storage, as other processes hold them (memory: the same log again). */
  peers(n: number): AuditLog[];
}

/** Registers the contract cases; `make` returns a log over empty, isolated storage. */
export function auditLogContract(name: string, make: () => Promise<AuditLogFixture> | AuditLogFixture): void {
  describe(`AuditLog contract: ${name}`, () => {
    it('appends an entry as given; a second append of its id changes nothing', async () => {
      const { log, peers } = await make();
      const org = uid('org');
      const first = entry(org, 'aud_1', '2030-01-01T00:00:00.000Z', {
        action: 'call.status_changed',
        target: { callId: 'call-1' },
        details: { webhook: 'twilio_status', seq: 2, from: 'ringing', to: 'in-progress' },
      });
      expect(await log.append(first)).toBe(true);
      const racing = await Promise.all(
        [log, ...peers(2)].map((l) => l.append({ ...first, at: '2030-01-09T00:00:00.000Z' })),
      );
      expect(racing).toEqual([false, false, false]);
      expect((await log.query(org, { limit: 10 })).entries).toEqual([first]);
    });

    it("keeps orgs apart: one org's entries are never listed for another", async () => {
      const { log } = await make();
      const [a, b] = [uid('org'), uid('org')];
      await log.append(entry(a, 'aud_a', '2030-01-01T00:00:00.000Z'));
      expect(await log.query(b, { limit: 10 })).toEqual({ entries: [] });
      expect((await log.query(a, { limit: 10 })).entries.map((e) => e.auditId)).toEqual(['aud_a']);
    });

    it('filters by time range, actor, action, call and campaign, combined with AND', async () => {
      const { log } = await make();
      const org = uid('org');
      const rows: AuditEntry[] = [
        entry(org, 'aud_01', '2030-01-01T00:00:00.000Z', paused('cmp-1'), 'usr_a'),
        entry(org, 'aud_02', '2030-01-02T00:00:00.000Z', paused('cmp-2'), 'usr_b'),
        entry(org, 'aud_03', '2030-01-03T00:00:00.000Z', triggered('call-1'), 'usr_a'),
        entry(org, 'aud_04', '2030-01-04T00:00:00.000Z', triggered('call-2'), 'usr_a'),
        entry(org, 'aud_05', '2030-01-05T00:00:00.000Z', paused('cmp-1'), 'usr_b'),
      ];
      for (const row of rows) await log.append(row);
      const ids = async (q: Omit<AuditQuery, 'limit'>) =>
        (await log.query(org, { limit: 10, ...q })).entries.map((e) => e.auditId);
      expect(await ids({})).toEqual(['aud_05', 'aud_04', 'aud_03', 'aud_02', 'aud_01']);
      expect(await ids({ from: '2030-01-02T00:00:00.000Z', to: '2030-01-04T00:00:00.000Z' })).toEqual([
        'aud_03',
        'aud_02',
      ]);
      expect(await ids({ actor: 'usr_a' })).toEqual(['aud_04', 'aud_03', 'aud_01']);
      expect(await ids({ action: 'campaign.paused' })).toEqual(['aud_05', 'aud_02', 'aud_01']);
      expect(await ids({ callId: 'call-2' })).toEqual(['aud_04']);
      expect(await ids({ campaignId: 'cmp-1' })).toEqual(['aud_05', 'aud_01']);
      expect(await ids({ campaignId: 'cmp-1', actor: 'usr_b' })).toEqual(['aud_05']);
      expect(await ids({ action: 'call.triggered', from: '2030-01-04T00:00:00.000Z' })).toEqual(['aud_04']);
    });

    it('pages newest first, ties by id, each match exactly once; a bad cursor is bad_request', async () => {
      const { log } = await make();
      const org = uid('org');
      const minutes = ['01', '04', '02', '04', '03', '04', '00'];
      const added: AuditEntry[] = [];
      for (const [i, m] of minutes.entries()) {
        const row = entry(org, `aud_${i}`, `2030-01-01T00:${m}:00.000Z`, triggered(`call-${i}`));
        added.push(row);
        await log.append(row);
      }
      const expected = [...added].sort((x, y) =>
        x.at !== y.at ? y.at.localeCompare(x.at) : x.auditId < y.auditId ? 1 : -1,
      );
      const seen: AuditEntry[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await log.query(org, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.entries);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
      expect((await log.query(org, { limit: 7 })).nextCursor).toBeUndefined();
      const err: unknown = await log.query(org, { limit: 2, cursor: 'nope' }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('bad_request');
    });
  });
}

const paused = (campaignId: string): AuditEvent => ({
  action: 'campaign.paused',
  target: { campaignId },
  details: { status: 'paused' },
});

const triggered = (callId: string): AuditEvent => ({
  action: 'call.triggered',
  target: { callId },
  details: { driverId: 'drv_1', status: 'initiated' },
});

function entry(
  orgId: string,
  auditId: string,
  at: string,
  event: AuditEvent = triggered('call-0'),
  actorId = 'usr_1',
): AuditEntry {
  return {
    ...event,
    auditId,
    orgId,
    at,
    actor: { kind: 'dispatcher', id: actorId, role: 'dispatcher' },
    requestId: 'req-1',
  };
}
