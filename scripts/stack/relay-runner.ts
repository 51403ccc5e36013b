// Runs the relay for the local stack: in-process on the memory backend (it must share the in-process bus and store),
// as its own supervised process (`services/relay/main.ts`) on the emulators, exactly as it runs in production.
import { resolve } from 'node:path';
import type { AuthConfig } from '../../core/auth/auth-config.ts';
import { systemClock } from '../../core/support/clock.ts';
import type { Env } from '../../core/support/config.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { TicketLedger } from '../../core/ports/ticket-ledger.ts';
import type { RelayConfig } from '../../services/relay/relay-config.ts';
import { composeRelay } from '../../services/relay/compose-relay.ts';
import { spawnGroup } from './child-process.ts';
import {
  superviseChild,
  type RestartPolicy,
  type SupervisedProcess,
  type SupervisorGaveUpError,
} from './supervisor.ts';

/** How long a relay process may take to answer /readyz (it creates its Pub/Sub subscription first). */
export const RELAY_READY_TIMEOUT_MS = 30_000;

export interface RelayRunner {
  /** ws://host:port (without the endpoint path). */
  url: string;
  /** Stops the relay (sockets closed with 1001, clients resume), waits `downtimeMs`, starts a fresh one on the same port. */
  restart(downtimeMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Started = { stop(): Promise<void> };

export async function startRelayRunner(options: {
  mode: 'in-process' | 'child';
  /** Child mode: the environment of the relay process (it parses it itself, as in production). */
  env: Env;
  /** Parsed by the caller before anything started; `host` and `port` say where the relay listens. */
  config: RelayConfig;
  /** In-process mode: keys and claims of tokens and tickets. */
  auth: AuthConfig;
  logger: Logger;
  /** In-process mode only: the stack's own store and bus. */
  shared?: { store: CallStore; bus: EventBus; tickets: TicketLedger; campaigns: CampaignStore };
  /** Child mode: the relay process keeps failing and is not restarted again. */
  onGiveUp?: (err: SupervisorGaveUpError) => void;
  restartPolicy?: Partial<RestartPolicy>;
}): Promise<RelayRunner> {
  const { host, port } = options.config;
  const url = `ws://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (options.mode === 'child') {
    const supervisor = await superviseChild({
      name: 'relay',
      start: () => startChild(options.env, host, port, options.logger),
      logger: options.logger,
      onGiveUp: options.onGiveUp ?? (() => {}),
      ...(options.restartPolicy ? { policy: options.restartPolicy } : {}),
    });
    return { url, restart: (downtimeMs) => supervisor.restart(downtimeMs), stop: () => supervisor.stop() };
  }
  const start = (): Promise<Started> => startInProcess(options);
  let current: Started | undefined = await start();
  return {
    url,
    async restart(downtimeMs = 0) {
      await current?.stop();
      current = undefined;
      await new Promise((r) => setTimeout(r, downtimeMs));
      current = await start();
    },
    async stop() {
      await current?.stop();
      current = undefined;
    },
  };
}

async function startInProcess(options: {
  config: RelayConfig;
  auth: AuthConfig;
  logger: Logger;
  shared?: { store: CallStore; bus: EventBus; tickets: TicketLedger; campaigns: CampaignStore };
}): Promise<Started> {
  if (!options.shared) throw new TypeError('an in-process relay needs the stack store and bus');
  const { relay } = await composeRelay({
    config: options.config,
    backend: options.shared,
    auth: options.auth,
    logger: options.logger.child({ component: 'relay' }),
    clock: systemClock,
  });
  return { stop: () => relay.close() };
}

async function startChild(env: Env, host: string, port: number, logger: Logger): Promise<SupervisedProcess> {
  const repo = resolve(import.meta.dirname, '../..');
  const child = spawnGroup('relay', process.execPath, ['--import', 'tsx', 'services/relay/main.ts'], {
    cwd: repo,
    env: { ...env, RELAY_PORT: String(port), RELAY_HOST: host },
    onLine: (line, stream) => (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`),
  });
  const probeHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  const deadline = Date.now() + RELAY_READY_TIMEOUT_MS;
  let exit: number | string | undefined;
  void child.exited.then((code) => (exit = code));
  for (;;) {
    if (exit !== undefined) throw new Error(`the relay process exited (${exit}) before it was ready`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(
        `the relay did not become ready on port ${port} within ${RELAY_READY_TIMEOUT_MS / 1000} s`,
      );
    }
    try {
      const res = await fetch(`http://${probeHost}:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  logger.debug('relay process ready', { pid: child.process.pid });
  // The relay's own SIGTERM handler closes sockets with 1001 and deletes its subscription within its budget.
  return { exited: child.exited, stop: () => child.stop(10_000) };
}
