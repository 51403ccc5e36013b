// Composes the whole system on one machine: backend (emulators or memory), simulator, API + webhooks, relay, dashboard.
import { createBackend, type Backend } from '../../core/backend.ts';
import { systemClock } from '../../core/clock.ts';
import { ConfigError, parseIngestConfig } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import { createAppRoutes } from '../../functions/app.ts';
import { parseApiConfig } from '../../functions/api/api-config.ts';
import { createApiDepsFromConfig } from '../../functions/api/api-function.ts';
import { startLocalServer } from '../../functions/local-server.ts';
import { WEBHOOK_PATHS } from '../../functions/webhooks/webhook-deps.ts';
import {
  SCRIPT_NAMES,
  startProviderSimulator,
  type ProviderSimulator,
  type ScriptName,
} from '../../simulator/index.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';
import { startDashboardServer } from './dashboard-server.ts';
import { startEmulators } from './emulators.ts';
import { assertPortsFree, type WantedPort } from './ports.ts';
import { startRelayRunner, type RelayRunner } from './relay-runner.ts';
import { seedDevUser } from './seed-user.ts';
import type { StackConfig } from './stack-config.ts';

export interface RunningStack {
  dashboardUrl: string;
  /** The API + webhooks origin, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** ws://host:port of the relay. */
  relayUrl: string;
  /** Present with `CALLRELAY_PROVIDERS=simulated`. */
  simulator?: ProviderSimulator;
  devUser: { email: string; password: string; created: boolean };
  /**
   * Closes the relay (clients see 1001), waits `downtimeMs`, and starts a new one on the same port: for resume
   * tests and demos. Resolves once the new relay is ready.
   */
  restartRelay(downtimeMs?: number): Promise<void>;
  /** Stops everything started, in reverse order, child process groups included. Idempotent. */
  stop(): Promise<void>;
}

