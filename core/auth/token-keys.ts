// The keys tokens and relay tickets are signed and verified with (HS secret, PKCS#8 key, or a JWKS), from AuthConfig.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  importPKCS8,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { ConfigError } from '../support/config.ts';
import type { AuthConfig } from './auth-config.ts';

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
