// Composes the whole system on one machine: backend (emulators or memory), simulator, API + webhooks, relay, dashboard.
// Process layout: this process runs the backend clients and the API (+ the relay and the worker on the memory backend,
// whose bus and stores live in this process); the relay and the worker (emulators), the dashboard server and the
// simulator are supervised children.
import { createBackend, type Backend } from '../../core/composition/backend.ts';
import { systemClock } from '../../core/support/clock.ts';
import type { Logger } from '../../core/support/log.ts';
import {
  parseFunctionsServerConfig,
  startFunctionsServer,
  withProviderBaseUrl,
} from '../../functions/compose-server.ts';
import { parseRelayConfig } from '../../services/relay/relay-config.ts';
import { createWorkerFromConfig } from '../../functions/worker/worker-from-config.ts';
import { startComponentProcess, type ComponentProcess } from './component-process.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';
import { startEmulators } from './emulators.ts';
import { assertPortsFree, type WantedPort } from './ports.ts';
import { startRelayRunner, type RelayRunner } from './relay-runner.ts';
import { seedDevUser } from './seed-user.ts';
import type { StackConfig } from './stack-config.ts';
import { superviseChild, type RestartPolicy, type Supervisor } from './supervisor.ts';

export interface RunningStack {
  dashboardUrl: string;
  /** The API + webhooks origin, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** ws://host:port of the relay. */
  relayUrl: string;
  /** The provider simulator's origin; present with `CALLRELAY_PROVIDERS=simulated`. */
  simulatorUrl?: string;
  devUser: { email: string; password: string; created: boolean };
  /** The stack's stores and bus, in this process (on the memory backend, the ones every component shares: tests drive load through them). */
  backend?: Backend;
  /**
   * Closes the relay (clients see 1001), waits `downtimeMs`, and starts a new one on the same port: for resume
   * tests and demos. Resolves once the new relay is ready.
   */
  restartRelay(downtimeMs?: number): Promise<void>;
  /** Stops everything started, in reverse order, child process groups included. Idempotent. */
  stop(): Promise<void>;
}

export interface StartStackOptions {
  /** Aborts a start in progress (Ctrl-C while the emulators boot): what already runs is stopped. */
  signal?: AbortSignal;
  /**
   * A component is gone for good after the start: a supervised child kept failing, or an emulator exited (its data
   * is lost, so it is not restarted). The stack cannot serve without it; `npm start` stops and exits non-zero.
   */
  onFatal?: (err: Error) => void;
  /** How the children are restarted (tests shorten the waits). */
  restartPolicy?: Partial<RestartPolicy>;
}

/** Starts every component; a component that fails to start stops what already runs and rejects. */
export async function startStack(
  config: StackConfig,
  logger: Logger,
  options: StartStackOptions = {},
): Promise<RunningStack> {
  const { signal } = options;
  const env = config.env;
  // Every component's settings are parsed before anything starts: a bad one fails at once, not after the emulators.
  let functionsConfig = parseFunctionsServerConfig(env);
  const relayConfig = parseRelayConfig(env);
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
  let fatal = false;
  const onFatal = (err: Error) => {
    if (fatal || stopping) return;
    fatal = true;
    logger.error(err.message);
    (options.onFatal ?? (() => {}))(err);
  };
  /** A child of this stack, restarted with backoff when it dies (as Cloud Run would). */
  const supervise = async (
    name: string,
    entry: string,
    childEnv: () => typeof env,
  ): Promise<{ supervisor: Supervisor; first: ComponentProcess }> => {
    let first: ComponentProcess | undefined;
    const supervisor = await superviseChild({
      name,
      start: async () => {
        const started = await startComponentProcess({ name, entry, env: childEnv() });
        first ??= started;
        return started;
      },
      logger,
      onGiveUp: onFatal,
      ...(options.restartPolicy ? { policy: options.restartPolicy } : {}),
    });
    return { supervisor, first: first! };
  };
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
        { ...config.emulators, projectId: functionsConfig.ingest.projectId },
        { env, logger, ...(signal ? { signal } : {}) },
      );
      stoppers.push({ name: 'emulators', stop: emulators.stop });
      void emulators.exited.then((what) =>
        onFatal(new Error(`${what}; the emulators hold the stack's data, so they are not restarted`)),
      );
    }
    step();
    const backend: Backend = await createBackend(functionsConfig.ingest, { logger, clock: systemClock });
    stoppers.push({ name: 'backend', stop: () => backend.close() });

    step();
    const seeded = await seedDevUser(backend.users, config.devUser);

    step();
    let simulatorUrl: string | undefined;
    if (config.providers === 'simulated') {
      // A restart keeps the port the first instance got (SIMULATOR_PORT=0): the API is wired to that URL.
      let port = config.simulatorPort;
      const simulator = await supervise('provider simulator', 'scripts/stack/simulator-main.ts', () => ({
        ...env,
        SIMULATOR_PORT: String(port),
      }));
      stoppers.push({ name: 'provider simulator', stop: () => simulator.supervisor.stop() });
      simulatorUrl = simulator.first.url;
      port = Number(new URL(simulatorUrl).port);
      functionsConfig = withProviderBaseUrl(functionsConfig, simulatorUrl);
    }

    step();
    // Before the API: the worker's durable bus group must exist before anything is published (on the emulators it is
    // a Pub/Sub subscription, which keeps only messages published after it was created).
    // The worker dials too: it reaches the providers where the API does (the simulator, when simulated).
    const workerEnv = simulatorUrl
      ? { ...env, ELEVENLABS_BASE_URL: simulatorUrl, TWILIO_API_BASE_URL: simulatorUrl }
      : env;
    if (config.backend === 'memory') {
      // The in-process bus and stores exist only in this process: the worker must share them.
      const worker = await createWorkerFromConfig({
        env: workerEnv,
        backend,
        logger: logger.child({ component: 'worker' }),
        clock: systemClock,
      });
      await worker.start();
      stoppers.push({ name: 'worker', stop: () => worker.stop() });
    } else {
      const worker = await supervise('worker', 'scripts/stack/worker-main.ts', () => workerEnv);
      stoppers.push({ name: 'worker', stop: () => worker.supervisor.stop() });
    }

    step();
    const api = await startFunctionsServer({
      config: functionsConfig,
      backend,
      logger: logger.child({ component: 'api' }),
      clock: systemClock,
      port: config.apiPort,
      host: config.host,
    });
    stoppers.push({ name: 'API', stop: () => api.close() });

    step();
    const relay: RelayRunner = await startRelayRunner({
      mode: config.backend === 'memory' ? 'in-process' : 'child',
      env,
      config: { ...relayConfig, host: config.host, port: config.relayPort },
      auth: functionsConfig.api.auth,
      logger,
      shared: {
        store: backend.store,
        bus: backend.bus,
        tickets: backend.tickets,
        campaigns: backend.campaigns,
      },
      onGiveUp: onFatal,
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
    });
    stoppers.push({ name: 'relay', stop: () => relay.stop() });

    step();
    await dashboardBuild;
    const dashboard = await supervise('dashboard', 'scripts/stack/dashboard-main.ts', () => env);
    stoppers.push({ name: 'dashboard', stop: () => dashboard.supervisor.stop() });
    step();

    return {
      dashboardUrl: dashboard.first.url,
      apiUrl: api.url,
      relayUrl: relay.url,
      ...(simulatorUrl ? { simulatorUrl } : {}),
      devUser: {
        email: config.devUser.email,
        password: config.devUser.password,
        created: seeded === 'created',
      },
      backend,
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
