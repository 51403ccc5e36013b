// Token settings (issuer, audience, keys, lifetimes), parsed once from `JWT_*`; shared by tokens and relay tickets.
import { ConfigError, integer, optionalString, stringWithDefault, type Env } from '../support/config.ts';

export interface AuthConfig {
  issuer: string;
  audience: string;
  /** HS256 shared secret (default mode). */
  secret?: Uint8Array;
  /** Asymmetric mode: verify against this JWKS. */
  jwksUrl?: string;
  /** Asymmetric mode: PKCS#8 PEM private key for signing (login), with its algorithm. */
  privateKeyPem?: string;
  /** Algorithms accepted on verify; `none` is never accepted. */
  algorithms: string[];
  /** Lifetime of tokens issued by login and refresh. */
  tokenTtlSecs: number;
  /**
   * Longest a session lives from its password login (`auth_time`): no token, refreshed or not, expires later than
   * `auth_time + maxSessionSecs`; past it, refresh answers `session_expired` and the user signs in again.
   */
  maxSessionSecs: number;
  /** `kid` put in the header of signed tokens (asymmetric mode). */
  keyId?: string;
}

/** Default `JWT_MAX_SESSION_SECS`: 12 hours, one dispatch shift; then the password is asked again. */
export const DEFAULT_MAX_SESSION_SECS = 43_200;
/** Bounds of `JWT_MAX_SESSION_SECS`: at least 5 minutes (a usable session), at most 7 days. */
export const MAX_SESSION_LIMITS = { min: 300, max: 604_800 } as const;

/** Reads `JWT_*`: HS256 with `JWT_SECRET`, or asymmetric with `JWT_JWKS_URL`; throws `ConfigError` naming the variable. */
export function parseAuthConfig(env: Env = process.env): AuthConfig {
  const issuer = stringWithDefault(env, 'JWT_ISSUER', 'callrelay');
  const audience = stringWithDefault(env, 'JWT_AUDIENCE', 'callrelay-dispatch');
  const tokenTtlSecs = integer(env, 'JWT_TTL_SECS', 3600, { min: 60, max: 86_400 });
  const maxSessionSecs = integer(env, 'JWT_MAX_SESSION_SECS', DEFAULT_MAX_SESSION_SECS, MAX_SESSION_LIMITS);
  const jwksUrl = optionalString(env, 'JWT_JWKS_URL');
  if (jwksUrl) {
    const algorithms = (optionalString(env, 'JWT_ALGORITHMS') ?? 'RS256,ES256')
      .split(',')
      .map((a) => a.trim());
    if (algorithms.some((a) => a.toLowerCase() === 'none' || a.startsWith('HS'))) {
      throw new ConfigError(
        'JWT_ALGORITHMS',
        'must list asymmetric algorithms only when JWT_JWKS_URL is set',
      );
    }
    const privateKeyPem = optionalString(env, 'JWT_PRIVATE_KEY');
    const keyId = optionalString(env, 'JWT_KEY_ID');
    return {
      issuer,
      audience,
      jwksUrl,
      algorithms,
      tokenTtlSecs,
      maxSessionSecs,
      ...(privateKeyPem ? { privateKeyPem: privateKeyPem.replace(/\\n/g, '\n') } : {}),
      ...(keyId ? { keyId } : {}),
    };
  }
  const secret = optionalString(env, 'JWT_SECRET');
  if (!secret) throw new ConfigError('JWT_SECRET', 'is required (or set JWT_JWKS_URL)');
  if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  return {
    issuer,
    audience,
    secret: new TextEncoder().encode(secret),
    algorithms: ['HS256'],
    tokenTtlSecs,
    maxSessionSecs,
  };
}
