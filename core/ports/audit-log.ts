// Port: the append-only audit trail of each org (who did what, when).
import type { AuditAction, AuditEntry } from '../domain/audit.ts';

/** Filters of `query`; all optional ones combine with AND. */
export interface AuditQuery {
  /** Inclusive lower bound on `at` (ISO). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO). */
  to?: string;
  /** `actor.id`. */
  actor?: string;
  action?: AuditAction;
  callId?: string;
  campaignId?: string;
  limit: number;
  /** Opaque, from a previous page's `nextCursor` (the same filters must be passed again). */
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor?: string;
}

/**
 * Contract (checked by `audit-log.contract.ts`):
 * - Append-only: `append` stores the entry as given and answers `true`; a second `append` of the same `auditId`
 *   changes nothing and answers `false` (so a retried write cannot duplicate). Nothing updates or deletes entries.
 * - `query` answers one org's entries matching every filter, newest first by (`at`, `auditId`) descending; paging
 *   with `nextCursor` visits each match exactly once. A malformed cursor is `AppError('bad_request')`.
 * - Orgs never see each other's entries. Unavailability surfaces as `AppError('store_unavailable')`.
 */
export interface AuditLog {
  append(entry: AuditEntry): Promise<boolean>;
  query(orgId: string, query: AuditQuery): Promise<AuditPage>;
}
