// superviseChild with real child processes: exits are logged and restarted with backoff; a crash loop gives up.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/support/log.ts';
import { spawnGroup } from './child-process.ts';
import {
  superviseChild,
  SupervisorGaveUpError,
  type RestartPolicy,
  type SupervisedProcess,
  type Supervisor,
} from './supervisor.ts';

/** Short waits, and a failure window far longer than any test, so no assertion depends on how fast the box is. */
const FAST: Partial<RestartPolicy> = {
  initialBackoffMs: 10,
  maxBackoffMs: 40,
  healthyAfterMs: 600_000,
  maxFailures: 3,
  failureWindowMs: 600_000,
};

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop();
});

interface Harness {
  supervisor: Supervisor;
  pids: number[];
  logs: string[];
  gaveUp: SupervisorGaveUpError[];
}

/** Supervises `node -e script`; every started instance's pid is recorded. */
async function supervised(script: string, policy: Partial<RestartPolicy> = FAST): Promise<Harness> {
  const pids: number[] = [];
  const logs: string[] = [];
  const gaveUp: SupervisorGaveUpError[] = [];
  const supervisor = await superviseChild({
    name: 'worker',
    start: async (): Promise<SupervisedProcess> => {
      const child = spawnGroup('worker', process.execPath, ['-e', script], { env: process.env });
      pids.push(child.process.pid!);
      return { exited: child.exited, stop: () => child.stop(2000) };
    },
    logger: createLogger({ sink: (line) => logs.push(JSON.parse(line).message as string) }),
    onGiveUp: (err) => gaveUp.push(err),
    policy,
  });
  supervisors.push(supervisor);
  return { supervisor, pids, logs, gaveUp };
}

const RUNS_FOREVER = 'setInterval(() => {}, 1000)';
const until = (check: () => boolean) => expect.poll(check, { timeout: 20_000, interval: 20 }).toBe(true);

describe('superviseChild', () => {
  it('logs a child killed with SIGKILL and restarts it', async () => {
    const h = await supervised(RUNS_FOREVER);
    process.kill(h.pids[0]!, 'SIGKILL');
    await until(() => h.pids.length === 2);
    expect(h.logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^worker exited with signal SIGKILL after \d+ ms$/),
        'restarting worker in 10 ms',
        'worker restarted',
      ]),
    );
    expect(() => process.kill(h.pids[1]!, 0)).not.toThrow();
    expect(h.gaveUp).toEqual([]);
  });

  it('doubles the wait after each failure, up to the maximum', async () => {
    const h = await supervised('setTimeout(() => process.exit(3), 20)', { ...FAST, maxFailures: 5 });
    await until(() => h.gaveUp.length === 1);
    const waits = h.logs
      .filter((l) => l.startsWith('restarting'))
      .map((l) => Number(/in (\d+) ms/.exec(l)![1]));
    expect(waits).toEqual([10, 20, 40, 40]);
    expect(h.logs[0]).toMatch(/^worker exited with code 3 after \d+ ms$/);
  });

  it('gives up on a child that always crashes, naming it and the last failure', async () => {
    const h = await supervised('process.exit(7)');
    await until(() => h.gaveUp.length === 1);
    const [err] = h.gaveUp;
    expect(err).toBeInstanceOf(SupervisorGaveUpError);
    expect(err!.message).toMatch(
      /^the worker failed 3 times within 600 s \(last: exited with code 7 after \d+ ms\)/,
    );
    const started = h.pids.length;
    expect(started).toBe(3);
    // Given up means given up: nothing is started any more.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.pids.length).toBe(started);
  });

  it('counts restarts that fail to start as failures', async () => {
    let attempts = 0;
    const gaveUp: SupervisorGaveUpError[] = [];
    const child = spawnGroup('worker', process.execPath, ['-e', RUNS_FOREVER], { env: process.env });
    const supervisor = await superviseChild({
      name: 'worker',
      start: async () => {
        if (attempts++ === 0) return { exited: child.exited, stop: () => child.stop() };
        throw new Error('port 1234 is already in use');
      },
      logger: createLogger({ sink: () => {} }),
      onGiveUp: (err) => gaveUp.push(err),
      policy: FAST,
    });
    supervisors.push(supervisor);
    process.kill(child.process.pid!, 'SIGKILL');
    await until(() => gaveUp.length === 1);
    expect(gaveUp[0]!.message).toContain('last: restart failed: port 1234 is already in use');
    expect(attempts).toBe(3);
  });

  it('starts counting afresh after a child was healthy long enough', async () => {
    // healthyAfterMs 0: every instance counts as healthy, so crashes never add up to maxFailures.
    const h = await supervised(RUNS_FOREVER, { ...FAST, healthyAfterMs: 0 });
    for (let kill = 1; kill <= 6; kill++) {
      process.kill(h.pids.at(-1)!, 'SIGKILL');
      await until(() => h.pids.length === kill + 1);
    }
    expect(h.gaveUp).toEqual([]);
    const waits = h.logs.filter((l) => l.startsWith('restarting'));
    expect(new Set(waits)).toEqual(new Set(['restarting worker in 10 ms']));
  });

  it('does not count a restart on purpose as a failure', async () => {
    const h = await supervised(RUNS_FOREVER, { ...FAST, maxFailures: 1 });
    await h.supervisor.restart(0);
    await h.supervisor.restart(0);
    expect(h.pids).toHaveLength(3);
    expect(h.gaveUp).toEqual([]);
    expect(h.logs.filter((l) => l.includes('exited'))).toEqual([]);
    expect(() => process.kill(h.pids[2]!, 0)).not.toThrow();
  });

  it('stops the child and restarts nothing after stop()', async () => {
    const h = await supervised(RUNS_FOREVER);
    await h.supervisor.stop();
    expect(() => process.kill(h.pids[0]!, 0)).toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect(h.pids).toHaveLength(1);
    expect(h.logs).toEqual([]);
  });
});
