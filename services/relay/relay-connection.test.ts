// Per-socket behaviour on a real relay: token expiry and in-band refresh, heartbeat, limits, bad frames.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorMessage } from '../../core/protocol/relay-messages.ts';
import { inboundBurst } from './connection.ts';
import { seedCall, startRelay, TestSocket, type RelayFixture } from './relay.test-kit.ts';

describe('relay connection behaviour', () => {
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  const open = async (claims?: { sub?: string; org?: string }, ttlSecs?: number) => {
    const socket = await TestSocket.open(fx.url, await fx.token(claims, ttlSecs));
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    fx = await startRelay('memory', {
      heartbeatMs: 150,
      tokenGraceMs: 400,
      maxSubscriptionsPerSocket: 2,
      maxConnections: 12,
      closeGraceMs: 500,
    });
    for (const id of ['c1', 'c2', 'c3']) await seedCall(fx.backend, id, { count: 1 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await fx.close();
  });

  it('sends authenticated on connect and answers ping with pong', async () => {
    const s = await open();
    expect(s.messages[0]).toMatchObject({ type: 'authenticated', sub: 'disp-1', org: 'org-a' });
    s.send({ type: 'ping' });
    await s.waitFor((m) => m.type === 'pong');
  });

  it('answers a bad frame with bad_request and keeps the socket open', async () => {
    const s = await open();
    s.ws.send('{not json');
    s.send({ type: 'subscribe', callId: 'c1', afterSeq: -1 });
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await s.waitFor(() => s.messages.filter((m) => m.type === 'error').length === 3);
    expect(s.messages.filter((m): m is ErrorMessage => m.type === 'error').map((e) => e.code)).toEqual([
      'bad_request',
      'bad_request',
      'bad_request',
    ]);
    s.send({ type: 'ping' });
    await s.waitFor((m) => m.type === 'pong');
  });

  it('limits subscriptions per socket (re-subscribing an existing call does not count)', async () => {
    const s = await open();
    s.send({ type: 'subscribe', callId: 'c1' });
    s.send({ type: 'subscribe', callId: 'c2' });
    s.send({ type: 'subscribe', callId: 'c1', afterSeq: 0 });
    s.send({ type: 'subscribe', callId: 'c3' });
    const error = await s.waitFor<ErrorMessage>((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'too_many_subscriptions', callId: 'c3' });
    await s.waitFor(() => s.messages.filter((m) => m.type === 'subscribed').length === 3);
    s.send({ type: 'unsubscribe', callId: 'c2' });
    await s.waitFor((m) => m.type === 'unsubscribed');
    s.send({ type: 'subscribe', callId: 'c3' });
    await s.waitFor((m) => m.type === 'subscribed' && m.callId === 'c3');
  });

  it('closes a frame over the inbound limit with 1009', async () => {
    const s = await open();
    s.ws.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(70 * 1024) }));
    expect((await s.closed).code).toBe(1009);
  });

  it('closes a socket that floods frames beyond its rate with 1008, after serving the burst', async () => {
    const s = await open();
    const burst = inboundBurst(fx.config);
    for (let i = 0; i < burst + 50; i++) s.send({ type: 'ping' });
    expect((await s.closed).code).toBe(1008);
    const pongs = s.messages.filter((m) => m.type === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(burst);
    expect(pongs).toBeLessThan(burst + 50);
  });

  it('warns at token expiry, then closes with 4001 after the grace period', async () => {
    const s = await open({}, 1);
    const warned = await s.waitFor<ErrorMessage>((m) => m.type === 'error', 3000);
    expect(warned.code).toBe('token_expired');
    const started = Date.now();
    expect((await s.closed).code).toBe(4001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('keeps the socket when a fresh token arrives in the grace period', async () => {
    const s = await open({}, 1);
    await s.waitFor((m) => m.type === 'error' && m.code === 'token_expired', 3000);
    s.send({ type: 'auth', token: await fx.token({}, 600) });
    await s.waitFor((m) => m.type === 'authenticated' && m.exp > Date.now() / 1000 + 500);
    const outcome = await Promise.race([s.closed, new Promise((r) => setTimeout(() => r('open'), 800))]);
    expect(outcome).toBe('open');
  });

  it.each([
    ['another org', { org: 'org-b' }, 4003],
    ['another subject', { sub: 'disp-2' }, 4003],
  ])('closes when auth brings a token for %s', async (_name, claims, code) => {
    const s = await open();
    s.send({ type: 'auth', token: await fx.token(claims) });
    expect((await s.closed).code).toBe(code);
  });

  it('closes with 1008 when auth brings an invalid token', async () => {
    const s = await open();
    s.send({ type: 'auth', token: 'not-a-token' });
    expect((await s.closed).code).toBe(1008);
  });

  it('terminates a peer that stops answering pings, keeps one that answers', async () => {
    const answering = await open();
    const mute = new TestSocket(new WebSocket(`${fx.url}?token=${await fx.token()}`, { autoPong: false }));
    sockets.push(mute);
    await once(mute.ws, 'open');
    expect((await mute.closed).code).toBe(1006);
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes connections beyond the per-instance limit with 1013', async () => {
    const extra: TestSocket[] = [];
    while (fx.relay.connectionCount < 12) extra.push(await open());
    const over = new TestSocket(new WebSocket(`${fx.url}?token=${await fx.token()}`));
    sockets.push(over);
    expect((await over.closed).code).toBe(1013);
    for (const s of extra) s.close();
  });
});
