// Sockets per principal and per org: refused at the upgrade with 429 too_many_connections, released on close.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_SECS } from '../../core/support/errors.ts';
import { rawRequest } from '../../test/raw-http.ts';
import { startRelay, TestSocket, upgradeResponse, type RelayFixture } from './relay.test-kit.ts';

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('relay socket caps', () => {
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await fx.close();
  });

  const open = async (sub: string, org = 'org-a') => {
    const socket = await TestSocket.open(fx.url, await fx.token({ sub, org }));
    sockets.push(socket);
    return socket;
  };
  const attempt = async (sub: string, org = 'org-a') =>
    upgradeResponse(`${fx.url}?token=${await fx.token({ sub, org })}`);

  it('refuses a principal past RELAY_MAX_SOCKETS_PER_USER with 429 before any WebSocket, others unaffected', async () => {
    fx = await startRelay('memory', { maxSocketsPerUser: 3, maxSocketsPerOrg: 100 });
    for (let i = 0; i < 3; i++) await open('disp-1');
    const refused = await attempt('disp-1');
    expect(refused).toEqual({
      status: 429,
      body: { error: { code: 'too_many_connections', message: 'at most 3 open sockets per user' } },
    });
    // The same sub in another org is another principal.
    expect((await attempt('disp-1', 'org-b')).status).toBe(101);
    await open('disp-2');
    expect(fx.relay.connectionCount).toBe(4);
  });

  it('refuses an org past RELAY_MAX_SOCKETS_PER_ORG, other orgs unaffected', async () => {
    fx = await startRelay('memory', { maxSocketsPerUser: 10, maxSocketsPerOrg: 4 });
    for (const sub of ['a', 'b', 'c', 'd']) await open(sub);
    const refused = await attempt('e');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'too_many_connections' } });
    expect((await attempt('a', 'org-b')).status).toBe(101);
  });

  it('releases the count when a socket closes, however it closes', async () => {
    fx = await startRelay('memory', {
      maxSocketsPerUser: 2,
      maxSocketsPerOrg: 100,
      maxMessagesPerSec: 1,
      maxSubscriptionsPerSocket: 1,
      closeGraceMs: 100,
    });
    const first = await open('disp-1');
    const second = await open('disp-1');
    expect((await attempt('disp-1')).status).toBe(429);

    first.close(); // client side, no close frame
    await until(() => fx.relay.quota.userCount({ sub: 'disp-1', org: 'org-a' }) === 1);
    const third = await open('disp-1');
    expect((await attempt('disp-1')).status).toBe(429);

    // Server side: a flood past the inbound rate is closed with 1008.
    for (let i = 0; i < 10; i++) second.send({ type: 'ping' });
    expect((await second.closed).code).toBe(1008);
    await until(() => fx.relay.quota.userCount({ sub: 'disp-1', org: 'org-a' }) === 1);
    expect((await attempt('disp-1')).status).toBe(101); // the upgrade helper closes it again at once

    third.ws.close(1000);
    await third.closed;
    await until(() => fx.relay.quota.orgCount('org-a') === 0);
    expect(fx.relay.connectionCount).toBe(0);
  });

  it('counts only accepted sockets: refused upgrades do not use up the cap', async () => {
    fx = await startRelay('memory', { maxSocketsPerUser: 1, maxSocketsPerOrg: 100 });
    for (let i = 0; i < 5; i++) expect((await upgradeResponse(`${fx.url}?token=bad`)).status).toBe(401);
    await open('disp-1');
    for (let i = 0; i < 5; i++) expect((await attempt('disp-1')).status).toBe(429);
    expect(fx.relay.quota.userCount({ sub: 'disp-1', org: 'org-a' })).toBe(1);
  });

  it('derives the refusal from the error catalogue: status line, reason phrase and Retry-After', async () => {
    fx = await startRelay('memory', { maxSocketsPerUser: 1, maxSocketsPerOrg: 100 });
    await open('disp-1');
    const head =
      `GET ${new URL(fx.url).pathname}?token=${await fx.token({ sub: 'disp-1' })} HTTP/1.1\r\nHost: relay\r\n` +
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
    const answer = await rawRequest(fx.url.replace(/^ws/, 'http'), head);
    expect(answer).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(answer).toContain(`\r\nRetry-After: ${DEFAULT_RETRY_AFTER_SECS}\r\n`);
    expect(answer).toContain('"code":"too_many_connections"');
  });
});
