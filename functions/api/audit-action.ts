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
 *
 * Live intervention (`interventions.ts`, branch l-takeover) records with it once `takeOver` / `end` succeeded —
 * `{ action: 'call.taken_over', target: { callId }, details: { phoneSource } }` keyed `call.taken_over:<callId>`,
 * `{ action: 'call.ended', target: { callId }, details: {} }` keyed `call.ended:<callId>` (each happens once a call).
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
