// The filters of an audit query as one predicate (memory adapter; and the meaning Firestore's query must match).
import type { AuditEntry } from '../domain/audit.ts';
import type { AuditQuery } from '../ports/audit-log.ts';

/** Whether `entry` matches every filter of `query` (org and paging aside). */
export function matchesAuditQuery(entry: AuditEntry, query: Omit<AuditQuery, 'limit' | 'cursor'>): boolean {
  return (
    (query.from === undefined || entry.at >= query.from) &&
    (query.to === undefined || entry.at < query.to) &&
    (query.actor === undefined || entry.actor.id === query.actor) &&
    (query.action === undefined || entry.action === query.action) &&
    (query.callId === undefined || entry.target.callId === query.callId) &&
    (query.campaignId === undefined || entry.target.campaignId === query.campaignId)
  );
}
