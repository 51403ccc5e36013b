// The relay as a real process (`main.ts`): SIGTERM inside Cloud Run's window, and fan-out across two instances on Pub/Sub.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { PubSub } from '@google-cloud/pubsub';
import { createBackend } from '../../core/composition/backend.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { emulatorsAvailable, uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { freePort } from '../../test/emulators.ts';
import { createTokenSigner } from '../../core/auth/sign-token.ts';
import {
  appendSegments,
  publishEvents,
  quietLogger,
  range,
  seedCall,
  TEST_AUTH,
  testBackendConfig,
  TestSocket,
} from './relay.test-kit.ts';

const MAIN = new URL('./main.ts', import.meta.url).pathname;
const TOPIC = 'callrelay-events';

interface RelayProcess {
  child: ChildProcess;
  port: number;
  url: string;
  exited: Promise<number | null>;
  output: () => string;
}

async function spawnRelay(
  backend: BackendName,
  projectId: string,
  instanceId: string,
): Promise<RelayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH,
      CALLRELAY_BACKEND: backend,
      GOOGLE_CLOUD_PROJECT: projectId,
      CALLRELAY_TOPIC: TOPIC,
      ...(backend === 'google'
        ? {
            FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
            PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
          }
        : {}),
      RELAY_PORT: String(port),
      RELAY_HOST: '127.0.0.1',
      RELAY_INSTANCE_ID: instanceId,
      JWT_SECRET: new TextDecoder().decode(TEST_AUTH.secret),
      JWT_ISSUER: TEST_AUTH.issuer,
      JWT_AUDIENCE: TEST_AUTH.audience,
      LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited early:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`relay not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, url: `ws://127.0.0.1:${port}${RELAY_WS_PATH}`, exited, output: () => output };
}

async function relaySubscriptions(projectId: string): Promise<string[]> {
  const pubsub = new PubSub({ projectId, apiEndpoint: process.env.PUBSUB_EMULATOR_HOST, emulatorMode: true });
  try {
    const [subs] = await pubsub.topic(TOPIC).getSubscriptions();
    return subs.map((s) => s.name.split('/').pop()!).sort();
  } finally {
    await pubsub.close();
  }
}

describe('relay process', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  const sign = createTokenSigner(TEST_AUTH);
  const token = async () => (await (await sign)({ sub: 'disp-1', org: 'org-a', role: 'dispatcher' })).token;

  async function sigtermClosesEverything(backend: BackendName): Promise<void> {
    const projectId = uniqueProjectId('demo-relay-term');
    const relay = await spawnRelay(backend, projectId, 'term1');
    children.push(relay.child);
    const sockets = await Promise.all(
      range(1, 20).map(async () => TestSocket.open(relay.url, await token())),
    );
    if (backend === 'google')
      expect(await relaySubscriptions(projectId)).toEqual([
        expect.stringMatching(new RegExp(`^${TOPIC}-relay-term1-[0-9a-f]{8}$`)),
      ]);
    const started = Date.now();
    relay.child.kill('SIGTERM');
    const codes = await Promise.all(sockets.map(async (s) => (await s.closed).code));
    const exitCode = await relay.exited;
    const elapsedMs = Date.now() - started;
    console.info(`SIGTERM (${backend}): 20 sockets closed, process exited ${exitCode} after ${elapsedMs} ms`);
    expect(codes).toEqual(codes.map(() => 1001));
    expect(exitCode).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    // The instance subscription is deleted on the way out.
    if (backend === 'google') expect(await relaySubscriptions(projectId)).toEqual([]);
  }

  it('SIGTERM (memory backend): every socket closes with 1001, exit 0 in under 10 s', () =>
    sigtermClosesEverything('memory'));

  it.skipIf(!emulatorsAvailable())(
    'SIGTERM (google backend): every socket closes with 1001, subscription deleted, exit 0 in under 10 s',
    () => sigtermClosesEverything('google'),
  );

  it.skipIf(!emulatorsAvailable())(
    'two instances on the Pub/Sub emulator both deliver every event to their own subscribers',
    async () => {
      const projectId = uniqueProjectId('demo-relay-fan');
      const [one, two] = await Promise.all([
        spawnRelay('google', projectId, 'fan1'),
        spawnRelay('google', projectId, 'fan2'),
      ]);
      children.push(one!.child, two!.child);
      expect(await relaySubscriptions(projectId)).toEqual([
        expect.stringMatching(new RegExp(`^${TOPIC}-relay-fan1-[0-9a-f]{8}$`)),
        expect.stringMatching(new RegExp(`^${TOPIC}-relay-fan2-[0-9a-f]{8}$`)),
      ]);
      const backend = await createBackend(testBackendConfig('google', projectId), { logger: quietLogger });
      try {
        const callId = 'fan-call';
        await seedCall(backend, callId, { count: 2 });
        const clients = await Promise.all(
          [one!, two!, one!, two!].map(async (relay) => TestSocket.open(relay.url, await token())),
        );
        for (const c of clients) c.send({ type: 'subscribe', callId });
        await Promise.all(clients.map((c) => c.waitForSeq(callId, 2)));
        const started = Date.now();
        const { call, events } = await appendSegments(backend, callId, 20);
        await publishEvents(backend, call, events);
        await Promise.all(clients.map((c) => c.waitForSeq(callId, 22, 15_000)));
        console.info(
          `fan-out: 20 events appended+published, all 4 clients on 2 instances had them after ${Date.now() - started} ms`,
        );
        for (const c of clients) expect(c.seqs(callId)).toEqual(range(1, 22));
        for (const c of clients) c.close();
      } finally {
        await backend.close();
      }
      one!.child.kill('SIGTERM');
      two!.child.kill('SIGTERM');
      expect(await Promise.all([one!.exited, two!.exited])).toEqual([0, 0]);
      expect(await relaySubscriptions(projectId)).toEqual([]);
    },
  );
});
