// Test kit for the API suites: the whole HTTP surface on a real local server, the real SDKs against the simulator.
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { hashPassword } from '../../core/auth/passwords.ts';
import type { Role } from '../../core/domain/credentials.ts';
import { createBackend, type Backend } from '../../core/composition/backend.ts';
import type { Clock } from '../../core/support/clock.ts';
import type { Env } from '../../core/support/config.ts';
import { createLogger, type Logger } from '../../core/support/log.ts';
import {
  startProviderSimulator,
  type ProviderSimulator,
  type ProviderSimulatorOptions,
} from '../../simulator/index.ts';
import { uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { parseFunctionsServerConfig, startFunctionsServer } from '../compose-server.ts';
import type { ApiConfig } from './api-config.ts';
import type { ApiDeps } from './api-deps.ts';

export const PUBLIC_BASE_URL = 'https://hooks.callrelay.test';
export const ORG = 'org-acme';
export const OTHER_ORG = 'org-rival';
const TWILIO_SID = 'AC00000000000000000000000000000001';
export const TWILIO_TOKEN = 'sim-twilio-auth-token';
const ELEVENLABS_KEY = 'xi_sim_key';
const ELEVENLABS_SECRET = 'wsec_sim_secret';

export interface ApiStack {
  /** Base URL of the local server (all routes: API, webhooks, health). */
  url: string;
  sim: ProviderSimulator;
  backend: Backend;
  deps: ApiDeps;
  config: ApiConfig;
  /** Log lines of the server (JSON), to assert nothing sensitive is logged. */
  logs: string[];
  /** Calls the API with JSON; `token` adds the bearer header. */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /**
   * Like `request`, but the connection comes from local address `from` (any `127.x.y.z` on Linux), so the server's
   * socket peer differs per simulated client.
   */
  requestFrom(from: string, method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** A token for a (new) user of `org`, obtained through POST /auth/login. */
  login(org?: string, role?: Role): Promise<string>;
  createUser(email: string, password: string, org?: string, role?: Role): Promise<void>;
  /** Waits until the simulator and background transcription starts are done. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface StackOptions {
  backend: BackendName;
  env?: Env;
  simulator?: Partial<ProviderSimulatorOptions>;
  /** Webhooks for which this returns true never reach the server (connection refused), e.g. a missed post-call. */
  unreachable?: (publicUrl: string) => boolean;
  logger?: Logger;
  /** Time of the API's deps (login throttling, token times); default the system clock. */
  clock?: Clock;
}

export async function startApiStack(options: StackOptions): Promise<ApiStack> {
  const logs: string[] = [];
  const logger = options.logger ?? createLogger({ sink: (line) => logs.push(line), level: 'DEBUG' });
  // The simulator starts first (its URL configures the SDKs); the server's URL is filled in once it listens.
  const target = { url: PUBLIC_BASE_URL };
  const sim = await startProviderSimulator({
    twilioAccountSid: TWILIO_SID,
    twilioAuthToken: TWILIO_TOKEN,
    elevenlabsApiKey: ELEVENLABS_KEY,
    elevenlabsWebhookSecret: ELEVENLABS_SECRET,
    elevenlabsWebhookUrl: `${PUBLIC_BASE_URL}/webhooks/elevenlabs`,
    deliverTo: (publicUrl) =>
      options.unreachable?.(publicUrl)
        ? 'http://127.0.0.1:9/unreachable'
        : publicUrl.replace(PUBLIC_BASE_URL, target.url),
    speed: 0,
    transcriptionWaitMs: 300,
    logger,
    ...options.simulator,
  });
  const env: Env = {
    CALLRELAY_BACKEND: options.backend,
    GOOGLE_CLOUD_PROJECT: uniqueProjectId('demo-api'),
    FIRESTORE_EMULATOR_HOST: process.env.FIRESTORE_EMULATOR_HOST,
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    CALLRELAY_TOPIC: `callrelay-${randomUUID().slice(0, 8)}`,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PUBLIC_BASE_URL,
    ELEVENLABS_API_KEY: ELEVENLABS_KEY,
    ELEVENLABS_AGENT_ID: 'agent_sim',
    ELEVENLABS_AGENT_PHONE_NUMBER_ID: 'phnum_sim',
    ELEVENLABS_BASE_URL: sim.url,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: '+15550000001',
    TWILIO_API_BASE_URL: sim.url,
    ELEVENLABS_WEBHOOK_SECRET: ELEVENLABS_SECRET,
    DEFAULT_ORG: 'org-unowned',
    PROVIDER_TIMEOUT_MS: '1500',
    ...options.env,
  };
  const serverConfig = parseFunctionsServerConfig(env);
  const config = serverConfig.api;
  const backend = await createBackend(config.backend, { logger });
  const server = await startFunctionsServer({
    config: serverConfig,
    backend,
    logger,
    port: 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const deps = server.deps;
  const base = server.url;
  target.url = base;

  /** Headers and body of a request: the bearer token, and `body` as JSON unless `rawBody` is given. */
  const outgoing = (o: RequestOptions): { headers: Record<string, string>; body: string | undefined } => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return { headers, body };
  };

  const request = async (method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse> => {
    const { headers, body } = outgoing(o);
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  const requestFrom = (from: string, method: string, path: string, o: RequestOptions = {}) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const { headers, body } = outgoing(o);
      const req = httpRequest(`${base}${path}`, { method, headers, localAddress: from }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const json = responseHeaders.get('content-type')?.includes('application/json');
          resolve({
            status: res.statusCode ?? 0,
            headers: responseHeaders,
            body: json ? JSON.parse(text) : text,
            text,
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  const createUser = async (email: string, password: string, org = ORG, role: Role = 'dispatcher') => {
    await backend.users.createUser({
      userId: `usr_${randomUUID().slice(0, 8)}`,
      email,
      orgId: org,
      role,
      passwordHash: await hashPassword(password),
    });
  };

  return {
    url: base,
    sim,
    backend,
    deps,
    config,
    logs,
    request,
    requestFrom,
    createUser,
    login: async (org = ORG, role: Role = 'dispatcher') => {
      const email = `${randomUUID().slice(0, 8)}@${org}.test`;
      await createUser(email, 'correct horse battery', org, role);
      const res = await request('POST', '/auth/login', {
        body: { email, password: 'correct horse battery' },
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
      return (res.body as { token: string }).token;
    },
    settle: async () => {
      await deps.transcriptions.idle();
      await sim.whenIdle();
      await deps.transcriptions.idle();
    },
    close: async () => {
      await sim.close();
      await server.close();
      await deps.transcriptions.idle();
      await backend.close();
    },
  };
}

/** A valid trigger body (the phone number is the simulator's; any E.164 number works there). */
export function triggerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    driverId: 'drv_42',
    driverName: 'Sam Carter',
    phoneNumber: '+15551234567',
    violations: [
      { type: 'violation', description: 'Temperature is at 45 degrees but needs to be 38 degrees' },
      { type: 'reminder', description: 'Please send loaded trailer pictures' },
    ],
    ...overrides,
  };
}

/** Campaign driver row `i`: a distinct, valid number per row (`+1555` + 7 digits; never returned by the API). */
export function campaignDriver(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    driverId: `drv_${i}`,
    driverName: `Driver ${i}`,
    phoneNumber: `+1555${String(1_000_000 + i).slice(-7)}`,
    violations: [{ type: 'violation', description: 'Reefer at 45F, needs 38F' }],
    ...overrides,
  };
}

/** A valid `POST /campaigns` body with `drivers` rows `campaignDriver(0..n-1)`. */
export function campaignBody(
  drivers: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'Morning temperature checks',
    drivers: Array.from({ length: drivers }, (_, i) => campaignDriver(i)),
    ...overrides,
  };
}
