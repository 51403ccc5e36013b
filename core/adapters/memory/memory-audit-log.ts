// In-memory AuditLog for the embedded mode and tests.
import type { AuditEntry } from '../../domain/audit.ts';
import type { AuditLog, AuditPage, AuditQuery } from '../../ports/audit-log.ts';
import { afterListCursor, decodeListCursor, encodeListCursor, newestFirstBy } from '../store-keys.ts';
import { matchesAuditQuery } from '../audit-filter.ts';

export class MemoryAuditLog implements AuditLog {
  private readonly entries = new Map<string, AuditEntry>();

  async append(entry: AuditEntry): Promise<boolean> {
    if (this.entries.has(entry.auditId)) return false;
    this.entries.set(entry.auditId, structuredClone(entry));
    return true;
  }

  async query(orgId: string, query: AuditQuery): Promise<AuditPage> {
    const after = query.cursor ? decodeListCursor(query.cursor) : undefined;
    const all = [...this.entries.values()]
      .filter((e) => e.orgId === orgId && matchesAuditQuery(e, query))
      .filter((e) => !after || afterListCursor(e.at, e.auditId, after))
      .sort(
        newestFirstBy(
          (e: AuditEntry) => e.at,
          (e) => e.auditId,
        ),
      );
    const entries = all.slice(0, query.limit).map((e) => structuredClone(e));
    const last = entries.at(-1);
    return {
      entries,
      ...(all.length > query.limit && last ? { nextCursor: encodeListCursor(last.at, last.auditId) } : {}),
    };
  }
}
