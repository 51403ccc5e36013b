// Reliability suite harness: API + webhooks + simulator + relay on loopback, relay clients that record every frame.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { createTokenVerifier } from '../../core/auth/verify-token.ts';
import { createBackend, type Backend } from '../../core/composition/backend.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { MemoryEventBus } from '../../core/adapters/memory/memory-event-bus.ts';
import { eventMessage, type EventMessage } from '../../core/protocol/relay-messages.ts';
import { RelayClient, type WebSocketConstructor } from '../../client/relay-client.ts';
import { startApiStack, type ApiStack, type StackOptions } from '../../functions/api/api.test-kit.ts';
import { startRelay, type RelayFixture } from '../../services/relay/relay.test-kit.ts';
import type { RelayConfig } from '../../services/relay/relay-config.ts';
import type { RecordedDelivery } from '../../simulator/index.ts';
import type { BackendName } from '../backends.ts';
import { startGrpcFaultProxy, type GrpcFaultProxy } from './grpc-fault-proxy.ts';

export const PUBLISH_METHOD = '/google.pubsub.v1.Publisher/Publish';

/** Makes every bus publish of the API fail for a while: a real failure of the adapter, not a stub of our code. */
export interface BusOutage {
  start(): void;
  stop(): void;
  /** Publishes refused so far (google: counted on the wire; memory: not observable, 0). */
  readonly refused: number;
}

export interface ReliabilityStack {
  backendName: BackendName;
  api: ApiStack;
  /** A dispatcher token of the API's org (accepted by the relay). */
  token: string;
  jwtSecret: string;
  relay: RelayFixture;
  relayUrl: string;
  busOutage: BusOutage;
  /**
   * Closes the in-process relay (clients see 1001), waits `downMs` and runs `whileDown` (if given), then starts a
   * new one on the same port.
   */
  restartRelay(downMs: number, whileDown?: () => Promise<void>): Promise<void>;
  /** The stored history of a call, straight from the store (the ground truth). */
  stored(callId: string): Promise<CallEvent[]>;
  close(): Promise<void>;
}

export async function startReliabilityStack(
  backendName: BackendName,
  options: Omit<StackOptions, 'backend'> & { relay?: Partial<RelayConfig>; proxyBus?: boolean } = {},
): Promise<ReliabilityStack> {
  const jwtSecret = randomBytes(32).toString('base64url');
  let proxy: GrpcFaultProxy | undefined;
  if (backendName === 'google' && options.proxyBus) {
    proxy = await startGrpcFaultProxy(process.env.PUBSUB_EMULATOR_HOST!, [PUBLISH_METHOD]);
  }
  const api = await startApiStack({
    ...options,
    backend: backendName,
    env: {
      JWT_SECRET: jwtSecret,
      PROVIDER_TIMEOUT_MS: '5000',
      ...(proxy ? { PUBSUB_EMULATOR_HOST: proxy.host } : {}),
      ...options.env,
    },
  });
  // The relay reads and subscribes on its own clients (google) or shares the in-process backend (memory).
  const relayBackend: Backend =
    backendName === 'memory'
      ? api.backend
      : await createBackend({
          backend: 'google',
          projectId: api.config.backend.projectId,
          topic: api.config.backend.topic,
          firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST,
          pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST,
        });
  const verifyToken = createTokenVerifier(api.config.auth);
  const relayOverrides: Partial<RelayConfig> = { host: '127.0.0.1', closeGraceMs: 1000, ...options.relay };
  let relay = await startRelay(backendName, relayOverrides, { backend: relayBackend, verifyToken });
  const token = await api.login();
  const memoryBus = api.backend.bus as MemoryEventBus;
  const busOutage: BusOutage = {
    start: () => {
      if (proxy) proxy.failing = true;
      else if (backendName === 'memory') memoryBus.failPublishes = true;
      else throw new TypeError('start the stack with proxyBus: true to inject bus failures on google');
    },
    stop: () => {
      if (proxy) proxy.failing = false;
      else if (backendName === 'memory') memoryBus.failPublishes = false;
    },
    get refused() {
      return proxy?.injected ?? 0;
    },
  };
  const stack: ReliabilityStack = {
    backendName,
    api,
    token,
    jwtSecret,
    get relay() {
      return relay;
    },
    relayUrl: relay.url,
    busOutage,
    restartRelay: async (downMs, whileDown) => {
      const port = relay.port;
      await relay.close();
      await sleep(downMs);
      await whileDown?.();
      relay = await startRelay(backendName, relayOverrides, { backend: relayBackend, verifyToken, port });
    },
    stored: (callId) => relayBackend.store.eventsAfter(callId, 0, 10_000),
    close: async () => {
      await relay.close();
      await api.close();
      if (relayBackend !== api.backend) await relayBackend.close();
      await proxy?.close();
    },
  };
  return stack;
}

/** One WebSocket connection of a subscriber, as seen on the wire. */
export interface WireConnection {
  /** Durable event frames in arrival order. */
  events: EventMessage[];
  /** The handshake completed (failed reconnect attempts while the relay is down are recorded too). */
  opened: boolean;
  closeCode: number | null;
  socket: WebSocket;
}

