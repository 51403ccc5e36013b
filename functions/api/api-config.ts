// Configuration of the `api` function, parsed once at start; every error names the variable, never its value.
import { parseAuthConfig, type AuthConfig } from '../../core/auth/tokens.ts';
import { DIAL_MODES, type DialMode } from '../../core/call-dialer.ts';
import {
  ConfigError,
  integer,
  oneOf,
  optionalString,
  parseBackendConfig,
  requireString,
  url,
  type BackendConfig,
  type Env,
} from '../../core/config.ts';

/** Default per-request timeout of provider calls: long enough for a dial, short enough to answer before clients give up. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

export interface ApiConfig {
  backend: BackendConfig;
  auth: AuthConfig;
  /** Origin providers call back (`PUBLIC_BASE_URL`), without a trailing slash. */
  publicBaseUrl: string;
  dialMode: DialMode;
  /** Timeout of every request to ElevenLabs and Twilio (`PROVIDER_TIMEOUT_MS`, 100–60000, default 10000). */
  providerTimeoutMs: number;
  elevenlabs: { apiKey: string; agentId: string; agentPhoneNumberId: string; baseUrl?: string };
  twilio: { accountSid: string; authToken: string; fromNumber: string; apiBaseUrl?: string };
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function parseApiConfig(env: Env = process.env): ApiConfig {
  const elevenlabsBaseUrl = optionalString(env, 'ELEVENLABS_BASE_URL')
    ? url(env, 'ELEVENLABS_BASE_URL')
    : undefined;
  const twilioApiBaseUrl = optionalString(env, 'TWILIO_API_BASE_URL')
    ? url(env, 'TWILIO_API_BASE_URL')
    : undefined;
  const fromNumber = requireString(env, 'TWILIO_FROM_NUMBER');
  if (!E164.test(fromNumber))
    throw new ConfigError('TWILIO_FROM_NUMBER', 'must be an E.164 number (+ and 7-15 digits)');
  return {
    backend: parseBackendConfig(env),
    auth: parseAuthConfig(env),
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL'),
    dialMode: oneOf(env, 'DIAL_MODE', DIAL_MODES, 'register'),
    providerTimeoutMs: integer(env, 'PROVIDER_TIMEOUT_MS', DEFAULT_PROVIDER_TIMEOUT_MS, {
      min: 100,
      max: 60_000,
    }),
    elevenlabs: {
      apiKey: requireString(env, 'ELEVENLABS_API_KEY'),
      agentId: requireString(env, 'ELEVENLABS_AGENT_ID'),
      agentPhoneNumberId: requireString(env, 'ELEVENLABS_AGENT_PHONE_NUMBER_ID'),
      ...(elevenlabsBaseUrl ? { baseUrl: elevenlabsBaseUrl } : {}),
    },
    twilio: {
      accountSid: requireString(env, 'TWILIO_ACCOUNT_SID'),
      authToken: requireString(env, 'TWILIO_AUTH_TOKEN'),
      fromNumber,
      ...(twilioApiBaseUrl ? { apiBaseUrl: twilioApiBaseUrl } : {}),
    },
  };
}