/** `signal` aborts a start in progress (Ctrl-C while the emulators boot): what already runs is stopped. */
export async function startStack(
  config: StackConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningStack> {
  const env = config.env;
  const step = () => signal?.throwIfAborted();
  await assertPortsFree(wantedPorts(config));
  const stoppers: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { name, stop: stopOne } of stoppers.reverse()) {
        await stopOne().catch((err: unknown) => logger.warn(`stopping ${name} failed`, { error: err }));
      }
    })());
  try {
    const dashboardBuild = ensureDashboardBuilt(config.webDistDir, logger);
    // Attach a handler now; the result is awaited later (building overlaps the emulator start).
    dashboardBuild.catch(() => {});
    if (config.emulators.start) {
      logger.info('starting the Firestore and Pub/Sub emulators', {
        firestore: config.emulators.firestoreHost,
        pubsub: config.emulators.pubsubHost,
      });
      const emulators = await startEmulators(
        { ...config.emulators, projectId: env.GOOGLE_CLOUD_PROJECT ?? 'demo-callrelay' },
        { env, logger, ...(signal ? { signal } : {}) },
      );
      stoppers.push({ name: 'emulators', stop: emulators.stop });
    }
    step();
    const ingestConfig = parseIngestConfig(env);
    const backend: Backend = await createBackend(ingestConfig, { logger, clock: systemClock });
    stoppers.push({ name: 'backend', stop: () => backend.close() });

    step();
    const seeded = await seedDevUser(backend.users, config.devUser);

    step();
    let simulator: ProviderSimulator | undefined;
    if (config.providers === 'simulated') {
      simulator = await startSimulator(config, logger);
      stoppers.push({ name: 'provider simulator', stop: () => simulator!.close() });
      env.ELEVENLABS_BASE_URL = simulator.url;
      env.TWILIO_API_BASE_URL = simulator.url;
    }

    step();
    const apiConfig = parseApiConfig(env);
    const apiDeps = await createApiDepsFromConfig(apiConfig, {
      backend,
      logger: logger.child({ component: 'api' }),
    });
    const routes = createAppRoutes(
      { store: backend.store, bus: backend.bus, config: ingestConfig, clock: systemClock },
      apiDeps,
    );
    const api = await startLocalServer({
      routes,
      port: config.apiPort,
      host: config.host,
      logger: logger.child({ component: 'api' }),
      projectId: ingestConfig.projectId,
    });
    stoppers.push({ name: 'API', stop: () => api.close() });

    step();
    const relay: RelayRunner = await startRelayRunner({
      mode: config.backend === 'memory' ? 'in-process' : 'child',
      env,
      host: config.host,
      port: config.relayPort,
      logger,
      shared: { store: backend.store, bus: backend.bus, tickets: backend.tickets },
    });
    stoppers.push({ name: 'relay', stop: () => relay.stop() });

    step();
    await dashboardBuild;
    const dashboard = await startDashboardServer({
      distDir: config.webDistDir,
      host: config.host,
      port: config.dashboardPort,
      apiUrl: api.url,
      relayPort: config.relayPort,
      logger,
    });
    stoppers.push({ name: 'dashboard', stop: () => dashboard.close() });
    step();

    return {
      dashboardUrl: dashboard.url,
      apiUrl: api.url,
      relayUrl: relay.url,
      ...(simulator ? { simulator } : {}),
      devUser: {
        email: config.devUser.email,
        password: config.devUser.password,
        created: seeded === 'created',
      },
      restartRelay: (downtimeMs) => relay.restart(downtimeMs),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function wantedPorts(config: StackConfig): WantedPort[] {
  const host = config.host;
  const ports: WantedPort[] = [
    { port: config.apiPort, host, what: 'API + webhooks', setting: 'API_PORT' },
    { port: config.relayPort, host, what: 'relay', setting: 'RELAY_PORT' },
    { port: config.dashboardPort, host, what: 'dashboard', setting: 'DASHBOARD_PORT' },
  ];
  if (config.providers === 'simulated') {
    ports.push({ port: config.simulatorPort, host, what: 'provider simulator', setting: 'SIMULATOR_PORT' });
  }
  if (config.emulators.start) {
    for (const [hostPort, what, setting] of [
      [config.emulators.firestoreHost, 'Firestore emulator', 'FIRESTORE_EMULATOR_PORT'],
      [config.emulators.pubsubHost, 'Pub/Sub emulator', 'PUBSUB_EMULATOR_PORT'],
    ] as const) {
      const separator = hostPort.lastIndexOf(':');
      ports.push({
        port: Number(hostPort.slice(separator + 1)),
        host: hostPort.slice(0, separator),
        what,
        setting,
      });
    }
  }
  return ports;
}

async function startSimulator(config: StackConfig, logger: Logger): Promise<ProviderSimulator> {
  const env = config.env;
  const speed = Number(env.SIMULATOR_SPEED);
  if (!Number.isFinite(speed) || speed < 0)
    throw new ConfigError(
      'SIMULATOR_SPEED',
      'must be a number >= 0 (1 = real time, 0 = as fast as possible)',
    );
  const script = env.SIMULATOR_SCRIPT ?? 'acknowledged';
  if (!(SCRIPT_NAMES as readonly string[]).includes(script)) {
    throw new ConfigError('SIMULATOR_SCRIPT', `must be one of ${SCRIPT_NAMES.join(', ')}`);
  }
  const publicBaseUrl = env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.apiPort}`;
  const localApi = `http://127.0.0.1:${config.apiPort}`;
  return startProviderSimulator({
    port: config.simulatorPort,
    host: config.host,
    twilioAccountSid: env.TWILIO_ACCOUNT_SID ?? '',
    twilioAuthToken: env.TWILIO_AUTH_TOKEN ?? '',
    elevenlabsApiKey: env.ELEVENLABS_API_KEY ?? '',
    elevenlabsWebhookSecret: env.ELEVENLABS_WEBHOOK_SECRET ?? '',
    elevenlabsWebhookUrl: `${publicBaseUrl}${WEBHOOK_PATHS.elevenlabs}`,
    // Signatures cover the public URL; delivery goes to this machine's API even when PUBLIC_BASE_URL is a tunnel.
    deliverTo: (url) => (url.startsWith(publicBaseUrl) ? localApi + url.slice(publicBaseUrl.length) : url),
    speed,
    script: script as ScriptName,
    logger: logger.child({ component: 'provider-simulator' }),
  });
}
