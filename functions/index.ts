// Cloud Functions entry: parse config once, build the backend, register the function(s) being served. Wiring only.
import * as functions from '@google-cloud/functions-framework';
import { createBackend } from '../core/composition/backend.ts';
import { systemClock } from '../core/support/clock.ts';
import { parseBackendConfig, parseIngestConfig, parseServingConfig } from '../core/support/config.ts';
import { createLogger } from '../core/support/log.ts';
import { createApiHandler } from './app.ts';
import { toFrameworkHandler } from './http/framework-adapter.ts';
import { createElevenLabsWebhookHandler } from './webhooks/elevenlabs-webhook.ts';
import { createTwilioStatusHandler } from './webhooks/twilio-status.ts';
import { createTwilioTranscriptionHandler } from './webhooks/twilio-transcription.ts';
import { parseWorkerConfig } from './worker/worker-config.ts';
import {
  createWorkerEventsHandler,
  createWorkerTickHandler,
  type PubSubCloudEvent,
} from './worker/worker-entries.ts';
import { createWorkerFromConfig } from './worker/worker-from-config.ts';

// Cloud Functions sets FUNCTION_TARGET: build only that function, so it needs only its own settings and a bad
// API setting cannot stop ingest. Unset (local tools), every function is registered.
const target = process.env.FUNCTION_TARGET;
const serves = (name: string) => !target || target === name;
const WEBHOOKS = ['twilioStatusWebhook', 'twilioTranscriptionWebhook', 'elevenlabsWebhook'] as const;

const logger = createLogger({
  base: { service: 'callrelay-functions', ...(target ? { function: target } : {}) },
});
const backendConfig = parseBackendConfig();
const backend = await createBackend(backendConfig, { logger });
const http = { logger, projectId: backendConfig.projectId, ...parseServingConfig() };

if (WEBHOOKS.some(serves)) {
  const deps = {
    store: backend.store,
    bus: backend.bus,
    audit: backend.audit,
    config: parseIngestConfig(),
    clock: systemClock,
  };
  if (serves('twilioStatusWebhook')) {
    functions.http('twilioStatusWebhook', toFrameworkHandler(createTwilioStatusHandler(deps), http));
  }
  if (serves('twilioTranscriptionWebhook')) {
    functions.http(
      'twilioTranscriptionWebhook',
      toFrameworkHandler(createTwilioTranscriptionHandler(deps), http),
    );
  }
  if (serves('elevenlabsWebhook')) {
    functions.http('elevenlabsWebhook', toFrameworkHandler(createElevenLabsWebhookHandler(deps), http));
  }
}
if (serves('api')) {
  functions.http('api', toFrameworkHandler(await createApiHandler({ backend, logger }), http));
}
if (serves('workerTick') || serves('workerEvents')) {
  const worker = await createWorkerFromConfig({ env: process.env, backend, logger, clock: systemClock });
  if (serves('workerTick')) {
    const budgetMs = parseWorkerConfig().tickBudgetMs;
    functions.http('workerTick', toFrameworkHandler(createWorkerTickHandler(worker, budgetMs), http));
  }
  if (serves('workerEvents')) {
    const onEvent = createWorkerEventsHandler(worker, logger);
    functions.cloudEvent(
      'workerEvents',
      (event: functions.CloudEvent<PubSubCloudEvent['data']>): Promise<void> => onEvent({ data: event.data }),
    );
  }
}
