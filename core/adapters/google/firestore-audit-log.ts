// Firestore AuditLog: one document per entry under `audit/`, created once (never updated), queried by org newest first.
import type { Firestore } from '@google-cloud/firestore';
import type { AuditEntry } from '../../domain/audit.ts';
import type { AuditLog, AuditPage, AuditQuery } from '../../ports/audit-log.ts';
import { decodeListCursor, encodeListCursor } from '../store-keys.ts';
import { guardStore } from './firestore-errors.ts';
import { withoutUndefined } from './firestore-fields.ts';

/** gRPC ALREADY_EXISTS: `create` of an id that is stored. */
const ALREADY_EXISTS = 6;

/**
 * `audit/{auditId}`, written with `create` so an entry is never overwritten. `query` filters `orgId ==` plus
 * equality on `actor.id`, `action`, `target.callId`, `target.campaignId` and a range on `at`, ordered by
 * `at desc, auditId desc`: composite indexes `(orgId, at desc, auditId desc)` and `(orgId, <field>, at desc,
 * auditId desc)` per filter field (`infra/firestore.indexes.json`); Firestore merges them when filters combine.
 */
export class FirestoreAuditLog implements AuditLog {
  constructor(private readonly db: Firestore) {}

  append(entry: AuditEntry): Promise<boolean> {
    return guardStore(async () => {
      try {
        await this.db.collection('audit').doc(entry.auditId).create(withoutUndefined(entry));
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code === ALREADY_EXISTS) return false;
        throw err;
      }
    });
  }

  query(orgId: string, q: AuditQuery): Promise<AuditPage> {
    return guardStore(async () => {
      const after = q.cursor ? decodeListCursor(q.cursor) : undefined;
      if (q.limit <= 0) return { entries: [] };
      let query = this.db.collection('audit').where('orgId', '==', orgId);
      if (q.actor !== undefined) query = query.where('actor.id', '==', q.actor);
      if (q.action !== undefined) query = query.where('action', '==', q.action);
      if (q.callId !== undefined) query = query.where('target.callId', '==', q.callId);
      if (q.campaignId !== undefined) query = query.where('target.campaignId', '==', q.campaignId);
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<', q.to);
      query = query.orderBy('at', 'desc').orderBy('auditId', 'desc');
      if (after) query = query.startAfter(after.at, after.id);
      const found = (await query.limit(q.limit + 1).get()).docs.map((d) => d.data() as AuditEntry);
      const entries = found.slice(0, q.limit);
      const last = entries.at(-1);
      return {
        entries,
        ...(found.length > q.limit && last ? { nextCursor: encodeListCursor(last.at, last.auditId) } : {}),
      };
    });
  }
}
