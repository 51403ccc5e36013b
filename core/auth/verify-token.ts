// Verifies dispatcher tokens: one verifier shared by the relay and the API. Built on jose.
import { errors, type JWTPayload } from 'jose';
import { MAX_TOKEN_LENGTH } from '../domain/credentials.ts';
import { AppError } from '../support/errors.ts';
import type { AuthConfig } from './auth-config.ts';
import { principalFrom, type Principal } from './principal.ts';
import { verificationKey } from './token-keys.ts';

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Verifies signature, `alg` (from the configured list only), `iss`, `aud`, `exp`, and the claims callrelay needs.
 * Failures raise `AppError('token_expired')` for an expired token and `AppError('unauthorized')` for anything else.
 */
export function createTokenVerifier(
  config: AuthConfig,
  options: { jwks?: { keys: unknown[] } } = {},
): TokenVerifier {
  const verifyWith = verificationKey(config, options);
  return async (token) => {
    if (!token || token.length > MAX_TOKEN_LENGTH)
      throw new AppError('unauthorized', 'missing or malformed token');
    let payload: JWTPayload;
    try {
      ({ payload } = await verifyWith(token, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new AppError('token_expired', 'token expired', { cause: err });
      throw new AppError('unauthorized', 'invalid token', { cause: err });
    }
    return principalFrom(payload);
  };
}
