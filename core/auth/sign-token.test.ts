// The session rules of the signer: auth_time set at login, kept on refresh, exp capped by it.
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import { parseAuthConfig, type AuthConfig } from './auth-config.ts';
import { createTokenSigner } from './sign-token.ts';
import { createTokenVerifier } from './verify-token.ts';

describe('token signer and verifier', () => {
  const config: AuthConfig = {
    ...parseAuthConfig({ JWT_SECRET: randomBytes(32).toString('base64url') }),
    tokenTtlSecs: 3600,
    maxSessionSecs: 43_200,
  };
  const verify = createTokenVerifier(config);
  const user = { sub: 'usr_1', org: 'org-a', role: 'dispatcher' } as const;
  /** A settable clock in unix seconds; tests start it at real time because the verifier checks `exp` against it. */
  const clockAt = (start: number): Clock & { set(secs: number): void } => {
    let now = start;
    return { now: () => new Date(now * 1000), set: (secs) => (now = secs) };
  };
  const start = Math.floor(Date.now() / 1000);

  it('a login token carries auth_time = now, and the principal exposes it', async () => {
    const sign = await createTokenSigner(config, clockAt(start));
    const issued = await sign(user);
    expect(issued).toMatchObject({ exp: start + 3600, expiresIn: 3600 });
    expect(decodeJwt(issued.token)).toMatchObject({ auth_time: start, iat: start, exp: start + 3600 });
    expect(await verify(issued.token)).toEqual({ ...user, exp: start + 3600, authTime: start });
  });

  it('a refresh keeps auth_time and gets a full lifetime while the session allows it', async () => {
    const clock = clockAt(start);
    const sign = await createTokenSigner(config, clock);
    clock.set(start + 7200);
    const issued = await sign({ ...user, authTime: start - 100 });
    expect(issued.expiresIn).toBe(3600);
    expect(decodeJwt(issued.token)).toMatchObject({ auth_time: start - 100, exp: start + 7200 + 3600 });
  });

  it('never issues a token past auth_time + maxSessionSecs', async () => {
    const clock = clockAt(start + 43_200 - 600);
    const sign = await createTokenSigner(config, clock);
    const issued = await sign({ ...user, authTime: start });
    expect(issued).toMatchObject({ exp: start + 43_200, expiresIn: 600 });
    expect(decodeJwt(issued.token).exp).toBe(start + 43_200);
  });

  it.each([
    ['at the maximum age', 43_200],
    ['past it', 50_000],
  ])('refuses a session %s with session_expired', async (_name, age) => {
    const sign = await createTokenSigner(config, clockAt(start + age));
    const refused = sign({ ...user, authTime: start });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'session_expired', httpStatus: 401 });
  });

  it('caps a login token too when JWT_TTL_SECS exceeds the maximum session age', async () => {
    const sign = await createTokenSigner({ ...config, tokenTtlSecs: 86_400 }, clockAt(start));
    expect(await sign(user)).toMatchObject({ exp: start + 43_200, expiresIn: 43_200 });
  });
});
