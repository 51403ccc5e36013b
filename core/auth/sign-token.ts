// Signs dispatcher tokens: one signer for login and refresh, capping every token at the session's maximum age.
import { SignJWT } from 'jose';
import type { Role } from '../domain/credentials.ts';
import { systemClock, type Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import type { AuthConfig } from './auth-config.ts';
import { signingKeyFor } from './token-keys.ts';

/** What a token asserts. `authTime` omitted means a password login happening now. */
export interface TokenClaims {
  sub: string;
  org: string;
  role: Role;
  /** `auth_time` of the session being refreshed, unix seconds (kept unchanged across refreshes). */
  authTime?: number;
}

export interface IssuedToken {
  token: string;
  /** Expiry, unix seconds. */
  exp: number;
  /** Seconds from now until `exp` (what login and refresh report). */
  expiresIn: number;
}

/**
 * Signs a token valid for `ttlSecs` (default `tokenTtlSecs`) but never past `auth_time + maxSessionSecs`; a session
 * already past that raises `AppError('session_expired')`.
 */
export type TokenSigner = (claims: TokenClaims, ttlSecs?: number) => Promise<IssuedToken>;

export async function createTokenSigner(
  config: AuthConfig,
  clock: Clock = systemClock,
): Promise<TokenSigner> {
  const { key: signingKey, alg } = await signingKeyFor(config);
  return async (claims, ttlSecs = config.tokenTtlSecs) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const authTime = claims.authTime ?? now;
    const sessionEnd = authTime + config.maxSessionSecs;
    if (sessionEnd <= now) {
      throw new AppError('session_expired', 'the session reached its maximum age; sign in again');
    }
    const exp = Math.min(now + ttlSecs, sessionEnd);
    const token = await new SignJWT({ org: claims.org, role: claims.role, auth_time: authTime })
      .setProtectedHeader({ alg, typ: 'JWT', ...(config.keyId ? { kid: config.keyId } : {}) })
      .setSubject(claims.sub)
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(signingKey);
    return { token, exp, expiresIn: exp - now };
  };
}
