// The worker process killed with SIGKILL in the middle of a webhook delivery loses nothing: the restarted worker
// delivers it once its lease ends, with the same webhook-id. Real `npm start` wiring on the emulators: the worker is a
// supervised child process. (Messages kept for a worker that is down: functions/worker/worker.int.test.ts and the
// EventBus contract.)
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../core/support/log.ts';
import { parseStackConfig } from '../../scripts/stack/stack-config.ts';
import { startStack, type RunningStack } from '../../scripts/stack/start-stack.ts';
import { emulatorsAvailable } from '../backends.ts';
import { freePort } from '../emulators.ts';
import { apiToken } from './local-stack.ts';
import { descendants } from './process-tree.ts';

interface Received {
  id: string;
  type: string;
}

let stack: RunningStack | undefined;
const held: ServerResponse[] = [];
afterAll(async () => {
  for (const res of held) res.destroy();
  await stack?.stop();
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 90_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function workerPid(): number | undefined {
  const found = descendants(process.pid).filter(
    (p) =>
      p.command.includes('scripts/stack/worker-main.ts') && !p.command.includes('esbuild') && p.state !== 'Z',
  );
  return found.length === 1 ? found[0]!.pid : undefined;
}

it.skipIf(!emulatorsAvailable())(
  'a worker killed mid-delivery loses no delivery',
  async () => {
    // The receiver holds the first request open (the worker is "mid-delivery" when it dies), then answers 200.
    const received: Received[] = [];
    const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({
          id: String(req.headers['webhook-id']),
          type: (JSON.parse(body) as { type: string }).type,
        });
        if (received.length === 1) {
          held.push(res);
          return;
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const [apiPort, relayPort, dashboardPort, simulatorPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const config = parseStackConfig({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CALLRELAY_BACKEND: 'google',
      CALLRELAY_PROVIDERS: 'simulated',
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
      GOOGLE_CLOUD_PROJECT: `demo-worker-kill-${randomBytes(4).toString('hex')}`,
      API_PORT: String(apiPort),
      RELAY_PORT: String(relayPort),
      DASHBOARD_PORT: String(dashboardPort),
      SIMULATOR_PORT: String(simulatorPort),
      SIMULATOR_SPEED: '50',
      SCHEDULER_TICK_MS: '200',
      WORKER_LEASE_SECS: '5',
      JWT_SECRET: randomBytes(32).toString('hex'),
      DEV_USER_ROLE: 'admin',
      DEV_USER_PASSWORD: `pw-${randomBytes(6).toString('hex')}`,
      LOG_LEVEL: 'ERROR',
    });
    stack = await startStack(config, createLogger({ level: 'ERROR' }), {
      restartPolicy: { initialBackoffMs: 1000 },
    });
    const token = await apiToken(stack);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${stack!.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const endpoint = await api('POST', '/webhook-endpoints', {
      url: receiverUrl,
      events: ['call.completed'],
    });
    expect(endpoint.status).toBe(201);
    const endpointId = endpoint.body.id as string;

    // 1. Mid-delivery: the first attempt of a test event is in flight when the worker dies.
    expect((await api('POST', `/webhook-endpoints/${endpointId}/test`)).status).toBeLessThan(300);
    await until('the first attempt reaches the receiver', () => (received.length === 1 ? true : undefined));
    const victim = await until('the worker process', workerPid);
    process.kill(victim, 'SIGKILL');

    // 2. The restarted worker takes the orphaned delivery over after its lease (same webhook-id).
    await until('a new worker process', () => {
      const pid = workerPid();
      return pid !== undefined && pid !== victim ? pid : undefined;
    });
    const first = received[0]!;
    await until('the orphaned delivery, again', () =>
      received.slice(1).some((r) => r.id === first.id) ? true : undefined,
    );
    receiver.close();
  },
  240_000,
);
