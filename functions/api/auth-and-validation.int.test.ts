// Login (good, bad, throttled), token checks on every route, and the trigger's validation table, over real HTTP.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../core/support/clock.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { OTHER_ORG, startApiStack, triggerBody, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; message: string; details?: { field: string; problem: string }[] } };

/** A clock the test moves by hand, starting now (tokens it dates stay valid for the real verifier). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

describe.each(backends)('POST /auth/login on %s', (backend) => {
  let stack: ApiStack;
  const clock = manualClock();
  beforeAll(async () => {
    // Default TRUSTED_PROXY_HOPS (0): the client is the socket peer; each test connects from its own 127.x address.
    stack = await startApiStack({ backend, clock });
    await stack.createUser('Dana@Example.com', 'correct horse battery');
  });
  afterAll(() => stack.close());

  const login = (from: string, email: string, password: string, forwardedFor?: string) =>
    stack.requestFrom(from, 'POST', '/auth/login', {
      body: { email, password },
      ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
    });

  it('issues a token the API accepts', async () => {
    const res = await login('127.0.0.1', ' dana@example.com ', 'correct horse battery');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const { token } = res.body as { token: string };
    expect((await stack.request('GET', '/calls', { token })).status).toBe(200);
    const principal = await stack.deps.verifyToken(token);
    expect(principal).toMatchObject({ org: 'org-acme', role: 'dispatcher' });
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await login('127.0.0.2', 'dana@example.com', 'wrong password');
    const unknown = await login('127.0.0.2', 'nobody@example.com', 'wrong password');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect((res.body as ErrorBody).error).toEqual({
        code: 'invalid_credentials',
        message: 'email or password is incorrect',
      });
    }
  });

  it('locks one address after 50 failures across accounts however it rotates X-Forwarded-For; other clients are unaffected', async () => {
    const attacker = '127.0.0.20';
    for (let batch = 0; batch < 5; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const n = batch * 10 + i;
          return login(attacker, `victim${n}@example.com`, 'guess', `198.51.100.${n}, 203.0.113.${n}`);
        }),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(401));
    }
    const locked = await login(attacker, 'dana@example.com', 'correct horse battery', '192.0.2.200');
    expect(locked.status).toBe(429);
    expect((locked.body as ErrorBody).error.code).toBe('rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // No header anywhere: another client is told apart by its socket address, not lumped into one bucket.
    expect((await login('127.0.0.21', 'dana@example.com', 'correct horse battery')).status).toBe(200);
  });

  it('a flood of wrong passwords for dana from many addresses keeps her correct password out for at most 60 s', async () => {
    const usual = '127.0.0.41';
    expect((await login(usual, 'dana@example.com', 'correct horse battery')).status).toBe(200);
    // Attackers on 40 addresses guess the moment each lock ends, driving the lock up to its 60 s cap.
    let counted = 0;
    for (let i = 1; i <= 40; i++) {
      const res = await login(`127.0.1.${i}`, 'dana@example.com', 'guess');
      if (res.status === 401) counted += 1;
      else clock.advance(Number(res.headers.get('retry-after')) * 1000);
    }
    expect(counted).toBeGreaterThanOrEqual(12);
    // A burst during the lock is refused without being counted, so it cannot stretch the lock.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(`127.0.2.${i + 1}`, 'dana@example.com', 'guess')),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(429));
    // From a new address she waits at most 60 s, then gets in.
    const fresh = '127.0.0.42';
    const slowed = await login(fresh, 'dana@example.com', 'correct horse battery');
    expect(slowed.status).toBe(429);
    expect((slowed.body as ErrorBody).error.code).toBe('rate_limited');
    const retryAfter = Number(slowed.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);
    clock.advance(retryAfter * 1000);
    expect((await login(fresh, 'dana@example.com', 'correct horse battery')).status).toBe(200);
    // Her usual address is not slowed at all by other people's failures.
    for (let i = 1; i <= 6; i++) await login(`127.0.3.${i}`, 'dana@example.com', 'guess');
    expect((await login('127.0.0.43', 'dana@example.com', 'correct horse battery')).status).toBe(429);
    expect((await login(usual, 'dana@example.com', 'correct horse battery')).status).toBe(200);
  });

  it('counts parallel wrong guesses before checking them: 5 free failures and the 6th, then 429', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login('127.0.0.77', 'ghost@example.com', `parallel guess ${i}`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
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

describe('POST /auth/login behind a trusted proxy (TRUSTED_PROXY_HOPS=1)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack({ backend: 'memory', env: { TRUSTED_PROXY_HOPS: '1' } });
    await stack.createUser('erin@example.com', 'correct horse battery');
  });
  afterAll(() => stack.close());

  it('throttles the address the proxy appended, whatever the client wrote before it', async () => {
    const proxy = '127.0.0.5';
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stack.requestFrom(proxy, 'POST', '/auth/login', {
            body: { email: `x${batch}${i}@example.com`, password: 'guess' },
            headers: { 'x-forwarded-for': `10.9.${batch}.${i}, 203.0.113.9` },
          }),
        ),
      );
    }
    const asAttacker = await stack.requestFrom(proxy, 'POST', '/auth/login', {
      body: { email: 'erin@example.com', password: 'correct horse battery' },
      headers: { 'x-forwarded-for': '10.10.10.10, 203.0.113.9' },
    });
    expect(asAttacker.status).toBe(429);
    // Another client behind the same proxy (same socket peer) is its own bucket.
    const other = await stack.requestFrom(proxy, 'POST', '/auth/login', {
      body: { email: 'erin@example.com', password: 'correct horse battery' },
      headers: { 'x-forwarded-for': '203.0.113.10' },
    });
    expect(other.status).toBe(200);
  });
});

describe('POST /auth/login bounds password hashing', () => {
  it('with 1 slot and a wait line of 1, the third login gets 503 + Retry-After at once; once drained, logins succeed', async () => {
    const stack = await startApiStack({
      backend: 'memory',
      env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '1' },
    });
    try {
      await stack.createUser('fay@example.com', 'correct horse battery');
      const login = () =>
        stack.request('POST', '/auth/login', {
          body: { email: 'fay@example.com', password: 'correct horse battery' },
        });
      const work = stack.deps.passwordWork;
      // The first job holds the only slot until released, so the test, not the machine's speed, decides the order.
      let release!: () => void;
      const first = work.tryRun(() => new Promise<void>((resolve) => (release = resolve)));
      const second = login();
      await expect.poll(() => work.queued, { timeout: 10_000 }).toBe(1);

      const third = await login();
      expect(third.status).toBe(503);
      expect((third.body as ErrorBody).error.code).toBe('unavailable');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(work.queued).toBe(1); // answered while the queue was still full: it never waited for a slot

      release();
      await first;
      expect((await second).status).toBe(200);
      expect((await login()).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('50 parallel logins leave the threadpool and /healthz responsive while they run', async () => {
    const stack = await startApiStack({ backend: 'memory' });
    try {
      const finished = { count: 0 };
      const logins = Array.from({ length: 50 }, (_, i) =>
        stack
          .request('POST', '/auth/login', { body: { email: `load${i}@example.com`, password: 'guess' } })
          .finally(() => (finished.count += 1)),
      );
      const work = stack.deps.passwordWork;
      await expect.poll(() => work.active + work.queued, { timeout: 30_000 }).toBeGreaterThanOrEqual(16);

      // scrypt runs on libuv's threadpool (4 threads), as do file reads: unbounded, 50 hashes queue ahead of the read
      // and it finishes only after nearly all of them. Bounded to 2 at a time, two threads stay free for it.
      const started = Date.now();
      const [health] = await Promise.all([
        stack.request('GET', '/healthz'),
        readFile(new URL(import.meta.url)),
      ]);
      const elapsedMs = Date.now() - started;
      const stillRunning = 50 - finished.count;

      expect(health.status).toBe(200);
      // The real check is the order: both answered while many logins were still in flight. Unbounded, the read
      // queues behind every hash, so at most 4 (the threadpool's size) are left; bounded, ~16 are.
      expect(stillRunning).toBeGreaterThanOrEqual(8);
      // A backstop far above the few milliseconds this takes, so a loaded 2-core machine cannot flake it.
      expect(elapsedMs).toBeLessThan(5_000);

      const statuses = (await Promise.all(logins)).map((r) => r.status);
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      await stack.createUser('gus@example.com', 'correct horse battery');
      const after = await stack.requestFrom('127.0.0.3', 'POST', '/auth/login', {
        body: { email: 'gus@example.com', password: 'correct horse battery' },
      });
      expect(after.status).toBe(200);
    } finally {
      await stack.close();
    }
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
