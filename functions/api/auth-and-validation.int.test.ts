// Login (good, bad, throttled), token checks on every route, and the trigger's validation table, over real HTTP.
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { OTHER_ORG, startApiStack, triggerBody, type ApiStack } from './api-test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; message: string; details?: { field: string; problem: string }[] } };

describe.each(backends)('POST /auth/login on %s', (backend) => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack({ backend });
    await stack.createUser('Dana@Example.com', 'correct horse battery');
  });
  afterAll(() => stack.close());

  const login = (email: string, password: string, ip = '203.0.113.7') =>
    stack.request('POST', '/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

  it('issues a token the API accepts', async () => {
    const res = await login(' dana@example.com ', 'correct horse battery');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const { token } = res.body as { token: string };
    expect((await stack.request('GET', '/calls', { token })).status).toBe(200);
    const principal = await stack.deps.verifyToken(token);
    expect(principal).toMatchObject({ org: 'org-acme', role: 'dispatcher' });
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await login('dana@example.com', 'wrong password', '198.51.100.1');
    const unknown = await login('nobody@example.com', 'wrong password', '198.51.100.1');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect((res.body as ErrorBody).error).toEqual({
        code: 'invalid_credentials',
        message: 'email or password is incorrect',
      });
    }
  });

  it('throttles repeated failures per email + IP with 429 and Retry-After', async () => {
    const ip = '192.0.2.55';
    for (let i = 0; i < 5; i++) expect((await login('dana@example.com', `guess ${i}`, ip)).status).toBe(401);
    const locked = await login('dana@example.com', 'correct horse battery', ip);
    expect(locked.status).toBe(429);
    expect((locked.body as ErrorBody).error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another client IP is not locked out by the attacker's failures.
    expect((await login('dana@example.com', 'correct horse battery', '192.0.2.99')).status).toBe(200);
  });

  it('counts parallel wrong guesses before checking them: at most the limit get through', async () => {
    const ip = '192.0.2.77';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login('dana@example.com', `parallel guess ${i}`, ip)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it.each([
    ['no body', undefined, 415],
    ['not JSON', '{"email":', 400],
    ['missing password', JSON.stringify({ email: 'dana@example.com' }), 422],
  ])('rejects %s', async (_name, rawBody, status) => {
    const res = await stack.request('POST', '/auth/login', {
      ...(rawBody !== undefined ? { rawBody, headers: { 'content-type': 'application/json' } } : {}),
    });
    expect(res.status).toBe(status);
  });
});

describe('every protected route rejects bad tokens', () => {
  let stack: ApiStack;
  let callId: string;
  let conversationId: string;
  let secret: Uint8Array;
  let foreign: string;
  beforeAll(async () => {
    const jwtSecret = randomBytes(32).toString('base64url');
    secret = new TextEncoder().encode(jwtSecret);
    stack = await startApiStack({
      backend: 'memory',
      env: { DIAL_MODE: 'elevenlabs', JWT_SECRET: jwtSecret },
    });
    const token = await stack.login();
    const created = await stack.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: triggerBody(),
    });
    ({ callId, conversationId } = created.body as { callId: string; conversationId: string });
    await stack.settle();
    foreign = await stack.login(OTHER_ORG);
  });
  afterAll(() => stack.close());

  const sign = (claims: Record<string, unknown>, key = secret) =>
    new SignJWT({ org: 'org-acme', role: 'dispatcher', ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('usr_1')
      .setIssuer('callrelay')
      .setAudience('callrelay-dispatch')
      .setExpirationTime((claims.exp as number | undefined) ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key);

  const routes = (): [string, string, unknown?][] => [
    ['POST', '/auth/refresh'],
    ['POST', '/driver_data/call-elevenlabs', triggerBody()],
    ['POST', `/driver_data/conversations/${conversationId}/fetch`],
    ['GET', '/calls'],
    ['GET', `/calls/${callId}`],
    ['GET', `/calls/${callId}/events`],
  ];

  it.each([
    ['missing', async () => undefined, 'unauthorized'],
    ['garbage', async () => 'not-a-jwt', 'unauthorized'],
    ['expired', () => sign({ exp: Math.floor(Date.now() / 1000) - 60 }), 'token_expired'],
    ['wrong key', () => sign({}, new TextEncoder().encode('x'.repeat(40))), 'unauthorized'],
    ['no org', () => sign({ org: undefined }), 'unauthorized'],
  ])('%s token → 401', async (_name, makeToken, code) => {
    const token = await makeToken();
    for (const [method, path, body] of routes()) {
      const res = await stack.request(method, path, {
        ...(token ? { token } : {}),
        ...(body ? { body } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((res.body as ErrorBody).error.code, `${method} ${path}`).toBe(code);
    }
  });

  it('a token of another org sees nothing of this org (404, no hint)', async () => {
    for (const path of [`/calls/${callId}`, `/calls/${callId}/events`]) {
      const res = await stack.request('GET', path, { token: foreign });
      expect(res.status).toBe(404);
      expect((res.body as ErrorBody).error).toEqual({ code: 'not_found', message: 'call not found' });
    }
    const fetched = await stack.request('POST', `/driver_data/conversations/${conversationId}/fetch`, {
      token: foreign,
    });
    expect(fetched.status).toBe(404);
    const list = await stack.request('GET', `/calls?conversationId=${conversationId}`, { token: foreign });
    expect(list.body).toEqual({ calls: [] });
    // Indistinguishable from a call that does not exist at all.
    const missing = await stack.request('GET', '/calls/call_doesnotexist', { token: foreign });
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'call not found' } });
  });
});

describe('POST /driver_data/call-elevenlabs validation', () => {
  let stack: ApiStack;
  let token: string;
  beforeAll(async () => {
    stack = await startApiStack({ backend: 'memory' });
    token = await stack.login();
  });
  afterAll(() => stack.close());

  const eleven = Array.from({ length: 11 }, () => ({ type: 'reminder', description: 'Send pictures' }));
  it.each([
    ['phone without +', { phoneNumber: '15551234567' }, 'phoneNumber'],
    ['phone with spaces', { phoneNumber: '+1 555 123 4567' }, 'phoneNumber'],
    ['phone too long', { phoneNumber: '+1234567890123456' }, 'phoneNumber'],
    ['phone leading zero', { phoneNumber: '+0555123456' }, 'phoneNumber'],
    ['no triggers', { violations: [] }, 'violations'],
    ['11 triggers', { violations: eleven }, 'violations'],
    ['unknown trigger type', { violations: [{ type: 'warning', description: 'x' }] }, 'violations.0.type'],
    [
      'empty description',
      { violations: [{ type: 'violation', description: '  ' }] },
      'violations.0.description',
    ],
    [
      'description too long',
      { violations: [{ type: 'violation', description: 'x'.repeat(501) }] },
      'violations.0.description',
    ],
    ['driverName too long', { driverName: 'x'.repeat(101) }, 'driverName'],
    ['driverId missing', { driverId: undefined }, 'driverId'],
    ['driverId not a string', { driverId: 42 }, 'driverId'],
    ['bad timezone', { timezone: 'Mars/Olympus' }, 'timezone'],
  ])('%s → 422 naming %s', async (_name, override, field) => {
    const res = await stack.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: triggerBody(override),
    });
    expect(res.status).toBe(422);
    const error = (res.body as ErrorBody).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details?.map((d) => d.field)).toEqual([field]);
    expect(res.text).not.toContain('+1 555');
  });

  it('lists every invalid field at once', async () => {
    const res = await stack.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: { driverId: '', phoneNumber: 'call me', violations: 'lots' },
    });
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error.details?.map((d) => d.field).sort()).toEqual(
      ['driverId', 'driverName', 'phoneNumber', 'violations'].sort(),
    );
  });

  it.each([
    [
      'not JSON',
      { rawBody: '{nope', headers: { 'content-type': 'application/json' } },
      400,
      'invalid_payload',
    ],
    [
      'a JSON array',
      { rawBody: '[]', headers: { 'content-type': 'application/json' } },
      422,
      'validation_failed',
    ],
    [
      'form encoded',
      { rawBody: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a bad Idempotency-Key',
      { body: triggerBody(), headers: { 'idempotency-key': 'has spaces in it' } },
      422,
      'validation_failed',
    ],
  ])('%s → %i %s', async (_name, options, status, code) => {
    const res = await stack.request('POST', '/driver_data/call-elevenlabs', { token, ...options });
    expect(res.status).toBe(status);
    expect((res.body as ErrorBody).error.code).toBe(code);
  });

  it.each([
    ['/calls?status=ringingish', 'query.status'],
    ['/calls?limit=0', 'query.limit'],
    ['/calls?limit=101', 'query.limit'],
    ['/calls?active=yes', 'query.active'],
    ['/calls/call_x/events?afterSeq=-1', 'query.afterSeq'],
    ['/calls/call_x/events?limit=501', 'query.limit'],
  ])('GET %s → 422 naming %s', async (path, field) => {
    const res = await stack.request('GET', path, { token });
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error.details?.map((d) => d.field)).toEqual([field]);
  });

  it('a malformed cursor is a 400, never a 500', async () => {
    const res = await stack.request('GET', '/calls?cursor=%%%', { token });
    expect(res.status).toBe(400);
  });
});
