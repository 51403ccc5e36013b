// Composes one local functions server (webhooks, API, voice webhook, health) from parsed config and a backend.
import { systemClock, type Clock } from '../core/support/clock.ts';
import {
  parseIngestConfig,
  parseServingConfig,
  type Env,
  type IngestConfig,
  type ServingConfig,
} from '../core/support/config.ts';
import type { Logger } from '../core/support/log.ts';
import { parseApiConfig, type ApiConfig } from './api/api-config.ts';
import { createApiDepsFromConfig, type ApiBackend, type ApiDeps } from './api/api-deps.ts';
import { createAppRoutes } from './app.ts';
import { startLocalServer, type LocalServer } from './local-server.ts';

/** Everything a local functions server needs to know, parsed once before anything starts. */
export interface FunctionsServerConfig {
  /** The webhooks' settings (and the backend's). */
  ingest: IngestConfig;
  api: ApiConfig;
  serving: ServingConfig;
}

/** Parses the settings of every function served; throws `ConfigError` naming the first bad variable. */
export function parseFunctionsServerConfig(env: Env = process.env): FunctionsServerConfig {
  return { ingest: parseIngestConfig(env), api: parseApiConfig(env), serving: parseServingConfig(env) };
}

/**
 * The same config with both provider SDKs sent to `baseUrl` (the local stack's simulator, whose port is known only
 * once it listens): an explicit override of the parsed values, so nothing writes to the environment after parsing.
 */
export function withProviderBaseUrl(config: FunctionsServerConfig, baseUrl: string): FunctionsServerConfig {
  const { api } = config;
  return {
    ...config,
    api: {
      ...api,
      elevenlabs: { ...api.elevenlabs, baseUrl },
      twilio: { ...api.twilio, apiBaseUrl: baseUrl },
    },
  };
}

export interface FunctionsServerInput {
  config: FunctionsServerConfig;
  /** Shared by the webhooks and the API; owned (and closed) by the caller. */
  backend: ApiBackend;
  logger: Logger;
  /** Time of the webhooks and the API (login throttling, token times); default the system clock. */
  clock?: Clock;
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface FunctionsServer extends LocalServer {
  /** The API's dependencies; callers await `deps.transcriptions.idle()` before closing the backend. */
  deps: ApiDeps;
}

/** Builds the API's deps and every route, and listens; resolves once the port is bound. */
export async function startFunctionsServer(input: FunctionsServerInput): Promise<FunctionsServer> {
  const { config, backend, logger } = input;
  const clock = input.clock ?? systemClock;
  const deps = await createApiDepsFromConfig(config.api, { backend, logger, clock });
  const routes = createAppRoutes(
    { store: backend.store, bus: backend.bus, audit: backend.audit, config: config.ingest, clock },
    deps,
  );
  const server = await startLocalServer({
    routes,
    port: input.port,
    logger,
    projectId: config.api.backend.projectId,
    maxInFlight: config.serving.maxInFlight,
    ...(input.host !== undefined ? { host: input.host } : {}),
  });
  return { ...server, deps };
}
