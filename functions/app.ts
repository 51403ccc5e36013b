// The functions' HTTP surface, composed once: webhook routes, API routes, the voice webhook, health.
import type { Backend } from '../core/composition/backend.ts';
import type { Env } from '../core/support/config.ts';
import type { Logger } from '../core/support/log.ts';
import { parseApiConfig } from './api/api-config.ts';
import type { ApiDeps } from './api/api-deps.ts';
import { createApiDepsFromConfig } from './api/api-deps.ts';
import { apiRoutes } from './api/routes.ts';
import { healthRoute } from './http/health-route.ts';
import type { HttpHandler } from './http/http-types.ts';
import { createRouter, type Route } from './http/router.ts';
import type { WebhookDeps } from './webhooks/webhook-deps.ts';
import { ingestRoutes, voiceRoute } from './webhooks/webhook-routes.ts';

/** What the `api` function serves: the API, Twilio's voice webhook (it needs the agent the API holds), health. */
export function apiFunctionRoutes(api: ApiDeps): Route[] {
  return [...apiRoutes(api), voiceRoute(api)];
}

/** Every route one local server serves: the webhooks, and with `api` the `api` function's routes; health. */
export function createAppRoutes(webhooks: WebhookDeps, api?: ApiDeps): Route[] {
  return [...ingestRoutes(webhooks), ...(api ? apiFunctionRoutes(api) : []), healthRoute];
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
  return createRouter([...apiFunctionRoutes(deps), healthRoute]);
}
