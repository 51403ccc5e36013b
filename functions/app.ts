// The HTTP surface as one route table: provider webhooks (+ health); the API's routes join it here.
import { json } from './http/http-types.ts';
import type { Route } from './http/router.ts';
import { createElevenLabsWebhookHandler } from './webhooks/elevenlabs-webhook.ts';
import { createTwilioStatusHandler } from './webhooks/twilio-status.ts';
import { createTwilioTranscriptionHandler } from './webhooks/twilio-transcription.ts';
import { WEBHOOK_PATHS, type WebhookDeps } from './webhooks/webhook-deps.ts';
import { apiRoutes } from './api/routes.ts';
import type { ApiDeps } from './api/api-deps.ts';

/** Routes of the provider webhooks, at the same public paths their signatures are verified against. */
export function ingestRoutes(deps: WebhookDeps): Route[] {
  return [
    { method: 'POST', pattern: WEBHOOK_PATHS.twilioStatus, handler: createTwilioStatusHandler(deps) },
    {
      method: 'POST',
      pattern: WEBHOOK_PATHS.twilioTranscription,
      handler: createTwilioTranscriptionHandler(deps),
    },
    { method: 'POST', pattern: WEBHOOK_PATHS.elevenlabs, handler: createElevenLabsWebhookHandler(deps) },
  ];
}

/** Liveness for the local server and load balancers; checks nothing downstream. */
export const healthRoute: Route = {
  method: 'GET',
  pattern: '/healthz',
  handler: async () => json(200, { ok: true }),
};

export type AppDeps = WebhookDeps;

/** Every route the local server serves. The API adds `...apiRoutes(deps)` here (functions/api/routes.ts). */
export function createAppRoutes(deps: AppDeps, api?: ApiDeps): Route[] {
  return [...ingestRoutes(deps), ...(api ? apiRoutes(api) : []), healthRoute];
}
