// The principal the verifier derives from a token of another signer: when the user last proved their password.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseAuthConfig, type AuthConfig } from './auth-config.ts';
import { createTokenVerifier } from './verify-token.ts';

describe('token verifier', () => {
  const config: AuthConfig = {
    ...parseAuthConfig({ JWT_SECRET: randomBytes(32).toString('base64url') }),
    tokenTtlSecs: 3600,
    maxSessionSecs: 43_200,
  };
  const verify = createTokenVerifier(config);
  const start = Math.floor(Date.now() / 1000);

  const foreign = (claims: Record<string, unknown>, iat?: number) => {
    const jwt = new SignJWT({ org: 'org-a', role: 'dispatcher', ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('usr_1')
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setExpirationTime(start + 600);
    return (iat === undefined ? jwt : jwt.setIssuedAt(iat)).sign(config.secret!);
  };

  it.each([
    ['auth_time wins over iat', { auth_time: start - 500 }, start - 10, start - 500],
    ['iat when there is no auth_time', {}, start - 10, start - 10],
    ['iat when auth_time is not a number', { auth_time: 'yesterday' }, start - 10, start - 10],
    ['nothing when neither is present', {}, undefined, undefined],
  ])('principal authTime: %s', async (_name, claims, iat, expected) => {
    const principal = await verify(await foreign(claims, iat));
    expect(principal.authTime).toBe(expected);
    expect('authTime' in principal).toBe(expected !== undefined);
  });
});
