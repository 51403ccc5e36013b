// Settings of the one-command local stack: read once from the environment, dev defaults only for what is unset.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { SCRIPT_SELECTIONS, type ScriptSelection } from '../../simulator/scripts/by-number.ts';
import {
  ConfigError,
  integer,
  oneOf,
  optionalString,
  stringWithDefault,
  type Env,
} from '../../core/support/config.ts';

export type BackendChoice = 'google' | 'memory';
export type ProvidersChoice = 'simulated' | 'live';

export interface StackConfig {
  backend: BackendChoice;
  /** One sentence on why this backend runs (printed once at start). */
  backendReason: string;
  providers: ProvidersChoice;
  /** Bind address of every local server. */
  host: string;
  apiPort: number;
  relayPort: number;
  /** The relay origin the dashboard's `/config.json` hands to browsers (`RELAY_PUBLIC_URL`, else the local port). */
  relayPublicUrl: string;
  dashboardPort: number;
  /** 0 = any free port. */
  simulatorPort: number;
  /** `SIMULATOR_SPEED` (1 = real time, 0 = as fast as possible) and `SIMULATOR_SCRIPT` (a script or `by-number`). */
  simulator: { speed: number; script: ScriptSelection };
  /** Emulators to start (google backend), or hosts of already running ones to reuse. */
  emulators: { start: boolean; firestoreHost: string; pubsubHost: string };
  /** Where the dashboard bundle is built to and served from. */
  webDistDir: string;
  devUser: { email: string; password: string; org: string; role: 'dispatcher' | 'admin' };
  /**
   * The environment handed to every component (API, webhooks, relay, simulator): the caller's variables plus the
   * dev defaults for the ones it left unset. Components parse it with their own `parse*Config`.
   */
  env: Env;
  /** Names of variables that fell back to a dev default (secrets among them are never printed). */
  defaulted: string[];
}

/** Dev-only secrets: good enough for 127.0.0.1, refused nowhere, replaced by real values in any deployment. */
const DEV_DEFAULTS: Readonly<Record<string, string>> = {
  GOOGLE_CLOUD_PROJECT: 'demo-callrelay',
  DEFAULT_ORG: 'dev-org',
  JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef',
  JWT_ISSUER: 'callrelay',
  JWT_AUDIENCE: 'callrelay-dispatch',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'dev-twilio-auth-token',
  TWILIO_FROM_NUMBER: '+15005550006',
  ELEVENLABS_API_KEY: 'dev-elevenlabs-api-key',
  ELEVENLABS_AGENT_ID: 'agent_dev',
  ELEVENLABS_AGENT_PHONE_NUMBER_ID: 'phnum_dev',
  ELEVENLABS_WEBHOOK_SECRET: 'wsec_dev_secret',
  SIMULATOR_SPEED: '1',
  SIMULATOR_SCRIPT: 'acknowledged',
  // Outbound webhooks to receivers on this machine (http://127.0.0.1, localhost); never set in a deployment.
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  DEV_USER_EMAIL: 'dispatcher@callrelay.dev',
  DEV_USER_PASSWORD: 'callrelay-dev',
};

/** Provider credentials that must be real (not defaulted) when `CALLRELAY_PROVIDERS=live`. */
const LIVE_REQUIRED = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM_NUMBER',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_AGENT_ID',
  'ELEVENLABS_AGENT_PHONE_NUMBER_ID',
  'ELEVENLABS_WEBHOOK_SECRET',
  'PUBLIC_BASE_URL',
] as const;

