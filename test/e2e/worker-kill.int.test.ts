// The worker process killed with SIGKILL in the middle of work loses nothing: a webhook delivery it was sending is
// delivered by the restarted worker once its lease ends (same webhook-id), and a call that ends while no worker runs
// still produces its call.completed event (the durable bus group kept the messages). Real `npm start` wiring on the
// emulators: the worker is a supervised child process.
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
  'a worker killed mid-delivery and while calls end loses no event',
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
      // The supervisor waits 10 s before restarting the worker: long enough for a whole call to end meanwhile.
      restartPolicy: { initialBackoffMs: 10_000 },
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

    // 2. While no worker runs, a call is placed and ends (the API dials; the simulator plays it).
    const call = await api('POST', '/driver_data/call-elevenlabs', {
      driverId: 'D-kill',
      driverName: 'Pat Kill',
      phoneNumber: '+15550001231',
      violations: [{ type: 'violation', description: 'Reefer at 45°F, needs 38°F' }],
    });
    expect(call.status).toBe(201);
    const callId = call.body.callId as string;
    await until('the call ended with its outcome stored', async () => {
      const res = await api('GET', `/calls/${callId}`);
      return res.body.status === 'completed' && res.body.outcome ? true : undefined;
    });
    expect(workerPid(), 'no worker ran while the call ended').toBeUndefined();

    // 3. The restarted worker takes the orphaned delivery over after its lease (same webhook-id) and delivers the
    //    call's outcome from the bus group that kept it.
    await until('a new worker process', () => {
      const pid = workerPid();
      return pid !== undefined && pid !== victim ? pid : undefined;
    });
    const first = received[0]!;
    await until('the orphaned delivery, again', () =>
      received.slice(1).some((r) => r.id === first.id) ? true : undefined,
    );
    await until('call.completed of the call that ended while no worker ran', () =>
      received.some((r) => r.type === 'call.completed') ? true : undefined,
    );
    expect(received.filter((r) => r.type === 'call.completed')).toHaveLength(1);
    receiver.close();
  },
  240_000,
);
