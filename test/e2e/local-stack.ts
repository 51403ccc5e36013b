// Test harness: the real local stack (scripts/stack) on free ports, memory backend, fast simulator, own bundle dir.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../core/support/log.ts';
import { parseStackConfig } from '../../scripts/stack/stack-config.ts';
import { startStack, type RunningStack } from '../../scripts/stack/start-stack.ts';
import { freePort } from '../emulators.ts';

/** `env`: further settings for this stack (e.g. `SIMULATOR_SCRIPT`), over the test defaults. */
export async function startTestStack(options: {
  speed: number;
  env?: Record<string, string>;
}): Promise<RunningStack> {
  const [apiPort, relayPort, dashboardPort, simulatorPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const config = parseStackConfig(
    {
      PATH: process.env.PATH,
      CALLRELAY_BACKEND: 'memory',
      CALLRELAY_PROVIDERS: 'simulated',
      API_PORT: String(apiPort),
      RELAY_PORT: String(relayPort),
      DASHBOARD_PORT: String(dashboardPort),
      SIMULATOR_PORT: String(simulatorPort),
      SIMULATOR_SPEED: String(options.speed),
      // Secrets generated per run: nothing passes because of a shared dev default.
      JWT_SECRET: randomBytes(32).toString('hex'),
      TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
      ELEVENLABS_WEBHOOK_SECRET: `wsec_${randomBytes(16).toString('hex')}`,
      DEV_USER_EMAIL: 'e2e-dispatcher@callrelay.test',
      DEV_USER_PASSWORD: `pw-${randomBytes(6).toString('hex')}`,
      DEFAULT_ORG: 'org-e2e',
      WEB_DIST_DIR: mkdtempSync(join(tmpdir(), 'callrelay-web-')),
      ...options.env,
    },
    { gcloudInstalled: () => false },
  );
  return startStack(config, createLogger({ level: 'ERROR' }));
}

/** Logs in through the API (for reading calls back in assertions). */
export async function apiToken(stack: RunningStack): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: stack.devUser.email, password: stack.devUser.password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface StoredEvent {
  kind: string;
  seq: number;
  recordedAt: string;
  speaker?: string;
  text?: string;
  status?: string;
}

/** The call's durable events as the API stores them: the ground truth the page is compared with. */
export async function storedEvents(
  stack: RunningStack,
  token: string,
  callId: string,
): Promise<StoredEvent[]> {
  const res = await fetch(`${stack.apiUrl}/calls/${callId}/events?afterSeq=0&limit=500`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`events failed: ${res.status}`);
  return ((await res.json()) as { events: StoredEvent[] }).events;
}
