// The provider webhooks as routes, at the same public paths their signatures are verified against.
import { TWILIO_WEBHOOK_PATHS } from '../../core/domain/callback-urls.ts';
import type { Route } from '../http/router.ts';
import { createElevenLabsWebhookHandler } from './elevenlabs-webhook.ts';
import { createTwilioStatusHandler } from './twilio-status.ts';
import { createTwilioTranscriptionHandler } from './twilio-transcription.ts';
import { createTwilioVoiceHandler, type TwilioVoiceDeps } from './twilio-voice.ts';
import { WEBHOOK_PATHS, type WebhookDeps } from './webhook-deps.ts';

/** The ingest webhooks: Twilio status and transcription callbacks, ElevenLabs post-call. */
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

/** Twilio's voice webhook of register-mode calls (served by the `api` function, which holds the agent). */
export function voiceRoute(deps: TwilioVoiceDeps): Route {
  return { method: 'POST', pattern: TWILIO_WEBHOOK_PATHS.voice, handler: createTwilioVoiceHandler(deps) };
}
