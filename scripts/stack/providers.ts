// The provider adapters the API dials with, from its config: the real SDKs, pointed at the simulator when configured.
import { ElevenLabsAgent } from '../../core/providers/elevenlabs-agent.ts';
import { TwilioLocalHttpClient } from '../../core/providers/twilio-local-http-client.ts';
import { TwilioTelephony } from '../../core/providers/twilio-telephony.ts';
import type { ApiConfig } from '../../functions/api/api-config.ts';

export function createProviderAdapters(config: ApiConfig): {
  telephony: TwilioTelephony;
  agent: ElevenLabsAgent;
} {
  const timeoutMs = config.providerTimeoutMs;
  const { apiBaseUrl } = config.twilio;
  return {
    telephony: new TwilioTelephony({
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      fromNumber: config.twilio.fromNumber,
      publicBaseUrl: config.publicBaseUrl,
      timeoutMs,
      // The SDK does not pass retry or timeout settings to a custom client: set both here (a retry can dial twice).
      ...(apiBaseUrl
        ? { httpClient: new TwilioLocalHttpClient(apiBaseUrl, { autoRetry: false, timeout: timeoutMs }) }
        : {}),
    }),
    agent: new ElevenLabsAgent({
      apiKey: config.elevenlabs.apiKey,
      agentId: config.elevenlabs.agentId,
      agentPhoneNumberId: config.elevenlabs.agentPhoneNumberId,
      ...(config.elevenlabs.baseUrl ? { baseUrl: config.elevenlabs.baseUrl } : {}),
      timeoutMs,
    }),
  };
}
