// GET /audit (admins: the org's whole trail, filtered) and GET /calls/{id}/audit (the org's users: one call's entries).
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { AUDIT_ACTIONS, AUDIT_LIMITS } from '../../core/domain/audit.ts';
import type { AuditLog, AuditQuery } from '../../core/ports/audit-log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { ListAuditResponse } from '../../core/protocol/rest-api.ts';
import { AppError } from '../../core/support/errors.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { ownedCall, withAuth } from './authenticate.ts';
import { invalid, pageQuery, queryObject, validate } from './request-input.ts';

export interface AuditApiDeps {
  verifyToken: TokenVerifier;
  audit: AuditLog;
  store: CallStore;
}

/** An ISO 8601 date-time with offset, normalized to UTC `toISOString()` form (how entries store `at`). */
const isoInstant = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 date-time',
  )
  .transform((s) => new Date(s).toISOString());

const id = z.string().regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be an id (letters, digits, _.:@-)');

const listQuery = pageQuery(AUDIT_LIMITS.pageMax).extend({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  actor: id.optional(),
  action: z.enum(AUDIT_ACTIONS, { error: 'must be an audit action' }).optional(),
  callId: id.optional(),
  campaignId: id.optional(),
});

const callQuery = pageQuery(AUDIT_LIMITS.pageMax);

/**
 * The org's audit trail, newest first, filtered (AND) by `from` (inclusive), `to` (exclusive), `actor`, `action`,
 * `callId`, `campaignId`; `nextCursor` pages on with the same filters. Admins only (403 `forbidden` otherwise): the
 * trail spans every user's actions and the integration settings.
 */
export function createListAuditHandler(deps: AuditApiDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    if (principal.role !== 'admin') throw new AppError('forbidden', 'the audit trail is for admins');
    const q = validate(listQuery, queryObject(req.query), 'query');
    if (q.from && q.to && q.from >= q.to) {
      throw invalid([{ field: 'query.to', problem: 'must be later than from' }]);
    }
    const query: AuditQuery = {
      limit: q.limit ?? AUDIT_LIMITS.pageDefault,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.callId ? { callId: q.callId } : {}),
      ...(q.campaignId ? { campaignId: q.campaignId } : {}),
    };
    const page = await deps.audit.query(principal.org, query);
    return json(200, {
      entries: page.entries,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListAuditResponse);
  });
}

/**
 * One call's entries (who triggered, took over or ended it; what the providers changed), newest first, for every
 * user of the call's org (dispatchers see the call itself, so they see who acted on it); 404 when unknown or
 * another org's.
 */
export function createCallAuditHandler(deps: AuditApiDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const call = await ownedCall(deps.store, principal, req.params.callId ?? '');
    const q = validate(callQuery, queryObject(req.query), 'query');
    const page = await deps.audit.query(principal.org, {
      callId: call.callId,
      limit: q.limit ?? AUDIT_LIMITS.pageDefault,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      entries: page.entries,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListAuditResponse);
  });
}
