// Cloud Functions entry: parse config once, build the backend, register each webhook. Wiring only.
import * as functions from '@google-cloud/functions-framework';
import { createBackend } from '../core/backend.ts';
import { systemClock } from '../core/clock.ts';
import { parseIngestConfig } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { createApiHandler } from './api/api-function.ts';
import { toFrameworkHandler } from './http/framework-adapter.ts';
import { createElevenLabsWebhookHandler } from './webhooks/elevenlabs-webhook.ts';
import { createTwilioStatusHandler } from './webhooks/twilio-status.ts';
import { createTwilioTranscriptionHandler } from './webhooks/twilio-transcription.ts';

const config = parseIngestConfig();
const logger = createLogger({ base: { service: 'callrelay-functions' } });
const backend = await createBackend(config, { logger });
const deps = { store: backend.store, bus: backend.bus, config, clock: systemClock };
const http = { logger, projectId: config.projectId };

functions.http('twilioStatusWebhook', toFrameworkHandler(createTwilioStatusHandler(deps), http));
functions.http(
  'twilioTranscriptionWebhook',
  toFrameworkHandler(createTwilioTranscriptionHandler(deps), http),
);
functions.http('elevenlabsWebhook', toFrameworkHandler(createElevenLabsWebhookHandler(deps), http));
functions.http('api', toFrameworkHandler(await createApiHandler({ backend, logger }), http));
