// `npm start` as a newcomer runs it: from a clean state, plays a call through the simulator, stops on SIGINT, leaves nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RelayClient, type WebSocketConstructor } from '../../client/relay-client.ts';
import type { Call } from '../../core/domain/call.ts';
import { freePort, gcloudAvailable } from '../emulators.ts';
import { HOSTILE_HEADS, rawRequest, statusOf } from '../raw-http.ts';
import { descendants, stillRunning, type ProcInfo } from './process-tree.ts';

const REPO = resolve(import.meta.dirname, '../..');
const READY_LINE = 'Press Ctrl-C to stop everything.';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const running: Started[] = [];

afterEach(async () => {
  // A failed assertion must not leave a stack running: stop it as Ctrl-C would, then kill whatever is left.
  for (const s of running.splice(0)) {
    if (s.child.exitCode !== null || !s.child.pid) continue;
    const tree = descendants(s.child.pid);
    killGroup(s.child.pid, 'SIGINT');
    await Promise.race([s.exited, new Promise((r) => setTimeout(r, 15_000))]);
    killGroup(s.child.pid, 'SIGKILL');
    for (const p of stillRunning(tree)) process.kill(p.pid, 'SIGKILL');
  }
}, 30_000);

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone
  }
}

async function npmStart(env: Record<string, string>): Promise<Started> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Clean state: the stack must start its own emulators, not reuse the ones the test run shares.
  delete childEnv.FIRESTORE_EMULATOR_HOST;
  delete childEnv.PUBSUB_EMULATOR_HOST;
  // Own process group, like a terminal's foreground job: SIGINT to the group is what Ctrl-C does.
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const started = { child, output: () => text, exited };
  running.push(started);
  return started;
}

