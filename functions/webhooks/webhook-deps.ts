// What every webhook handler is built from, and the public paths providers call (their signatures cover them).
import type { Clock } from '../../core/support/clock.ts';
import type { IngestConfig } from '../../core/support/config.ts';
import type { AuditLog } from '../../core/ports/audit-log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import { TWILIO_WEBHOOK_PATHS } from '../../core/domain/callback-urls.ts';

export interface WebhookDeps {
  store: CallStore;
  bus: EventBus;
  /** Where each provider webhook that changed a call is recorded (`ingest.ts`). */
  audit: AuditLog;
  config: Pick<IngestConfig, 'publicBaseUrl' | 'twilioAuthToken' | 'elevenlabsWebhookSecret' | 'defaultOrg'>;
  clock: Clock;
}

/**
 * Paths under `PUBLIC_BASE_URL` that providers are configured to call. Handlers verify signatures against these,
 * never against the path they were reached on (hosting rewrites and function URLs differ from the public one).
 */
export const WEBHOOK_PATHS = {
  twilioStatus: TWILIO_WEBHOOK_PATHS.status,
  twilioTranscription: TWILIO_WEBHOOK_PATHS.transcription,
  elevenlabs: '/webhooks/elevenlabs',
} as const;
