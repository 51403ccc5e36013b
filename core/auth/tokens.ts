// Dispatcher tokens: one verifier shared by the relay and the API, one signer for login and refresh. Built on jose.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { systemClock, type Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import { ConfigError, integer, optionalString, stringWithDefault, type Env } from '../support/config.ts';

import { MAX_TOKEN_LENGTH, ROLES, type Role } from '../domain/credentials.ts';

/** Who is calling, from a verified token. */
export interface Principal {
  sub: string;
  org: string;
  role: Role;
  /** Expiry, unix seconds. */
  exp: number;
  /**
   * When the user last proved their password, unix seconds: the `auth_time` claim, else `iat` (tokens of another
   * issuer in JWKS mode may lack `auth_time`; their login cannot be later than their issue). Absent when the token
   * has neither: its login time is unknown, so it works until `exp` but is never refreshed (`session_expired`).
   */
  authTime?: number;
}

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

/**
 * `jwtVerify` bound to the configured keys (HS secret, or the key set), shared by dispatcher tokens and relay tickets;
 * each caller passes its own issuer, audience and type checks.
 */
export function verificationKey(
  config: AuthConfig,
  options: { jwks?: { keys: unknown[] } } = {},
): (token: string, verifyOptions: JWTVerifyOptions) => Promise<{ payload: JWTPayload }> {
  const key = options.jwks
    ? createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0])
    : config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000 })
      : undefined;
  const secret = config.secret;
  if (key) return (token, verifyOptions) => jwtVerify(token, key, verifyOptions);
  if (secret) return (token, verifyOptions) => jwtVerify(token, secret, verifyOptions);
  throw new TypeError('auth config needs a secret or a JWKS');
}

/** The principal a verified payload asserts; `unauthorized` when a claim callrelay needs is missing or invalid. */
export function principalFrom(payload: JWTPayload): Principal {
  const { sub, exp, iat } = payload;
  const org = payload.org;
  const role = payload.role;
  if (typeof sub !== 'string' || !sub) throw new AppError('unauthorized', 'token has no sub');
  if (typeof exp !== 'number') throw new AppError('unauthorized', 'token has no exp');
  if (typeof org !== 'string' || !org) throw new AppError('unauthorized', 'token has no org');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new AppError('unauthorized', 'token has no valid role');
  }
  const authTime = isUnixTime(payload.auth_time) ? payload.auth_time : isUnixTime(iat) ? iat : undefined;
  return { sub, org, role: role as Role, exp, ...(authTime === undefined ? {} : { authTime }) };
}

function isUnixTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

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

/** The key tokens (and relay tickets) are signed with, and its algorithm. */
export async function signingKeyFor(
  config: AuthConfig,
): Promise<{ key: CryptoKey | Uint8Array; alg: string }> {
  if (config.secret) return { key: config.secret, alg: 'HS256' };
  if (config.privateKeyPem) {
    const alg = config.algorithms[0] ?? 'RS256';
    return { key: await importPKCS8(config.privateKeyPem, alg), alg };
  }
  throw new ConfigError('JWT_PRIVATE_KEY', 'is required to issue tokens when JWT_JWKS_URL is set');
}

/** Extracts a bearer token from an `Authorization` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}