async function waitForOutput(s: Started, needle: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!s.output().includes(needle)) {
    if (s.child.exitCode !== null) throw new Error(`npm start exited (${s.child.exitCode}):\n${s.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${needle}" within ${timeoutMs} ms:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function printed(output: string, label: string): string {
  const match = new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output);
  if (!match?.[1]) throw new Error(`no ${label} line in:\n${output}`);
  return match[1];
}

/** Runs the two printed shell lines (login, then the trigger) and returns the trigger's JSON answer. */
function runPrintedCurl(output: string): { callId: string; status: string } {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => l.includes('Trigger a call from a shell:'));
  const script = lines.slice(at + 1, at + 3).map((l) => l.trim());
  expect(script[0]).toMatch(/^TOKEN=\$\(curl /);
  expect(script[1]).toMatch(/^curl .*\/driver_data\/call-elevenlabs/);
  const result = spawnSync('sh', ['-c', script.join('\n')], { encoding: 'utf8', timeout: 20_000 });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { callId: string; status: string };
}

async function tokenFor(apiUrl: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { token: string }).token;
}

async function waitForCompletedCall(apiUrl: string, callId: string, token: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${apiUrl}/calls/${callId}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as {
      call?: { status: string; outcome?: { summary?: string } };
      status?: string;
    };
    const call = body.call ?? (body as { status: string; outcome?: { summary?: string } });
    if (call.status === 'completed' && call.outcome?.summary) break;
    if (Date.now() > deadline) throw new Error(`call did not complete: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const events = await fetch(`${apiUrl}/calls/${callId}/events?limit=500`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await events.json()) as { events: { kind: string; seq: number }[] }).events;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

async function stackEnv(backend: 'memory' | 'google') {
  const ports = {
    API_PORT: await freePort(),
    RELAY_PORT: await freePort(),
    DASHBOARD_PORT: await freePort(),
    SIMULATOR_PORT: await freePort(),
    FIRESTORE_EMULATOR_PORT: await freePort(),
    PUBSUB_EMULATOR_PORT: await freePort(),
  };
  const env: Record<string, string> = {
    CALLRELAY_BACKEND: backend,
    CALLRELAY_PROVIDERS: 'simulated',
    SIMULATOR_SPEED: '20',
    GOOGLE_CLOUD_PROJECT: `demo-npmstart-${Date.now().toString(36)}`,
    WEB_DIST_DIR: mkdtempSync(join(tmpdir(), 'callrelay-npmstart-web-')),
    LOG_LEVEL: 'WARNING',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  return { env, ports };
}

const backends = [
  { backend: 'memory' as const, enabled: true },
  // CI installs gcloud (.ci/run fails without it), so this only skips on a laptop without the emulators.
  { backend: 'google' as const, enabled: gcloudAvailable() },
];

describe('npm start', () => {
  it.each(backends.filter((b) => b.enabled))(
    'brings up the $backend stack, plays a call end to end, and stops everything on SIGINT',
    async ({ backend }) => {
      const { env, ports } = await stackEnv(backend);
      const started = await npmStart(env);
      await waitForOutput(started, READY_LINE, 150_000);
      const output = started.output();

      const backendLines = output.split('\n').filter((l) => l.startsWith('[callrelay] backend:'));
      expect(backendLines).toEqual([
        `[callrelay] backend: ${backend} (CALLRELAY_BACKEND=${backend} was set)`,
      ]);
      const dashboardUrl = printed(output, 'Dashboard');
      const apiUrl = printed(output, 'API');
      expect(dashboardUrl).toBe(`http://127.0.0.1:${ports.DASHBOARD_PORT}`);
      expect(apiUrl).toBe(`http://127.0.0.1:${ports.API_PORT}`);
      expect(printed(output, 'Relay')).toBe(`ws://127.0.0.1:${ports.RELAY_PORT}/ws/calls/transcriptions`);
      const login = /^\s+Login\s+(\S+) \/ (\S+)/m.exec(output);
      expect(login).not.toBeNull();

      const page = await fetch(dashboardUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('callrelay dispatch');
      const config = (await (await fetch(`${dashboardUrl}/config.json`)).json()) as { relayUrl: string };
      expect(config.relayUrl).toBe(`ws://127.0.0.1:${ports.RELAY_PORT}`);

      // A dashboard's view of the call list, through the relay (a separate process on the emulators).
      const token = await tokenFor(apiUrl, login![1]!, login![2]!);
      const seen: Call[] = [];
      const relay = new RelayClient({
        url: printed(output, 'Relay'),
        getToken: () => token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
      });
      relay.subscribeCalls({
        onCalls: (calls) => seen.push(...calls),
        onCallUpdated: (call) => seen.push(call),
      });
      relay.connect();

      const created = runPrintedCurl(output);
      expect(created.callId).toMatch(/^call_/);
      const events = await waitForCompletedCall(apiUrl, created.callId, token);
      const deadline = Date.now() + 10_000;
      while (
        !seen.some((c) => c.callId === created.callId && c.status === 'completed') &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      relay.close();
      expect(seen.filter((c) => c.callId === created.callId).map((c) => c.status)).toContain('completed');
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(
        events.filter((e) => e.kind === 'segment').length,
        JSON.stringify(events),
      ).toBeGreaterThanOrEqual(4);
      expect(events.at(-1)?.kind === 'transcript' || events.some((e) => e.kind === 'transcript')).toBe(true);

      const tree: ProcInfo[] = descendants(started.child.pid!);
      // The dashboard server and the simulator are their own (supervised) processes on both backends.
      expect(tree.some((p) => p.command.includes('scripts/stack/dashboard-main.ts'))).toBe(true);
      expect(tree.some((p) => p.command.includes('scripts/stack/simulator-main.ts'))).toBe(true);
      if (backend === 'google') {
        // The emulators (Java under gcloud) and the relay process are part of what must stop.
        expect(tree.some((p) => p.command.includes('services/relay/main.ts'))).toBe(true);
        expect(tree.filter((p) => /java/.test(p.command)).length).toBeGreaterThanOrEqual(2);
      }
      killGroup(started.child.pid!, 'SIGINT');
      const code = await Promise.race([
        started.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000)),
      ]);
      expect(code).not.toBe('timeout');
      expect(started.output()).toContain('[callrelay] stopped');
      // Give the kernel a moment to finish reaping, then nothing of the tree may be left.
      await new Promise((r) => setTimeout(r, 300));
      expect(stillRunning(tree)).toEqual([]);
      for (const port of Object.values(ports)) expect(await portIsFree(port)).toBe(true);
    },
    240_000,
  );

  it('names the port and its setting when a port is already in use', async () => {
    const { env, ports } = await stackEnv('memory');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(ports.RELAY_PORT, '127.0.0.1', () => r()));
    try {
      const started = await npmStart(env);
      const code = await started.exited;
      expect(code).not.toBe(0);
      expect(started.output()).toContain(`port ${ports.RELAY_PORT} (relay) is already in use`);
      expect(started.output()).toContain('RELAY_PORT');
      expect(started.output()).not.toContain(READY_LINE);
    } finally {
      blocker.close();
    }
  }, 60_000);
});

/** The one live process of the stack's tree whose command line contains `script`. */
function childRunning(s: Started, script: string): ProcInfo {
  const found = descendants(s.child.pid!).filter((p) => p.command.includes(script) && p.state !== 'Z');
  // `node --import tsx <script>` is one process; esbuild helpers have other command lines.
  const node = found.filter((p) => !p.command.includes('esbuild'));
  expect(node, JSON.stringify(found)).toHaveLength(1);
  return node[0]!;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start supervision', () => {
  it('answers hostile requests on the dashboard and simulator ports and keeps every component running', async () => {
    const { env, ports } = await stackEnv('memory');
    const started = await npmStart(env);
    await waitForOutput(started, READY_LINE, 150_000);
    for (const port of [ports.DASHBOARD_PORT, ports.SIMULATOR_PORT]) {
      for (const [what, head] of HOSTILE_HEADS) {
        const status = statusOf(await rawRequest(`http://127.0.0.1:${port}`, head));
        expect(status === 0 || status < 500, `${what} on ${port}: ${status}`).toBe(true);
      }
    }
    expect(started.child.exitCode).toBeNull();
    expect((await fetch(printed(started.output(), 'Dashboard'))).status).toBe(200);
    const config = (await (
      await fetch(`${printed(started.output(), 'Dashboard')}/config.json`)
    ).json()) as object;
    expect(config).toEqual({ apiBaseUrl: '/api', relayUrl: `ws://127.0.0.1:${ports.RELAY_PORT}` });
    expect((await fetch(`http://127.0.0.1:${ports.API_PORT}/healthz`)).status).toBe(200);
    expect(started.output()).not.toMatch(/exited with/);
  }, 240_000);

  it.each(backends.filter((b) => b.enabled))(
    'logs and restarts a child killed with SIGKILL on the $backend backend, which then serves again',
    async ({ backend }) => {
      const { env, ports } = await stackEnv(backend);
      const started = await npmStart(env);
      await waitForOutput(started, READY_LINE, 150_000);
      const dashboardUrl = printed(started.output(), 'Dashboard');
      const victims =
        backend === 'google'
          ? [{ script: 'services/relay/main.ts', name: 'relay' }]
          : [
              { script: 'scripts/stack/dashboard-main.ts', name: 'dashboard' },
              { script: 'scripts/stack/simulator-main.ts', name: 'provider simulator' },
            ];
      for (const victim of victims) {
        const before = childRunning(started, victim.script);
        process.kill(before.pid, 'SIGKILL');
        await waitForOutput(started, `"${victim.name} exited with signal SIGKILL`, 30_000);
        await waitForOutput(started, `"${victim.name} restarted"`, 60_000);
        expect(childRunning(started, victim.script).pid).not.toBe(before.pid);
      }
      // Serving again: the dashboard, the relay's readiness, and a whole call through the restarted simulator.
      expect((await fetch(dashboardUrl)).status).toBe(200);
      await waitFor('relay ready', async () =>
        (await fetch(`http://127.0.0.1:${ports.RELAY_PORT}/readyz`)).ok ? true : undefined,
      );
      const login = /^\s+Login\s+(\S+) \/ (\S+)/m.exec(started.output())!;
      const token = await tokenFor(`http://127.0.0.1:${ports.API_PORT}`, login[1]!, login[2]!);
      const created = runPrintedCurl(started.output());
      const events = await waitForCompletedCall(`http://127.0.0.1:${ports.API_PORT}`, created.callId, token);
      expect(events.length).toBeGreaterThan(0);
      expect(started.child.exitCode).toBeNull();
    },
    300_000,
  );

  it.skipIf(!gcloudAvailable())(
    'stops the whole stack with a non-zero exit when an emulator dies, saying it is not restarted',
    async () => {
      const { env } = await stackEnv('google');
      const started = await npmStart(env);
      await waitForOutput(started, READY_LINE, 150_000);
      const tree = descendants(started.child.pid!);
      const pubsub = tree.filter((p) => /java/.test(p.command) && /pubsub/i.test(p.command));
      expect(pubsub.length, JSON.stringify(tree.map((p) => p.command))).toBeGreaterThanOrEqual(1);
      for (const p of pubsub) process.kill(p.pid, 'SIGKILL');
      const code = await Promise.race([
        started.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000)),
      ]);
      expect(code, started.output()).toBe(1);
      expect(started.output()).toMatch(
        /\[callrelay\] stopping: the pubsub-emulator exited \(\S+\); the emulators hold the stack's data, so they are not restarted/,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(stillRunning(tree)).toEqual([]);
    },
    240_000,
  );

  it('stops the whole stack with a non-zero exit and a clear message when a child keeps failing', async () => {
    const { env, ports } = await stackEnv('memory');
    const started = await npmStart(env);
    await waitForOutput(started, READY_LINE, 150_000);
    const tree = descendants(started.child.pid!);
    process.kill(childRunning(started, 'scripts/stack/simulator-main.ts').pid, 'SIGKILL');
    // Take the simulator's port the moment it is free: every restart now fails (as with a port another program took).
    const blocker = createServer();
    await waitFor(
      'the simulator port',
      async () => {
        await new Promise<void>((resolveListen, reject) => {
          blocker.once('error', reject);
          blocker.listen(ports.SIMULATOR_PORT, '127.0.0.1', () => resolveListen());
        });
        return true;
      },
      10_000,
    );
    try {
      const code = await Promise.race([
        started.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 120_000)),
      ]);
      expect(code, started.output()).toBe(1);
      expect(started.output()).toMatch(
        /\[callrelay\] stopping: the provider simulator failed 5 times within 60 s \(last: restart failed: the provider simulator process exited \(1\) before it was ready\)/,
      );
      expect(started.output()).toContain('[callrelay] stopped after a component failure');
      await new Promise((r) => setTimeout(r, 300));
      expect(stillRunning(tree)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 240_000);
});
