// POST /auth/refresh over real HTTP: same user and session, accepted by the API and the relay, capped by auth_time.
import { randomBytes } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenResponse } from '../../core/protocol/rest-api.ts';
import { createTokenVerifier } from '../../core/auth/verify-token.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { startRelay, TestSocket, type RelayFixture } from '../../services/relay/relay.test-kit.ts';
import { ORG, startApiStack, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; message: string } };

const MAX_SESSION_SECS = 7200;
const nowSecs = () => Math.floor(Date.now() / 1000);

describe.each(backends)('POST /auth/refresh on %s', (backend) => {
  let stack: ApiStack;
  let relay: RelayFixture;
  let secret: Uint8Array;
  beforeAll(async () => {
    const jwtSecret = randomBytes(32).toString('base64url');
    secret = new TextEncoder().encode(jwtSecret);
    stack = await startApiStack({
      backend,
      env: { JWT_SECRET: jwtSecret, JWT_MAX_SESSION_SECS: String(MAX_SESSION_SECS) },
    });
    relay = await startRelay(
      backend,
      {},
      {
        backend: stack.backend,
        verifyToken: createTokenVerifier(stack.config.auth),
      },
    );
  });
  afterAll(async () => {
    await relay?.close();
    await stack?.close();
  });

  const refresh = (token?: string) => stack.request('POST', '/auth/refresh', token ? { token } : {});

  /** A token signed with the stack's secret, as login would issue it but with chosen claims. */
  const sign = (claims: { authTime?: number; exp?: number; iat?: number } = {}) => {
    const jwt = new SignJWT({
      org: ORG,
      role: 'admin',
      ...(claims.authTime === undefined ? {} : { auth_time: claims.authTime }),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('usr_refresh')
      .setIssuer('callrelay')
      .setAudience('callrelay-dispatch')
      .setExpirationTime(claims.exp ?? nowSecs() + 600);
    return (claims.iat === undefined ? jwt : jwt.setIssuedAt(claims.iat)).sign(secret);
  };

  it('returns a token for the same user and session that /calls and the relay accept', async () => {
    const token = await stack.login(ORG, 'admin');
    const before = decodeJwt(token);
    const res = await refresh(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.body as TokenResponse;
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const after = decodeJwt(body.token);
    expect(after).toMatchObject({
      sub: before.sub,
      org: ORG,
      role: 'admin',
      auth_time: before.auth_time,
      iss: 'callrelay',
      aud: 'callrelay-dispatch',
    });
    expect(after.exp).toBeGreaterThanOrEqual(before.exp!);

    expect((await stack.request('GET', '/calls', { token: body.token })).status).toBe(200);
    expect(await stack.deps.verifyToken(body.token)).toMatchObject({
      sub: before.sub,
      org: ORG,
      role: 'admin',
      authTime: before.auth_time,
    });
    // A fresh socket takes it, and an open socket keeps going when it arrives in-band.
    (await TestSocket.open(relay.url, body.token)).close();
    const socket = await TestSocket.open(relay.url, token);
    try {
      const again = (await refresh(token)).body as TokenResponse;
      socket.send({ type: 'auth', token: again.token });
      const authenticated = () => socket.messages.filter((m) => m.type === 'authenticated');
      await socket.waitFor(() => authenticated().length === 2);
      expect(authenticated()[1]).toEqual({
        type: 'authenticated',
        sub: before.sub,
        org: ORG,
        exp: decodeJwt(again.token).exp,
      });
      const outcome = await Promise.race([
        socket.closed,
        new Promise((r) => setTimeout(() => r('open'), 200)),
      ]);
      expect(outcome).toBe('open');
    } finally {
      socket.close();
    }
  });

  it('gives a later exp, keeping auth_time, and refreshes a refreshed token', async () => {
    const authTime = nowSecs() - 60;
    const old = await sign({ authTime, exp: nowSecs() + 30 });
    const first = (await refresh(old)).body as TokenResponse;
    expect(decodeJwt(first.token).exp).toBeGreaterThan(decodeJwt(old).exp!);
    expect(decodeJwt(first.token).auth_time).toBe(authTime);
    const second = await refresh(first.token);
    expect(second.status).toBe(200);
    expect(decodeJwt((second.body as TokenResponse).token).auth_time).toBe(authTime);
  });

  it('caps exp at auth_time + JWT_MAX_SESSION_SECS', async () => {
    const authTime = nowSecs() - MAX_SESSION_SECS + 120;
    const res = await refresh(await sign({ authTime }));
    expect(res.status).toBe(200);
    const body = res.body as TokenResponse;
    expect(decodeJwt(body.token).exp).toBe(authTime + MAX_SESSION_SECS);
    expect(body.expiresIn).toBeGreaterThan(100);
    expect(body.expiresIn).toBeLessThanOrEqual(120);
  });

  it('uses iat as the login time of a token without auth_time', async () => {
    const iat = nowSecs() - 30;
    const res = await refresh(await sign({ iat }));
    expect(res.status).toBe(200);
    expect(decodeJwt((res.body as TokenResponse).token).auth_time).toBe(iat);
  });

  it.each([
    ['past the maximum session age', () => sign({ authTime: nowSecs() - MAX_SESSION_SECS - 1 })],
    ['exactly at it', () => sign({ authTime: nowSecs() - MAX_SESSION_SECS })],
    ['with no auth_time and no iat', () => sign()],
  ])('a still-valid token %s → 401 session_expired', async (_name, makeToken) => {
    const token = await makeToken();
    expect((await stack.request('GET', '/calls', { token })).status).toBe(200);
    const res = await refresh(token);
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe('session_expired');
  });

  it.each([
    ['missing', 'unauthorized', async () => undefined],
    ['garbage', 'unauthorized', async () => 'not-a-jwt'],
    ['expired', 'token_expired', () => sign({ authTime: nowSecs() - 600, exp: nowSecs() - 5 })],
    [
      'signed with another key',
      'unauthorized',
      () =>
        new SignJWT({ org: ORG, role: 'dispatcher', auth_time: nowSecs() })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('usr_refresh')
          .setIssuer('callrelay')
          .setAudience('callrelay-dispatch')
          .setExpirationTime(nowSecs() + 600)
          .sign(randomBytes(32)),
    ],
  ])('%s token → 401 %s', async (_name, code, makeToken) => {
    const res = await refresh(await makeToken());
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe(code);
  });
});
