// /suppressions: the caller's org's do-not-call list — list it, add a number by hand, remove an entry.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { E164_PATTERN } from '../../core/domain/phone-number.ts';
import type { SuppressionList } from '../../core/ports/suppression-list.ts';
import type { AddSuppressionRequest, ListSuppressionsResponse } from '../../core/protocol/rest-api.ts';
import type { Clock } from '../../core/support/clock.ts';
import { AppError } from '../../core/support/errors.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import { jsonBody, pageQuery, queryObject, resourceId, validate } from './request-input.ts';
import { auditAction } from './audit-action.ts';
import type { AuditDeps } from '../../core/operations/record-audit.ts';

/** Limits of `/suppressions` (also in docs/openapi.yaml). */
export const SUPPRESSION_LIMITS = { noteMax: 500, pageDefault: 50, pageMax: 200 } as const;

export interface SuppressionsDeps extends AuditDeps {
  verifyToken: TokenVerifier;
  suppressions: SuppressionList;
  clock: Clock;
}

const addSchema = z.object({
  phoneNumber: z
    .string({ error: 'must be a string' })
    .regex(E164_PATTERN, 'must be an E.164 number such as +15551234567'),
  note: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(SUPPRESSION_LIMITS.noteMax, `is longer than ${SUPPRESSION_LIMITS.noteMax} characters`)
    .optional(),
});

const listQuery = pageQuery(SUPPRESSION_LIMITS.pageMax);

/** Newest first, with the numbers: it is the org's own list. */
export function createListSuppressionsHandler(deps: SuppressionsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(listQuery, queryObject(req.query), 'query');
    const page = await deps.suppressions.list(principal.org, {
      limit: q.limit ?? SUPPRESSION_LIMITS.pageDefault,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      suppressions: page.suppressions,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListSuppressionsResponse);
  });
}

/**
 * 201 with the new entry (reason `manual`, `createdBy` the caller); 200 with the stored entry, unchanged, when the
 * number is already listed (by anyone, for any reason).
 */
export function createAddSuppressionHandler(deps: SuppressionsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, ctx, principal) => {
    const input: AddSuppressionRequest = validate(addSchema, jsonBody(req));
    const { suppression, created } = await deps.suppressions.add({
      orgId: principal.org,
      phoneNumber: input.phoneNumber,
      reason: 'manual',
      ...(input.note ? { note: input.note } : {}),
      createdBy: principal.sub,
      createdAt: deps.clock.now().toISOString(),
    });
    // Only a new entry is recorded (adding a listed number changes nothing); the id stands for the number.
    if (created) {
      await auditAction(deps, ctx, principal, {
        action: 'suppression.added',
        target: { suppressionId: suppression.suppressionId },
        details: { reason: suppression.reason },
      });
    }
    return json(created ? 201 : 200, suppression);
  });
}

/** 204 once removed (the number may be dialed again); 404 when unknown or another org's. */
export function createRemoveSuppressionHandler(deps: SuppressionsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, ctx, principal) => {
    const suppressionId = resourceId(req, 'suppressionId', 'suppression');
    if (!(await deps.suppressions.remove(principal.org, suppressionId))) {
      throw new AppError('not_found', 'suppression not found');
    }
    await auditAction(deps, ctx, principal, {
      action: 'suppression.removed',
      target: { suppressionId },
      details: {},
    });
    return { status: 204 };
  });
}
