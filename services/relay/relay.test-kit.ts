// Test kit for relay suites: a relay on port 0 over a chosen backend, token minting, raw ws clients, event seeding.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createTokenSigner } from '../../core/auth/sign-token.ts';
import { createTokenVerifier, type TokenVerifier } from '../../core/auth/verify-token.ts';
import type { AuthConfig } from '../../core/auth/auth-config.ts';
import type { Role } from '../../core/domain/credentials.ts';
import { createBackend, type Backend } from '../../core/composition/backend.ts';
import { createTicketIssuer } from '../../core/auth/issue-ticket.ts';
import type { TicketVerifier } from '../../core/auth/verify-ticket.ts';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { Clock } from '../../core/support/clock.ts';
import { createLogger, type Logger } from '../../core/support/log.ts';
import { RELAY_WS_PATH, type ServerMessage } from '../../core/protocol/relay-messages.ts';
import { uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { RELAY_DEFAULTS, type RelayConfig } from './relay-config.ts';
import { composeRelay } from './compose-relay.ts';
import type { Relay } from './relay-server.ts';

export const TEST_AUTH: AuthConfig = {
  issuer: 'callrelay-test',
  audience: 'callrelay-dispatch-test',
  secret: new TextEncoder().encode('test-secret-that-is-long-enough-0123456789'),
  algorithms: ['HS256'],
  tokenTtlSecs: 3600,
  maxSessionSecs: 43_200,
};

/** Errors only, so test output stays readable; set LOG_LEVEL=DEBUG to see everything. */
export const quietLogger: Logger = createLogger({
  level: process.env.LOG_LEVEL === 'DEBUG' ? 'DEBUG' : 'ERROR',
});

export interface RelayFixture {
  relay: Relay;
  backend: Backend;
  config: RelayConfig;
  port: number;
  url: string;
  /** A valid token for `org` (default org-a). */
  token(claims?: { sub?: string; org?: string; role?: Role }, ttlSecs?: number): Promise<string>;
  /** A single-use relay ticket for a fresh token with `claims`, as `POST /relay/tickets` issues it. */
  ticket(claims?: { sub?: string; org?: string; role?: Role }): Promise<string>;
  close(): Promise<void>;
}

/** Backend config for tests: a fresh project per call on the emulators, so suites never see each other's data. */
export function testBackendConfig(name: BackendName, projectId = uniqueProjectId('demo-relay')) {
  return {
    backend: name,
    projectId,
    topic: 'callrelay-events',
    ...(name === 'google'
      ? {
          firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST,
          pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST,
        }
      : {}),
  } as const;
}

export async function startRelay(
  backendName: BackendName,
  overrides: Partial<RelayConfig> = {},
  options: {
    backend?: Backend;
    verifyToken?: TokenVerifier;
    verifyTicket?: TicketVerifier;
    port?: number;
    clock?: Clock;
  } = {},
): Promise<RelayFixture> {
  const backend =
    options.backend ?? (await createBackend(testBackendConfig(backendName), { logger: quietLogger }));
  const config: RelayConfig = {
    ...RELAY_DEFAULTS,
    instanceId: `t${Math.random().toString(36).slice(2, 10)}`,
    ...overrides,
    port: options.port ?? 0,
    host: '127.0.0.1',
  };
  const { relay, port } = await composeRelay({
    config,
    backend,
    auth: TEST_AUTH,
    logger: quietLogger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.verifyToken ? { verifyToken: options.verifyToken } : {}),
    ...(options.verifyTicket ? { verifyTicket: options.verifyTicket } : {}),
  });
  const sign = await createTokenSigner(TEST_AUTH);
  const issueTicket = await createTicketIssuer(TEST_AUTH);
  const verifyTest = createTokenVerifier(TEST_AUTH);
  const token: RelayFixture['token'] = async (claims = {}, ttlSecs) =>
    (
      await sign(
        { sub: claims.sub ?? 'disp-1', org: claims.org ?? 'org-a', role: claims.role ?? 'dispatcher' },
        ttlSecs,
      )
    ).token;
  return {
    relay,
    backend,
    config,
    port,
    url: `ws://127.0.0.1:${port}${RELAY_WS_PATH}`,
    token,
    ticket: async (claims) => (await issueTicket(await verifyTest(await token(claims)))).ticket,
    close: async () => {
      await relay.close();
      if (!options.backend) await backend.close();
    },
  };
}

