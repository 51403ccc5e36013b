// Scenario 2: the relay goes away mid-call (closed and recreated in-process, or SIGKILLed as a child process and
// restarted on the same port); clients reconnect, resume by seq and end with the complete stream, once each.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { triggerBody } from '../../functions/api/api.test-kit.ts';
import { BACKENDS, emulatorsAvailable } from '../backends.ts';
import { freePort } from '../emulators.ts';
import {
  expectExactlyOnce,
  faultCounts,
  sleep,
  startReliabilityStack,
  Subscriber,
  summary,
  waitForCatchUp,
  type ReliabilityStack,
} from './reliability-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
const MAIN = new URL('../../services/relay/main.ts', import.meta.url).pathname;

/** The relay as a real process on the google backend, sharing the stack's project, topic and JWT secret. */
async function spawnRelay(stack: ReliabilityStack, port: number, instanceId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      PATH: process.env.PATH,
      CALLRELAY_BACKEND: 'google',
      GOOGLE_CLOUD_PROJECT: stack.api.config.backend.projectId,
      CALLRELAY_TOPIC: stack.api.config.backend.topic,
      FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
      PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
      RELAY_PORT: String(port),
      RELAY_HOST: '127.0.0.1',
      RELAY_INSTANCE_ID: instanceId,
      JWT_SECRET: stack.jwtSecret,
      LOG_LEVEL: 'ERROR',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('relay process not ready');
    await sleep(50);
  }
}

describe.each(backends)('relay restarts mid-call on %s', (backend) => {
  let stack: ReliabilityStack | undefined;
  const subscribers: Subscriber[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const s of subscribers.splice(0)) s.close();
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await stack?.close();
    stack = undefined;
  });

  it('clients end with the complete stream, no gap, no duplicate', { timeout: 60_000 }, async () => {
    const started = Date.now();
    const s = (stack = await startReliabilityStack(backend, {
      simulator: { speed: 8, script: 'acknowledged', faults: { duplicateRate: 0.2, seed: 5 } },
    }));
    // memory: the in-process relay is closed (1001) and recreated; google: a relay process is SIGKILLed (no close
    // frame, its Pub/Sub subscription left behind) and a new process with the same instance id starts on a new subscription.
    const port = backend === 'google' ? await freePort() : s.relay.port;
    if (backend === 'google') children.push(await spawnRelay(s, port, 'restart1'));
    const url = `ws://127.0.0.1:${port}${RELAY_WS_PATH}`;
    for (let i = 0; i < 3; i++) subscribers.push(new Subscriber(`sub${i}`, url, s.token));

    const created = await Promise.all(
      [0, 1, 2].map(() =>
        s.api.request('POST', '/driver_data/call-elevenlabs', { token: s.token, body: triggerBody() }),
      ),
    );
    const callIds = created.map((res) => {
      expect(res.status).toBe(201);
      return (res.body as { callId: string }).callId;
    });
    for (const sub of subscribers) for (const callId of callIds) sub.subscribe(callId);

    // The scenario holds the calls' scripts while it restarts the relay, so the restart happens mid-call however
    // slowly a busy machine starts a relay process; while the relay is down it lets every call take one step, so
    // events are stored that no relay saw. One SIGKILL on google (a process start is slow), two restarts on memory.
    const restarts = backend === 'google' ? 1 : 2;
    const storedWhileDown: number[] = [];
    const storedCounts = () => Promise.all(callIds.map(async (id) => (await s.stored(id)).length));
    const stepWhileDown = async (before: number[]) => {
      s.api.sim.resume();
      const deadline = Date.now() + 30_000;
      while ((await storedCounts()).some((n, i) => n <= before[i]!)) {
        if (Date.now() > deadline) throw new Error('calls did not advance while the relay was down');
        await sleep(50);
      }
      s.api.sim.pause();
    };
    for (let r = 0; r < restarts; r++) {
      const target = 3 + r * 4;
      await subscribers[0]!.waitUntil(
        () => callIds.every((id) => subscribers[0]!.lastSeq(id) >= target),
        `seq ${target}`,
      );
      s.api.sim.pause();
      // The calls are still going: the restart really happens mid-call.
      for (const id of callIds) expect((await s.api.backend.store.getCall(id))!.status).not.toBe('completed');
      const before = await storedCounts();
      if (backend === 'google') {
        const child = children.at(-1)!;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        await stepWhileDown(before);
        children.push(await spawnRelay(s, port, 'restart1'));
      } else {
        await s.restartRelay(100, () => stepWhileDown(before));
      }
      const after = await storedCounts();
      storedWhileDown.push(after.reduce((n, v, i) => n + v - before[i]!, 0));
      s.api.sim.resume();
    }

    await s.api.settle();
    await waitForCatchUp(subscribers, s, callIds);
    let events = 0;
    for (const callId of callIds) {
      const stored = await s.stored(callId);
      events += stored.length;
      expect(
        stored.some((e) => e.kind === 'transcript'),
        'post-call transcript',
      ).toBe(true);
      for (const sub of subscribers) expectExactlyOnce(sub, callId, stored);
    }
    const expectedCode = backend === 'google' ? 1006 : 1001;
    for (const sub of subscribers) {
      expect(sub.opened.length, `${sub.name} connections`).toBe(restarts + 1);
      expect(sub.opened.slice(0, restarts).map((c) => c.closeCode)).toEqual(
        Array(restarts).fill(expectedCode),
      );
    }
    expect(
      storedWhileDown.reduce((a, b) => a + b, 0),
      'events stored while the relay was down',
    ).toBeGreaterThan(0);
    const faults = faultCounts(s.api.sim.deliveries());
    summary('relay restart', backend, {
      calls: callIds.length,
      events,
      webhooks: faults.deliveries,
      duplicates: faults.duplicates,
      restarts: `${restarts}x ${backend === 'google' ? 'SIGKILL' : 'close(1001)'}`,
      'stored-while-down': storedWhileDown.join('+'),
      reconnects: subscribers.reduce((n, sub) => n + sub.opened.length - 1, 0),
      ms: Date.now() - started,
    });
  });
});