export function parseStackConfig(
  input: Env = process.env,
  probe: { gcloudInstalled: () => boolean } = { gcloudInstalled },
): StackConfig {
  const providers = oneOf(input, 'CALLRELAY_PROVIDERS', ['simulated', 'live'] as const, 'simulated');
  if (providers === 'live') {
    const missing = LIVE_REQUIRED.filter((name) => !optionalString(input, name));
    if (missing.length) {
      throw new ConfigError(
        missing.join(', '),
        'must be set when CALLRELAY_PROVIDERS=live (see .env.example)',
      );
    }
  }
  const host = stringWithDefault(input, 'CALLRELAY_HOST', '127.0.0.1');
  const apiPort = integer(input, 'API_PORT', 3000, { min: 1, max: 65535 });
  const relayPort = integer(input, 'RELAY_PORT', 3001, { min: 1, max: 65535 });
  const dashboardPort = integer(input, 'DASHBOARD_PORT', 5173, { min: 1, max: 65535 });
  const simulatorPort = integer(input, 'SIMULATOR_PORT', 3002, { min: 0, max: 65535 });
  const relayPublicUrl = parseRelayPublicUrl(input, host, relayPort);
  const { backend, backendReason } = chooseBackend(input, probe);
  const fsHost = optionalString(input, 'FIRESTORE_EMULATOR_HOST');
  const psHost = optionalString(input, 'PUBSUB_EMULATOR_HOST');
  const reuse = Boolean(fsHost && psHost);
  const emulators = {
    start: backend === 'google' && !reuse,
    firestoreHost:
      fsHost ?? `127.0.0.1:${integer(input, 'FIRESTORE_EMULATOR_PORT', 8080, { min: 1, max: 65535 })}`,
    pubsubHost: psHost ?? `127.0.0.1:${integer(input, 'PUBSUB_EMULATOR_PORT', 8085, { min: 1, max: 65535 })}`,
  };

  const defaulted: string[] = [];
  const env: Env = { ...input };
  const fill = (name: string, value: string) => {
    if (optionalString(env, name) === undefined) {
      env[name] = value;
      defaulted.push(name);
    }
  };
  for (const [name, value] of Object.entries(DEV_DEFAULTS)) fill(name, value);
  fill('PUBLIC_BASE_URL', `http://127.0.0.1:${apiPort}`);
  env.CALLRELAY_BACKEND = backend;
  env.CALLRELAY_PROVIDERS = providers;
  env.API_PORT = String(apiPort);
  env.RELAY_PORT = String(relayPort);
  if (backend === 'google') {
    env.FIRESTORE_EMULATOR_HOST = emulators.firestoreHost;
    env.PUBSUB_EMULATOR_HOST = emulators.pubsubHost;
  } else {
    delete env.FIRESTORE_EMULATOR_HOST;
    delete env.PUBSUB_EMULATOR_HOST;
  }
  const role = oneOf(input, 'DEV_USER_ROLE', ['dispatcher', 'admin'] as const, 'dispatcher');
  const speed = Number(env.SIMULATOR_SPEED);
  if (!Number.isFinite(speed) || speed < 0)
    throw new ConfigError(
      'SIMULATOR_SPEED',
      'must be a number >= 0 (1 = real time, 0 = as fast as possible)',
    );
  const script = oneOf(env, 'SIMULATOR_SCRIPT', SCRIPT_SELECTIONS, 'acknowledged');
  return {
    backend,
    backendReason,
    providers,
    host,
    apiPort,
    relayPort,
    relayPublicUrl,
    dashboardPort,
    simulatorPort,
    simulator: { speed, script },
    emulators,
    webDistDir: resolve(stringWithDefault(input, 'WEB_DIST_DIR', 'web/dist')),
    devUser: {
      email: env.DEV_USER_EMAIL ?? '',
      password: env.DEV_USER_PASSWORD ?? '',
      org: stringWithDefault(input, 'DEV_USER_ORG', env.DEFAULT_ORG ?? 'dev-org'),
      role,
    },
    env,
    defaulted,
  };
}

/** `scheme://host:port` of a server of this stack bound to `host`, as this machine reaches it (wildcards → loopback). */
export function localOrigin(scheme: 'http' | 'ws', host: string, port: number): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/**
 * `RELAY_PUBLIC_URL` as a ws(s) origin (an http(s) one is converted, as `infra/deploy.sh` does); unset, the relay on
 * this machine: `CALLRELAY_HOST` or, for a wildcard bind, 127.0.0.1. Only configuration decides it, never a request.
 */
function parseRelayPublicUrl(env: Env, host: string, relayPort: number): string {
  const raw = optionalString(env, 'RELAY_PUBLIC_URL');
  if (raw === undefined) return localOrigin('ws', host, relayPort);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('RELAY_PUBLIC_URL', 'must be a ws(s):// or http(s):// origin');
  }
  const scheme = { 'ws:': 'ws:', 'http:': 'ws:', 'wss:': 'wss:', 'https:': 'wss:' }[parsed.protocol];
  if (!scheme || parsed.pathname !== '/' || parsed.search || parsed.username || parsed.password)
    throw new ConfigError('RELAY_PUBLIC_URL', 'must be a ws(s):// or http(s):// origin without a path');
  return `${scheme}//${parsed.host}`;
}

function chooseBackend(
  env: Env,
  probe: { gcloudInstalled: () => boolean },
): { backend: BackendChoice; backendReason: string } {
  const forced = optionalString(env, 'CALLRELAY_BACKEND');
  if (forced !== undefined) {
    const backend = oneOf(env, 'CALLRELAY_BACKEND', ['google', 'memory'] as const);
    if (
      backend === 'google' &&
      !(optionalString(env, 'FIRESTORE_EMULATOR_HOST') && optionalString(env, 'PUBSUB_EMULATOR_HOST')) &&
      !probe.gcloudInstalled()
    ) {
      throw new ConfigError(
        'CALLRELAY_BACKEND',
        'is google but gcloud (with the Firestore and Pub/Sub emulators) is not installed',
      );
    }
    return { backend, backendReason: `CALLRELAY_BACKEND=${backend} was set` };
  }
  return probe.gcloudInstalled()
    ? { backend: 'google', backendReason: 'gcloud is installed, so the Firestore and Pub/Sub emulators run' }
    : {
        backend: 'memory',
        backendReason: 'gcloud is not installed (set CALLRELAY_BACKEND=google after installing it)',
      };
}

export function gcloudInstalled(): boolean {
  return spawnSync('gcloud', ['--version'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}