/** A raw `ws` client that records every server message and its close. */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // PROTOCOL.md: every frame is JSON text, also the ones the relay sends as pre-encoded bytes. A throw here is an
      // unhandled error, which fails the test run.
      if (isBinary) throw new Error('the relay sent a binary frame');
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    ws.on('error', () => {});
  }

  static async open(url: string, token: string): Promise<TestSocket> {
    const socket = new TestSocket(new WebSocket(`${url}?token=${encodeURIComponent(token)}`));
    await once(socket.ws, 'open');
    await socket.waitFor((m) => m.type === 'authenticated');
    return socket;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves the first recorded message matching `predicate` (already received or future). */
  async waitFor<T extends ServerMessage = ServerMessage>(
    predicate: (m: ServerMessage) => boolean,
    timeoutMs = 5000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found as T;
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = this.messages.slice(-5).map((m) => ('seq' in m ? `${m.type}#${m.seq}` : m.type));
        throw new Error(`timed out after ${this.messages.length} messages; last: ${last.join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The seqs of durable events received for `callId`, in arrival order. */
  seqs(callId: string): number[] {
    return this.messages.flatMap((m) => ('seq' in m && m.callId === callId ? [m.seq] : []));
  }

  async waitForSeq(callId: string, seq: number, timeoutMs = 5000): Promise<void> {
    await this.waitFor((m) => 'seq' in m && m.callId === callId && m.seq >= seq, timeoutMs);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Creates a call and appends `count` driver segments; returns the stored events (not published). */
export async function seedCall(
  backend: Backend,
  callId: string,
  options: { orgId?: string; count?: number } = {},
): Promise<{ call: Call; events: CallEvent[] }> {
  await backend.store.createCall({
    callId,
    orgId: options.orgId ?? 'org-a',
    driver: { id: 'd1', name: 'Dana' },
  });
  return appendSegments(backend, callId, options.count ?? 0);
}

/** Appends `count` segments to a call; returns the new events and the call after the last one. */
export async function appendSegments(
  backend: Backend,
  callId: string,
  count: number,
  text = (i: number) => `line ${i}`,
): Promise<{ call: Call; events: CallEvent[] }> {
  const events: CallEvent[] = [];
  let call = (await backend.store.getCall(callId))!;
  for (let i = 0; i < count; i++) {
    const result = await backend.store.append(callId, {
      dedupeKey: `seg-${call.lastSeq + 1}-${Math.random().toString(36).slice(2)}`,
      body: {
        kind: 'segment',
        speaker: i % 2 ? 'agent' : 'driver',
        text: text(call.lastSeq + 1),
        source: 'twilio_realtime',
      },
    });
    if (result.outcome !== 'appended') throw new Error(`append ${result.outcome}`);
    events.push(result.event);
    call = result.call;
  }
  return { call, events };
}

/** Publishes stored events on the bus as the webhooks do (event + call snapshot). */
export async function publishEvents(backend: Backend, call: Call, events: CallEvent[]): Promise<void> {
  for (const event of events)
    await backend.bus.publish({ type: 'event', event, call: { ...call, lastSeq: event.seq } });
}

/** The HTTP status an upgrade attempt ends with: 101 when a WebSocket opened, else the refusal's status. */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return (await upgradeResponse(url, headers)).status;
}

/** How an upgrade attempt ends: 101 (socket closed again at once), or the refusal's status and JSON body. */
export async function upgradeResponse(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body?: unknown }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
        ws.terminate();
      });
    });
    ws.on('open', () => {
      resolve({ status: 101 });
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
  });
}

/** 1..n */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
