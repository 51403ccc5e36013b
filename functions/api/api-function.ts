// The `api` Cloud Function's handler: API config → providers → deps → one router (API routes + health).
import type { Backend } from '../../core/composition/backend.ts';
import type { Clock } from '../../core/support/clock.ts';
import type { Env } from '../../core/support/config.ts';
import type { Logger } from '../../core/support/log.ts';
import { createProviders } from '../../core/composition/providers.ts';
import { healthRoute } from '../app.ts';
import type { HttpHandler } from '../http/http-types.ts';
import { createRouter } from '../http/router.ts';
import { parseApiConfig, type ApiConfig } from './api-config.ts';
import { createApiDeps, type ApiDeps } from './api-deps.ts';
import { apiRoutes } from './routes.ts';

/** Deps of the API from its config and an already built backend (shared with the webhooks in one process). */
export async function createApiDepsFromConfig(
  config: ApiConfig,
  input: { backend: Pick<Backend, 'store' | 'bus' | 'users' | 'idempotency'>; logger: Logger; clock?: Clock },
): Promise<ApiDeps> {
  const providers = createProviders({
    elevenlabs: config.elevenlabs,
    twilio: config.twilio,
    publicBaseUrl: config.publicBaseUrl,
    timeoutMs: config.providerTimeoutMs,
  });
  return createApiDeps({
    config,
    store: input.backend.store,
    users: input.backend.users,
    idempotency: input.backend.idempotency,
    bus: input.backend.bus,
    logger: input.logger,
    telephony: providers.telephony,
    agent: providers.agent,
    ...(input.clock ? { clock: input.clock } : {}),
  });
}

/** Parses `env` (fails fast naming a bad variable) and returns the routed handler of the `api` function. */
export async function createApiHandler(input: {
  backend: Backend;
  logger: Logger;
  env?: Env;
}): Promise<HttpHandler> {
  const config = parseApiConfig(input.env);
  const deps = await createApiDepsFromConfig(config, input);
  input.logger.info('api ready', {
    dialMode: config.dialMode,
    providerTimeoutMs: config.providerTimeoutMs,
    trustedProxyHops: config.trustedProxyHops,
    passwordHashing: config.passwordHashing,
  });
  return createRouter([...apiRoutes(deps), healthRoute]);
}