/** A dispatcher using the client library over `ws`, recording what its callbacks see and what the wire carried. */
export class Subscriber {
  readonly client: RelayClient;
  readonly connections: WireConnection[] = [];
  readonly delivered = new Map<string, EventMessage[]>();
  readonly snapshots = new Map<string, number[]>();
  readonly errors: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    url: string,
    token: string,
  ) {
    const connections = this.connections;
    const wake = () => this.wake();
    // `ws` with a tap: every frame and close code per connection, before the client library filters anything.
    class TappedWebSocket extends WebSocket {
      constructor(address: string) {
        super(address);
        const connection: WireConnection = { events: [], opened: false, closeCode: null, socket: this };
        this.on('open', () => (connection.opened = true));
        connections.push(connection);
        this.on('message', (data) => {
          const message = JSON.parse(String(data)) as { seq?: unknown };
          if (typeof message.seq === 'number') connection.events.push(message as EventMessage);
        });
        this.on('close', (code) => {
          connection.closeCode = code;
          wake();
        });
      }
    }
    this.client = new RelayClient({
      url,
      getToken: () => token,
      WebSocket: TappedWebSocket as unknown as WebSocketConstructor,
      backoff: { initialMs: 100, maxMs: 400 },
    });
    this.client.connect();
  }

  subscribe(callId: string): void {
    this.delivered.set(callId, []);
    this.snapshots.set(callId, []);
    this.client.subscribe(callId, {
      onEvent: (event) => {
        this.delivered.get(callId)!.push(event);
        this.wake();
      },
      onSnapshot: (_call, lastSeq) => {
        this.snapshots.get(callId)!.push(lastSeq);
        this.wake();
      },
      onError: (error) => this.errors.push(`${callId}: ${error.code}`),
    });
  }

  lastSeq(callId: string): number {
    return this.delivered.get(callId)?.at(-1)?.seq ?? 0;
  }

  /** Durable frames the wire carried for `callId`, over every connection. */
  wireEvents(callId: string): EventMessage[] {
    return this.connections.flatMap((c) => c.events.filter((e) => e.callId === callId));
  }

  /** Connections whose handshake completed. */
  get opened(): WireConnection[] {
    return this.connections.filter((c) => c.opened);
  }

  async waitUntil(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.client.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A frame exactly as the relay sends a stored event (JSON round trip drops undefined fields). */
export function expectedFrame(event: CallEvent): EventMessage {
  return JSON.parse(JSON.stringify(eventMessage(event))) as EventMessage;
}

/**
 * The core guarantee: the store holds seq 1..N with no gap, the subscriber's callbacks saw exactly those events
 * (same seqs, same content) once and in order, and the wire itself carried each of them once (no duplicate hidden by
 * the client's own de-duplication).
 */
export function expectExactlyOnce(sub: Subscriber, callId: string, stored: CallEvent[]): void {
  const label = `${sub.name} / ${callId}`;
  expect(
    stored.map((e) => e.seq),
    `${label}: stored seqs`,
  ).toEqual(range(1, stored.length));
  expect(sub.delivered.get(callId), `${label}: delivered events`).toEqual(stored.map(expectedFrame));
  expect(
    sub.wireEvents(callId).map((e) => e.seq),
    `${label}: seqs on the wire`,
  ).toEqual(range(1, stored.length));
}

/** Waits until every subscriber delivered the call's stored history up to its last seq. */
export async function waitForCatchUp(
  subscribers: Subscriber[],
  stack: ReliabilityStack,
  callIds: string[],
  timeoutMs = 20_000,
): Promise<void> {
  for (const callId of callIds) {
    const last = (await stack.stored(callId)).at(-1)?.seq ?? 0;
    for (const sub of subscribers) {
      await sub.waitUntil(() => sub.lastSeq(callId) >= last, `${callId} seq ${last}`, timeoutMs);
    }
  }
}

/** Simulator bookkeeping for the one-line summaries. */
export function faultCounts(deliveries: RecordedDelivery[]): {
  deliveries: number;
  duplicates: number;
  dropped: number;
  retried: number;
  reordered: number;
} {
  let reordered = 0;
  const lastStatusSeq = new Map<string, number>();
  for (const d of deliveries) {
    if (d.kind !== 'twilio-status' || d.duplicate || d.outcome === 'dropped') continue;
    const seq = Number((d.payload as Record<string, string>).SequenceNumber);
    const key = d.callSid ?? '';
    if (seq < (lastStatusSeq.get(key) ?? -1)) reordered++;
    lastStatusSeq.set(key, Math.max(seq, lastStatusSeq.get(key) ?? -1));
  }
  return {
    deliveries: deliveries.filter((d) => d.outcome !== 'dropped').length,
    duplicates: deliveries.filter((d) => d.duplicate).length,
    dropped: deliveries.filter((d) => d.outcome === 'dropped').length,
    retried: deliveries.filter((d) => d.attempts > 1).length,
    reordered,
  };
}

export function summary(
  scenario: string,
  backend: BackendName,
  fields: Record<string, number | string>,
): void {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  console.info(`[reliability] ${scenario} (${backend}): ${parts.join(' ')}`);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined). */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
