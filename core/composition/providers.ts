// Builds the provider adapters (ElevenLabs, Twilio) from plain settings; the Twilio SDK goes to a simulator if asked.
import { ElevenLabsAgent, type ElevenLabsConfig } from '../adapters/elevenlabs/elevenlabs-agent.ts';
import { TwilioLocalHttpClient } from '../adapters/twilio/twilio-local-http-client.ts';
import { TwilioTelephony, type TwilioConfig } from '../adapters/twilio/twilio-telephony.ts';

export interface ProviderSettings {
  elevenlabs: Omit<ElevenLabsConfig, 'timeoutMs'>;
  twilio: Omit<TwilioConfig, 'timeoutMs' | 'httpClient' | 'publicBaseUrl'> & { apiBaseUrl?: string };
  publicBaseUrl: string;
  /** Timeout of every provider request. */
  timeoutMs: number;
}

export interface Providers {
  agent: ElevenLabsAgent;
  telephony: TwilioTelephony;
}

export function createProviders(s: ProviderSettings): Providers {
  const { apiBaseUrl, ...twilio } = s.twilio;
  // A custom client gets neither the timeout nor autoRetry from the twilio() options: set both here.
  const httpClient = apiBaseUrl
    ? new TwilioLocalHttpClient(apiBaseUrl, { timeout: s.timeoutMs, autoRetry: false })
    : undefined;
  return {
    agent: new ElevenLabsAgent({ ...s.elevenlabs, timeoutMs: s.timeoutMs }),
    telephony: new TwilioTelephony({
      ...twilio,
      publicBaseUrl: s.publicBaseUrl,
      timeoutMs: s.timeoutMs,
      ...(httpClient ? { httpClient } : {}),
    }),
  };
}
