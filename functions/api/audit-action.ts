// Records a signed-in user's action in the audit trail, with who, the org and the request id.
import type { Principal } from '../../core/auth/principal.ts';
import type { AuditActor, AuditEvent } from '../../core/domain/audit.ts';
import { recordAudit, type AuditDeps } from '../../core/operations/record-audit.ts';
import type { RequestContext } from '../http/http-types.ts';

/** The actor of a principal: always kind `dispatcher` (admins included; `role` tells them apart). */
export function principalActor(principal: Pick<Principal, 'sub' | 'role'>): AuditActor {
  return { kind: 'dispatcher', id: principal.sub, role: principal.role };
}

/**
 * Call after the action succeeded (see `recordAudit`: a failed write rejects with `audit_unavailable`, 503).
 * `key` names the action's identity when a retry of the request must not add a second entry.

 */
export async function auditAction(
  deps: AuditDeps,
  ctx: RequestContext,
  principal: Pick<Principal, 'sub' | 'role' | 'org'>,
  event: AuditEvent,
  key?: string,
): Promise<void> {
  await recordAudit(
    deps,
    {
      orgId: principal.org,
      actor: principalActor(principal),
      requestId: ctx.requestId,
      event,
      ...(key ? { key } : {}),
    },
    ctx.logger,
  );
}
