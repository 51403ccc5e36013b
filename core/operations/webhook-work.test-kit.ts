// Test kit for outbound webhooks: a real receiver on loopback, and the webhook WorkModule on a DueWorkRunner fed by
// the backend's real bus (memory or emulators), with a clock the test moves.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { HttpWebhookTransport } from '../adapters/http-webhook-transport.ts';
import { createBackend, type Backend } from '../composition/backend.ts';
import type { WebhookEndpoint, WebhookEventType } from '../domain/webhook.ts';
import type { BusMessage, BusSubscription } from '../ports/event-bus.ts';
import type { Clock } from '../support/clock.ts';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from '../support/config.ts';
import { createLogger } from '../support/log.ts';
import { uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { DueWorkRunner } from './due-work-runner.ts';
import { createWebhookWork } from './webhook-work.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import type { WorkModule } from './work-module.ts';

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  /** Arrival time (real clock). */
  at: number;
}

/** What the receiver answers the n-th request (0-based): a status, or `hang` (never answers until closed). */
export type Answer = (request: ReceivedRequest, n: number) => number | 'hang';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests being held open (`hang`). */
  readonly hanging: number;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer = () => 200): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let hanging = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      const request = { headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(request);
      const status = answer(request, requests.length - 1);
      if (status === 'hang') {
        hanging += 1;
        res.on('close', () => (hanging -= 1));
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    get hanging() {
      return hanging;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verifies a received request with the reference `standardwebhooks` library; throws when it does not verify. */
export function verify(secret: string, request: ReceivedRequest): unknown {
  return new Webhook(secret).verify(request.body, request.headers);
}

/** Real time plus an offset the test moves: signatures stay within the verifier's 5-minute tolerance. */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface WebhookKit {
  backend: Backend;
  clock: MovableClock;
  module: WorkModule;
  runner: DueWorkRunner;
  /** Bus messages the module has finished handling. */
  handled: BusMessage[];
  addEndpoint(
    url: string,
    events: WebhookEventType[],
    options?: Partial<WebhookEndpoint>,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  close(): Promise<void>;
}

export interface WebhookKitOptions {
  backend: BackendName;
  config?: Partial<WebhookConfig>;
  /** The transport's request timeout (default its 10 s). */
  timeoutMs?: number;
  leaseMs?: number;
  concurrency?: number;
  /** Default true: tick the runner every 20 ms. */
  ticking?: boolean;
}

export const KIT_ORG = 'org-hooks';

export async function startWebhookKit(options: WebhookKitOptions): Promise<WebhookKit> {
  const logger = createLogger({ sink: () => {}, level: 'ERROR' });
  const clock = new MovableClock();
  const backend = await createBackend(
    {
      backend: options.backend,
      projectId: uniqueProjectId('demo-hooks'),
      topic: `hooks-${randomUUID().slice(0, 8)}`,
      ...(options.backend === 'google'
        ? {
            firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST,
            pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST,
          }
        : {}),
    },
    { logger, clock },
  );
  const module = createWebhookWork({
    endpoints: backend.webhooks,
    dueWork: backend.dueWork,
    store: backend.store,
    transport: new HttpWebhookTransport({
      allowPrivateUrls: true,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    }),
    clock,
    logger,
    config: { ...WEBHOOK_DEFAULTS, ...options.config },
  });
  const runner = new DueWorkRunner({
    dueWork: backend.dueWork,
    clock,
    logger,
    concurrency: options.concurrency ?? 8,
    leaseMs: options.leaseMs ?? 30_000,
    errorRetryMs: 500,
  });
  for (const [kind, handler] of Object.entries(module.handlers)) if (handler) runner.handle(kind, handler);
  const handled: BusMessage[] = [];
  const subscription: BusSubscription = await backend.bus.subscribe(
    `hooks-${randomUUID().slice(0, 8)}`,
    async (m) => {
      await module.onBusMessage(m);
      handled.push(m);
    },
  );
  let stopped = false;
  const ticker =
    options.ticking === false
      ? undefined
      : setInterval(() => {
          if (!stopped) runner.tick().catch(() => {});
        }, 20);
  return {
    backend,
    clock,
    module,
    runner,
    handled,
    addEndpoint: async (url, events, extra = {}) => {
      const secret = newWebhookSecret();
      const endpoint: WebhookEndpoint = {
        id: `ep_${randomUUID().replaceAll('-', '')}`,
        orgId: KIT_ORG,
        url,
        events,
        includePhoneNumbers: false,
        secrets: { current: secret },
        status: 'active',
        createdAt: clock.now().toISOString(),
        ...extra,
      };
      await backend.webhooks.createEndpoint(endpoint, 20);
      return { endpoint, secret };
    },
    close: async () => {
      stopped = true;
      if (ticker) clearInterval(ticker);
      await subscription.close();
      await runner.drain();
      await backend.close();
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `ms` (generous: busy CI machines). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  ms = 20_000,
  what = 'condition',
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
