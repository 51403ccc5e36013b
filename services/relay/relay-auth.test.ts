// The upgrade is refused with 401 (and no WebSocket) for every bad token; HTTP routes answer as documented.
import { connect } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../core/auth/verify-token.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { startRelay, TEST_AUTH, upgradeStatus, type RelayFixture } from './relay.test-kit.ts';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs(
  claims: Record<string, unknown>,
  options: { alg?: string; secret?: Uint8Array; exp?: number } = {},
) {
  return new SignJWT({ org: 'org-a', role: 'dispatcher', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('disp-1')
    .setIssuer((claims.iss as string | undefined) ?? TEST_AUTH.issuer)
    .setAudience((claims.aud as string | undefined) ?? TEST_AUTH.audience)
    .setExpirationTime(options.exp ?? now() + 600)
    .sign(options.secret ?? TEST_AUTH.secret!);
}

describe('relay upgrade auth (HS256)', () => {
  let fx: RelayFixture;
  beforeAll(async () => {
    fx = await startRelay('memory');
  });
  afterAll(async () => {
    await fx.close();
  });

  const badTokens: Array<[string, () => Promise<string | undefined>]> = [
    ['missing token', async () => undefined],
    ['empty token', async () => ''],
    ['malformed token', async () => 'not-a-jwt'],
    ['garbage segments', async () => 'a.b.c'],
    ['expired token', () => hs({}, { exp: now() - 120 })],
    ['wrong issuer', () => hs({ iss: 'someone-else' })],
    ['wrong audience', () => hs({ aud: 'other-app' })],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'disp-1', org: 'org-a', role: 'admin', iss: TEST_AUTH.issuer, aud: TEST_AUTH.audience, exp: now() + 600 })}.`,
    ],
    ['HS512 (not a configured algorithm)', () => hs({}, { alg: 'HS512' })],
    [
      'wrong secret',
      () => hs({}, { secret: new TextEncoder().encode('another-secret-that-is-long-enough-000000') }),
    ],
    ['no org claim', () => hs({ org: undefined })],
    ['unknown role', () => hs({ role: 'driver' })],
  ];

  it.each(badTokens)('query token: %s → 401', async (_name, make) => {
    const token = await make();
    const url = token === undefined ? fx.url : `${fx.url}?token=${encodeURIComponent(token)}`;
    expect(await upgradeStatus(url)).toBe(401);
  });

  it.each(badTokens.filter(([name]) => name !== 'missing token' && name !== 'empty token'))(
    'Authorization header: %s → 401',
    async (_name, make) => {
      expect(await upgradeStatus(fx.url, { Authorization: `Bearer ${await make()}` })).toBe(401);
    },
  );

  it.each([
    ['query', (t: string) => [`?token=${t}`, {}] as const],
    ['Authorization header', (t: string) => ['', { Authorization: `Bearer ${t}` }] as const],
  ])('accepts a valid token in the %s', async (_name, place) => {
    const [query, headers] = place(await fx.token());
    expect(await upgradeStatus(`${fx.url}${query}`, headers)).toBe(101);
  });

  it('answers 404 to an upgrade on any other path, and plain GETs as documented', async () => {
    const base = `http://127.0.0.1:${fx.port}`;
    expect(await upgradeStatus(`ws://127.0.0.1:${fx.port}/ws/other?token=${await fx.token()}`)).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${base}${RELAY_WS_PATH}`)).status).toBe(426);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it.each([
    ['a plain request', 'GET http://x:99999/healthz HTTP/1.1\r\nHost: relay\r\n\r\n'],
    [
      'an upgrade',
      'GET http://[ HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    ],
  ])('answers 400 to %s whose target is not a URL, and keeps serving', async (_name, raw) => {
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(fx.port, '127.0.0.1', () => socket.end(raw));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`http://127.0.0.1:${fx.port}/healthz`)).status).toBe(200);
  });
});

describe('relay upgrade auth (JWKS, RS256 only)', () => {
  let fx: RelayFixture;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let rsaPublic: JWK;

  const sign = (alg: string, key: CryptoKey | Uint8Array, kid: string) =>
    new SignJWT({ org: 'org-a', role: 'admin' })
      .setProtectedHeader({ alg, kid })
      .setSubject('admin-1')
      .setIssuer(TEST_AUTH.issuer)
      .setAudience(TEST_AUTH.audience)
      .setExpirationTime(now() + 600)
      .sign(key);

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    rsaPublic = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' };
    const ecPublic = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' };
    const { secret: _secret, ...asymmetric } = TEST_AUTH;
    const verifyToken = createTokenVerifier(
      { ...asymmetric, jwksUrl: 'https://keys.invalid/jwks.json', algorithms: ['RS256'] },
      { jwks: { keys: [rsaPublic, ecPublic] } },
    );
    fx = await startRelay('memory', {}, { verifyToken });
  });
  afterAll(async () => {
    await fx.close();
  });

  it('accepts an RS256 token from the key set', async () => {
    expect(await upgradeStatus(`${fx.url}?token=${await sign('RS256', rsa.privateKey, 'rsa-1')}`)).toBe(101);
  });

  it.each([
    ['ES256 (key in the set, algorithm not configured)', () => sign('ES256', ec.privateKey, 'ec-1')],
    [
      'HS256 keyed with the RSA public key (alg confusion)',
      async () => sign('HS256', new TextEncoder().encode(JSON.stringify(rsaPublic)), 'rsa-1'),
    ],
    [
      'an RS256 key not in the set',
      async () => sign('RS256', (await generateKeyPair('RS256')).privateKey, 'rsa-1'),
    ],
  ])('refuses %s with 401', async (_name, make) => {
    expect(await upgradeStatus(`${fx.url}?token=${await make()}`)).toBe(401);
  });
});
