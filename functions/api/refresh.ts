// POST /auth/refresh: a valid token → a fresh one for the same user and session, until the session's maximum age.
import type { TokenSigner } from '../../core/auth/sign-token.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { AppError } from '../../core/support/errors.ts';
import type { TokenResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';

export interface RefreshDeps {
  verifyToken: TokenVerifier;
  signToken: TokenSigner;
}

/**
 * Needs a valid, unexpired token (the verifier of every route: expired → 401 `token_expired`). The new token keeps
 * `sub`, `org`, `role` and `auth_time`, so a chain of refreshes never outlives `auth_time + JWT_MAX_SESSION_SECS`;
 * past that, or for a token with no known login time, 401 `session_expired` (the client asks for the password).
 */
export function createRefreshHandler(deps: RefreshDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (_req, { logger }, principal) => {
    if (principal.authTime === undefined) {
      throw new AppError('session_expired', 'the token does not say when its session began; sign in again');
    }
    const { token, expiresIn } = await deps.signToken({
      sub: principal.sub,
      org: principal.org,
      role: principal.role,
      authTime: principal.authTime,
    });
    logger.info('token refreshed', { authTime: principal.authTime, expiresIn });
    return json(200, { token, tokenType: 'Bearer', expiresIn } satisfies TokenResponse, {
      'cache-control': 'no-store',
    });
  });
}
