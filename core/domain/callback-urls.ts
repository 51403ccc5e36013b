// The public webhook URLs callrelay hands to Twilio, each carrying the callId so callbacks name their call directly.

/** Public paths of the Twilio webhooks (mounted by the ingest and voice routes). */
export const TWILIO_WEBHOOK_PATHS = {
  voice: '/webhooks/twilio/voice',
  status: '/webhooks/twilio/status',
  transcription: '/webhooks/twilio/transcription',
} as const;

export type TwilioWebhook = keyof typeof TWILIO_WEBHOOK_PATHS;

/** `${publicBaseUrl}${path}?callId=…`; callIds are URL-safe, but the value is encoded anyway. */
export function callbackUrl(publicBaseUrl: string, hook: TwilioWebhook, callId: string): string {
  return `${publicBaseUrl}${TWILIO_WEBHOOK_PATHS[hook]}?callId=${encodeURIComponent(callId)}`;
}

/**
 * Real-time transcription settings used both by `<Start><Transcription>` (register mode) and by the REST
 * Transcriptions API (elevenlabs mode). On callrelay's outbound calls the inbound track is the driver.
 */
export const TRANSCRIPTION_SETTINGS = {
  name: 'callrelay',
  track: 'both_tracks',
  inboundTrackLabel: 'driver',
  outboundTrackLabel: 'agent',
  /** Partials feed the live board; only finals are stored. */
  partialResults: true,
} as const;
