// Bearer-token authentication of API routes with the verifier the relay uses, and org-scoped call lookup.
import { bearerToken } from '../../core/auth/bearer.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { Call } from '../../core/domain/call.ts';
import { AppError } from '../../core/support/errors.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import { isCallId } from '../../core/domain/call-id.ts';
import type { HttpHandler, HttpRequest, RequestContext, HttpResponse } from '../http/http-types.ts';

export type AuthedHandler = (
  req: HttpRequest,
  ctx: RequestContext,
  principal: Principal,
) => Promise<HttpResponse>;

/**
 * Wraps a handler so it only runs with a valid token: missing/malformed → 401 `unauthorized`, expired → 401
 * `token_expired` (the relay uses the same verifier and codes).
 */
export function withAuth(verify: TokenVerifier, handler: AuthedHandler): HttpHandler {
  return async (req, ctx) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'Authorization: Bearer <token> is required');
    const principal = await verify(token);
    return handler(
      req,
      { ...ctx, logger: ctx.logger.child({ org: principal.org, sub: principal.sub }) },
      principal,
    );
  };
}

/** The call if it exists and belongs to the caller's org; otherwise 404 with no hint which of the two it was. */
export async function ownedCall(store: CallStore, principal: Principal, callId: string): Promise<Call> {
  const call = isCallId(callId) ? await store.getCall(callId) : null;
  if (!call || call.orgId !== principal.org) throw new AppError('not_found', 'call not found');
  return call;
}
