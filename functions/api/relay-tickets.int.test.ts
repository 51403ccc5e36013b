// Relay tickets end to end: POST /relay/tickets, then one relay upgrade with ?ticket=, on memory and the emulators.
import { decodeJwt } from 'jose';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayTicketResponse } from '../../core/protocol/rest-api.ts';
import { createTicketIssuer } from '../../core/auth/issue-ticket.ts';
import { createTicketVerifier } from '../../core/auth/verify-ticket.ts';
import { RELAY_TICKET_TTL_SECS } from '../../core/auth/relay-ticket.ts';
import { createTokenVerifier } from '../../core/auth/verify-token.ts';
import type { Clock } from '../../core/support/clock.ts';
import type { ErrorMessage } from '../../core/protocol/relay-messages.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  seedCall,
  startRelay,
  TestSocket,
  upgradeResponse,
  type RelayFixture,
} from '../../services/relay/relay.test-kit.ts';
import { ORG, OTHER_ORG, startApiStack, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
describe.each(backends)('relay tickets on %s', (backend) => {
  let stack: ApiStack;
  let relay: RelayFixture;
  let sibling: RelayFixture;
  beforeAll(async () => {
    stack = await startApiStack({ backend });
    const options = {
      backend: stack.backend,
      verifyToken: createTokenVerifier(stack.config.auth),
      verifyTicket: createTicketVerifier(stack.config.auth),
    };
    relay = await startRelay(backend, {}, options);
    // A second relay instance over the same storage.
    sibling = await startRelay(backend, {}, options);
  });
  afterAll(async () => {
    await sibling?.close();
    await relay?.close();
    await stack?.close();
  });

  const ticketFor = async (token: string) => {
    const res = await stack.request('POST', '/relay/tickets', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return res.body as RelayTicketResponse;
  };
  const withTicket = (fx: RelayFixture, ticket: string) => `${fx.url}?ticket=${encodeURIComponent(ticket)}`;

  it('issues a 30 s ticket that opens one socket for the same principal, once, on any instance', async () => {
    const token = await stack.login(ORG, 'dispatcher');
    const before = Date.now();
    const { ticket, expiresAt } = await ticketFor(token);
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(RELAY_TICKET_TTL_SECS * 1000 + 1000);

    const socket = new TestSocket(new WebSocket(withTicket(relay, ticket)));
    const hello = await socket.waitFor((m) => m.type === 'authenticated');
    const claims = decodeJwt(token);
    // The socket lives as long as the token the ticket stands for, not the ticket's 30 s.
    expect(hello).toMatchObject({ sub: claims.sub, org: ORG, exp: claims.exp });
    socket.close();

    expect(await upgradeResponse(withTicket(relay, ticket))).toMatchObject({
      status: 401,
      body: { error: { code: 'ticket_used' } },
    });
    expect((await upgradeResponse(withTicket(sibling, ticket))).status).toBe(401);
  });

  it('lets exactly one of two instances accept a ticket presented to both at once', async () => {
    const { ticket } = await ticketFor(await stack.login(ORG, 'dispatcher'));
    const results = await Promise.all([
      upgradeResponse(withTicket(relay, ticket)),
      upgradeResponse(withTicket(sibling, ticket)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([101, 401]);
  });

  it('refuses an expired ticket with 401 token_expired', async () => {
    const token = await stack.login(ORG, 'dispatcher');
    const principal = await stack.deps.verifyToken(token);
    const past: Clock = { now: () => new Date(Date.now() - 2 * RELAY_TICKET_TTL_SECS * 1000) };
    const { ticket } = await (await createTicketIssuer(stack.config.auth, past))(principal);
    expect(await upgradeResponse(withTicket(relay, ticket))).toMatchObject({
      status: 401,
      body: { error: { code: 'token_expired' } },
    });
  });

  it('never accepts a ticket as an API token, nor an API token as a ticket', async () => {
    const token = await stack.login(ORG, 'dispatcher');
    const { ticket } = await ticketFor(token);
    const asBearer = await stack.request('GET', '/calls', { token: ticket });
    expect(asBearer.status).toBe(401);
    expect((await stack.request('POST', '/relay/tickets', { token: ticket })).status).toBe(401);
    expect((await upgradeResponse(`${relay.url}?token=${ticket}`)).status).toBe(401);
    expect(await upgradeResponse(withTicket(relay, token))).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    // The ticket was never consumed by those attempts: it still opens a socket.
    expect((await upgradeResponse(withTicket(relay, ticket))).status).toBe(101);
  });

  it('requires a valid token to issue a ticket', async () => {
    expect((await stack.request('POST', '/relay/tickets')).status).toBe(401);
    expect((await stack.request('POST', '/relay/tickets', { token: 'not-a-jwt' })).status).toBe(401);
  });

  it("keeps org isolation: a ticket's socket cannot follow another org's call", async () => {
    const callId = `call-${Math.random().toString(36).slice(2, 10)}`;
    await seedCall(stack.backend, callId, { orgId: ORG, count: 1 });
    const { ticket } = await ticketFor(await stack.login(OTHER_ORG, 'admin'));
    const socket = new TestSocket(new WebSocket(withTicket(relay, ticket)));
    await socket.waitFor((m) => m.type === 'authenticated');
    socket.send({ type: 'subscribe', callId });
    const error = await socket.waitFor<ErrorMessage>((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'forbidden', callId });
    expect(socket.seqs(callId)).toEqual([]);
    socket.close();
  });
});
