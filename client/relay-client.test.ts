// The client library against a real relay: complete transcript across kills and a relay restart, token refresh.
import { createServer, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../core/composition/backend.ts';
import type { CallStore } from '../core/ports/call-store.ts';
import type { EventMessage } from '../core/protocol/relay-messages.ts';
import {
  appendSegments,
  publishEvents,
  quietLogger,
  range,
  seedCall,
  startRelay,
  testBackendConfig,
} from '../services/relay/relay.test-kit.ts';
import { RelayClient, type ConnectionState, type RelayClientOptions } from './relay-client.ts';

/** `ws` that remembers its sockets, so a test can kill the client's connection. */
function recordingWebSocket() {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { Recording, sockets };
}

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('RelayClient', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(overrides: Partial<RelayClientOptions> = {}, relayOverrides = {}) {
    const fx = await startRelay('memory', { ringSize: 16, ...relayOverrides });
    cleanup.push(() => fx.close());
    const { Recording, sockets } = recordingWebSocket();
    const states: Array<{ state: ConnectionState; code?: number }> = [];
    let tokens = 0;
    const client = new RelayClient({
      url: fx.url,
      getToken: () => {
        tokens++;
        return fx.token();
      },
      WebSocket: Recording,
      backoff: { initialMs: 20, maxMs: 200 },
      onStateChange: (state, detail) => states.push({ state, ...detail }),
      ...overrides,
    });
    cleanup.push(() => client.close());
    return { fx, client, sockets, states, tokenCount: () => tokens };
  }

  it('ends with the complete transcript, no gap, no duplicate, when its socket is killed mid-stream', async () => {
    const { fx, client, sockets } = await setup();
    const callId = 'call-kill';
    await seedCall(fx.backend, callId, { count: 10 });
    const received: EventMessage[] = [];
    client.connect();
    client.subscribe(callId, { onEvent: (e) => received.push(e) });
    const total = 150;
    let killed = 0;
    for (let n = 11; n <= total; n++) {
      const { call, events } = await appendSegments(fx.backend, callId, 1);
      // A lost message (every 17th) and a duplicate (every 13th) on the bus, on top of the kills.
      if (n % 17 !== 0) await publishEvents(fx.backend, call, events);
      if (n % 13 === 0) await publishEvents(fx.backend, call, events);
      if (n === 40 || n === 90 || n === 91) {
        // Kill a new, open socket each time: on a loaded machine the (re)connect may still be under way.
        await until(() => sockets.length > killed && sockets.at(-1)!.readyState === WebSocket.OPEN);
        killed = sockets.length;
        sockets.at(-1)!.terminate();
      }
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    // The last event is published, so any gap before it is filled.
    await until(() => received.at(-1)?.seq === total);
    expect(received.map((e) => e.seq)).toEqual(range(1, total));
    expect(received.map((e) => (e.type === 'segment' ? e.text : ''))).toEqual(
      range(1, total).map((i) => `line ${i}`),
    );
    expect(sockets.length).toBeGreaterThanOrEqual(3);
  });

  it('resumes every subscription after a relay restart (1001) on the same port', async () => {
    const { fx, client, states } = await setup();
    await seedCall(fx.backend, 'call-a', { count: 3 });
    await seedCall(fx.backend, 'call-b', { count: 2 });
    const got: Record<string, number[]> = { 'call-a': [], 'call-b': [] };
    client.connect();
    const subA = client.subscribe('call-a', { onEvent: (e) => got['call-a']!.push(e.seq) });
    client.subscribe('call-b', { onEvent: (e) => got['call-b']!.push(e.seq) });
    await until(() => got['call-a']!.length === 3 && got['call-b']!.length === 2);

    await fx.relay.close();
    // Written while no relay runs: only the store has them.
    await appendSegments(fx.backend, 'call-a', 2);
    const second = await startRelay('memory', {}, { backend: fx.backend, port: fx.port });
    cleanup.push(() => second.close());
    const live = await appendSegments(fx.backend, 'call-b', 1);
    await until(() => got['call-a']!.length === 5);
    await publishEvents(fx.backend, live.call, live.events);
    await until(() => got['call-b']!.length === 3);
    expect(got).toEqual({ 'call-a': range(1, 5), 'call-b': range(1, 3) });
    expect(subA.lastSeq).toBe(5);
    expect(states).toContainEqual({ state: 'reconnecting', code: 1001 });
  });

  it('refreshes its token in-band before expiry and keeps the same socket', async () => {
    const fx = await startRelay('memory', { tokenGraceMs: 200 });
    cleanup.push(() => fx.close());
    const { Recording, sockets } = recordingWebSocket();
    const shortLived = await fx.token({}, 2);
    const states: Array<{ state: ConnectionState; code?: number }> = [];
    let tokens = 0;
    const client = new RelayClient({
      url: fx.url,
      getToken: () => (tokens++ === 0 ? shortLived : fx.token()),
      WebSocket: Recording,
      refreshLeadMs: 60_000,
      onStateChange: (state, detail) => states.push({ state, ...detail }),
    });
    cleanup.push(() => client.close());
    client.connect();
    // Lifetime 2 s < lead: refresh at half-life; well past exp + grace the first socket must still be open.
    await new Promise((r) => setTimeout(r, 3200));
    expect(tokens).toBeGreaterThanOrEqual(2);
    expect(client.state).toBe('open');
    expect(sockets).toHaveLength(1);
    expect(states.some((s) => s.code === 4001)).toBe(false);
  });

  it('sends a token the application just renewed at once when asked to reauthenticate', async () => {
    const fx = await startRelay('memory');
    cleanup.push(() => fx.close());
    const { Recording, sockets } = recordingWebSocket();
    let current = await fx.token({}, 600);
    const client = new RelayClient({ url: fx.url, getToken: () => current, WebSocket: Recording });
    cleanup.push(() => client.close());
    client.reauthenticate(); // not connected yet: nothing to do
    client.connect();
    await until(() => client.state === 'open');
    const exps: number[] = [];
    sockets[0]!.on('message', (data: Buffer) => {
      const message = JSON.parse(String(data)) as { type: string; exp?: number };
      if (message.type === 'authenticated') exps.push(message.exp!);
    });
    current = await fx.token({}, 1200);
    client.reauthenticate();
    await until(() => exps.length === 1);
    expect(exps[0]).toBeGreaterThan(Date.now() / 1000 + 1100);
    expect(sockets).toHaveLength(1);
    expect(client.state).toBe('open');
  });

  it('stops for good on a terminal close (4003) and reports the code', async () => {
    const { fx, client, states, sockets } = await setup();
    client.connect();
    await until(() => client.state === 'open');
    sockets[0]!.send(JSON.stringify({ type: 'auth', token: await fx.token({ org: 'org-b' }) }));
    await until(() => client.state === 'closed');
    expect(states.at(-1)).toEqual({ state: 'closed', code: 4003 });
    await new Promise((r) => setTimeout(r, 300));
    expect(sockets).toHaveLength(1);
  });

  it('reports forbidden to the subscription and drops it, without reconnecting', async () => {
    const { fx, client, sockets } = await setup();
    await seedCall(fx.backend, 'call-b-org', { orgId: 'org-b' });
    const errors: string[] = [];
    client.connect();
    const sub = client.subscribe('call-b-org', { onEvent: () => {}, onError: (e) => errors.push(e.code) });
    await until(() => errors.length === 1);
    expect(errors).toEqual(['forbidden']);
    sub.unsubscribe();
    expect(client.state).toBe('open');
    expect(sockets).toHaveLength(1);
  });

  it('gives a call-list listener added later the current list (snapshot merged with updates) at once', async () => {
    const { fx, client } = await setup();
    const { call } = await seedCall(fx.backend, 'call-list-1');
    const first: string[][] = [];
    client.subscribeCalls({
      onCalls: (calls) => first.push(calls.map((c) => c.callId)),
      onCallUpdated: () => {},
    });
    client.connect();
    await until(() => first.length === 1);
    expect(first[0]).toEqual(['call-list-1']);

    const { events } = await appendSegments(fx.backend, 'call-list-1', 2);
    const updated: number[] = [];
    client.subscribeCalls({ onCalls: () => {}, onCallUpdated: (c) => updated.push(c.lastSeq) });
    await publishEvents(fx.backend, call, events);
    await until(() => updated.includes(2));

    const late: Array<{ callId: string; lastSeq: number }[]> = [];
    client.subscribeCalls({
      onCalls: (calls) => late.push(calls.map((c) => ({ callId: c.callId, lastSeq: c.lastSeq }))),
      onCallUpdated: () => {},
    });
    expect(late).toEqual([[{ callId: 'call-list-1', lastSeq: 2 }]]);
  });

  it('asks for the call list again when the relay answers unavailable', async () => {
    const backend = await createBackend(testBackendConfig('memory'), { logger: quietLogger });
    let listFailures = 1;
    const store: CallStore = Object.assign(Object.create(backend.store) as CallStore, {
      listCalls: (...args: Parameters<CallStore['listCalls']>) =>
        listFailures-- > 0
          ? Promise.reject(new Error('store unavailable'))
          : backend.store.listCalls(...args),
    });
    cleanup.push(() => backend.close());
    const fx = await startRelay('memory', {}, { backend: { ...backend, store } });
    cleanup.push(() => fx.close());
    await seedCall(backend, 'call-list-retry');
    const client = new RelayClient({
      url: fx.url,
      getToken: () => fx.token(),
      WebSocket,
      backoff: { initialMs: 20 },
    });
    cleanup.push(() => client.close());
    const lists: string[][] = [];
    client.subscribeCalls({
      onCalls: (calls) => lists.push(calls.map((c) => c.callId)),
      onCallUpdated: () => {},
    });
    client.connect();
    await until(() => lists.length === 1, 3000);
    expect(lists).toEqual([['call-list-retry']]);
  });

  it('closes a socket that is still connecting without an uncaught exception (ws throws where browsers do not)', async () => {
    // A TCP server that accepts and never answers the handshake: the socket stays CONNECTING for as long as we like.
    const held: Socket[] = [];
    const mute = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of held) socket.destroy();
          mute.close(() => resolve());
        }),
    );
    const { port } = mute.address() as { port: number };
    const { Recording, sockets } = recordingWebSocket();
    const client = new RelayClient({
      url: `ws://127.0.0.1:${port}/ws`,
      getToken: () => 't',
      WebSocket: Recording,
    });
    client.connect();
    await until(() => held.length === 1);
    expect(sockets[0]!.readyState).toBe(WebSocket.CONNECTING);
    client.close();
    // ws reports the aborted handshake on the next tick; with no error listener it would be an uncaught exception,
    // which vitest reports as a failure of this test.
    await until(() => sockets[0]!.readyState === WebSocket.CLOSED);
    await new Promise((r) => setImmediate(r));
    expect(client.state).toBe('closed');
  });

  it('connects with a fresh single-use ticket each time when given getTicket, never a token in the URL', async () => {
    let tickets = 0;
    const { fx, client, sockets } = await setup({
      getTicket: () => {
        tickets++;
        return fx.ticket();
      },
    });
    await seedCall(fx.backend, 'call-ticket', { count: 2 });
    const got: number[] = [];
    client.connect();
    client.subscribe('call-ticket', { onEvent: (e) => got.push(e.seq) });
    await until(() => got.length === 2);
    sockets[0]!.terminate();
    const more = await appendSegments(fx.backend, 'call-ticket', 1);
    await publishEvents(fx.backend, more.call, more.events);
    await until(() => got.length === 3);
    expect(got).toEqual([1, 2, 3]);
    expect(tickets).toBe(sockets.length);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    for (const socket of sockets) {
      const params = new URL(socket.url).searchParams;
      expect(params.has('ticket')).toBe(true);
      expect(params.has('token')).toBe(false);
    }
  });

  it('stays closed when closed while getToken is failing (no reconnect loop)', async () => {
    let calls = 0;
    const states: ConnectionState[] = [];
    const client = new RelayClient({
      url: 'ws://127.0.0.1:9/unused',
      getToken: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('signed out');
      },
      WebSocket,
      backoff: { initialMs: 10, maxMs: 20 },
      onStateChange: (state) => states.push(state),
    });
    cleanup.push(() => client.close());
    client.connect();
    client.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(1);
    expect(client.state).toBe('closed');
    expect(states.at(-1)).toBe('closed');
  });
});
