// N relay clients (the client library over `ws`) subscribed to calls; records every delivery and checks exactly-once.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { RelayClient, type WebSocketConstructor } from '../../client/relay-client.ts';
import type { EventMessage } from '../../core/protocol/relay-messages.ts';

export interface PoolLayout {
  clients: number;
  /** Call ids; client i follows calls i, i+1, … (mod calls.length), `callsPerClient` of them. */
  callIds: string[];
  callsPerClient: number;
}

/** Called for every durable event a subscription delivers (after the library's own exactly-once filter). */
export type DeliveryListener = (event: EventMessage, receivedAt: number) => void;

interface Subscription {
  client: number;
  callId: string;
  /** Seqs in delivery order. */
  seqs: number[];
  snapshot: boolean;
}

export interface DeliveryCheck {
  subscriptions: number;
  deliveries: number;
  /** Human-readable problems: missing seqs, duplicates, out-of-order deliveries. Empty = all good. */
  problems: string[];
}

const OPEN_TIMEOUT_MS = 30_000;

export class SubscriberPool {
  /** Connection drops seen by the clients (each is followed by a reconnect and resume). */
  reconnects = 0;
  /** Subscription errors from the relay (forbidden, too_many_subscriptions, unavailable, …). */
  readonly errors: string[] = [];
  deliveries = 0;
  lastDeliveryAt = 0;
  private readonly subs: Subscription[] = [];
  private readonly clients: RelayClient[] = [];

  private constructor(private readonly onDelivery: DeliveryListener) {}

  /** Connects every client and resolves once every subscription has its `subscribed` snapshot. */
  static async open(
    url: string,
    token: string,
    layout: PoolLayout,
    onDelivery: DeliveryListener,
  ): Promise<SubscriberPool> {
    const pool = new SubscriberPool(onDelivery);
    const perClient = Math.min(layout.callsPerClient, layout.callIds.length);
    let pending = layout.clients * perClient;
    let allSubscribed!: () => void;
    const subscribed = new Promise<void>((resolve) => (allSubscribed = resolve));
    if (pending === 0) allSubscribed();
    for (let c = 0; c < layout.clients; c++) {
      const client = new RelayClient({
        url,
        getToken: () => token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        onStateChange: (state) => {
          if (state === 'reconnecting') pool.reconnects++;
        },
      });
      pool.clients.push(client);
      client.connect();
      for (let k = 0; k < perClient; k++) {
        const callId = layout.callIds[(c + k) % layout.callIds.length]!;
        const sub: Subscription = { client: c, callId, seqs: [], snapshot: false };
        pool.subs.push(sub);
        client.subscribe(callId, {
          onSnapshot: () => {
            if (sub.snapshot) return;
            sub.snapshot = true;
            if (--pending === 0) allSubscribed();
          },
          onEvent: (event) => pool.deliver(sub, event),
          onError: (error) => void pool.errors.push(`client ${c} ${callId}: ${error.code}`),
        });
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${pending} subscriptions not confirmed within ${OPEN_TIMEOUT_MS} ms`)),
        OPEN_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([subscribed, timeout]);
    } catch (err) {
      pool.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return pool;
  }

  get subscriptionCount(): number {
    return this.subs.length;
  }

  /** Resolves true once every subscription has delivered up to `lastSeq` of its call, false on timeout. */
  async waitForAll(lastSeq: ReadonlyMap<string, number>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const done = (): boolean =>
      this.subs.every((s) => (s.seqs[s.seqs.length - 1] ?? 0) >= (lastSeq.get(s.callId) ?? 0));
    while (!done()) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** Every subscription must have received exactly seqs 1..lastSeq of its call, each once, in order. */
  check(lastSeq: ReadonlyMap<string, number>): DeliveryCheck {
    const problems: string[] = [];
    for (const sub of this.subs) {
      const expected = lastSeq.get(sub.callId) ?? 0;
      const seen = new Map<number, number>();
      let outOfOrder = 0;
      sub.seqs.forEach((seq, i) => {
        seen.set(seq, (seen.get(seq) ?? 0) + 1);
        if (i > 0 && seq <= sub.seqs[i - 1]!) outOfOrder++;
      });
      const missing: number[] = [];
      for (let seq = 1; seq <= expected; seq++) if (!seen.has(seq)) missing.push(seq);
      const duplicates = [...seen].filter(([, n]) => n > 1).map(([seq]) => seq);
      const where = `client ${sub.client} call ${sub.callId}`;
      if (missing.length)
        problems.push(`${where}: ${missing.length} missing seqs (first ${missing.slice(0, 5).join(',')})`);
      if (duplicates.length)
        problems.push(
          `${where}: ${duplicates.length} duplicated seqs (first ${duplicates.slice(0, 5).join(',')})`,
        );
      if (outOfOrder) problems.push(`${where}: ${outOfOrder} out-of-order deliveries`);
    }
    return { subscriptions: this.subs.length, deliveries: this.deliveries, problems };
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  private deliver(sub: Subscription, event: EventMessage): void {
    const receivedAt = performance.now();
    sub.seqs.push(event.seq);
    this.deliveries++;
    this.lastDeliveryAt = receivedAt;
    this.onDelivery(event, receivedAt);
  }
}
