// Configuration of the `api` function, parsed once at start; every error names the variable, never its value.
import { parseAuthConfig, type AuthConfig } from '../../core/auth/auth-config.ts';
import { isE164 } from '../../core/domain/phone-number.ts';
import { isTimeZone } from '../../core/domain/time-zone.ts';
import { DIAL_MODES, type DialMode } from '../../core/operations/call-dialer.ts';
import {
  ConfigError,
  integer,
  oneOf,
  optionalString,
  parseBackendConfig,
  parseSchedulerConfig,
  parseWebhookConfig,
  requireString,
  url,
  type BackendConfig,
  type Env,
  type SchedulerConfig,
  type WebhookConfig,
} from '../../core/support/config.ts';

/** Default per-request timeout of provider calls: long enough for a dial, short enough to answer before clients give up. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Proxies trusted to append the client's address to `X-Forwarded-For` by default: none. A server clients reach
 * directly must ignore the header (anyone can write it); deployments behind proxies say how many (docs/DEPLOY.md).
 */
export const DEFAULT_TRUSTED_PROXY_HOPS = 0;

/**
 * scrypt runs at once: libuv's threadpool has 4 threads (UV_THREADPOOL_SIZE) shared with file and DNS I/O, so 2
 * leave half of it free; at ~50-100 ms per hash that is still 20-40 logins a second per instance.
 */
export const DEFAULT_PASSWORD_HASH_CONCURRENCY = 2;

/** Logins waiting for a hashing slot: 32 is ~1-2 s of work at the default concurrency; beyond it, 503 at once. */
export const DEFAULT_PASSWORD_HASH_QUEUE = 32;

/** Zone of campaign drivers given without one: callrelay dispatches US trucks, and Central time spans the middle. */
export const DEFAULT_ORG_TIMEZONE = 'America/Chicago';

export interface ApiConfig {
  backend: BackendConfig;
  auth: AuthConfig;
  /** Origin providers call back (`PUBLIC_BASE_URL`), without a trailing slash. */
  publicBaseUrl: string;
  dialMode: DialMode;
  /** Timeout of every request to ElevenLabs and Twilio (`PROVIDER_TIMEOUT_MS`, 100–60000, default 10000). */
  providerTimeoutMs: number;
  /** Proxies in front of the API that append to `X-Forwarded-For` (`TRUSTED_PROXY_HOPS`, 0-10, default 0). */
  trustedProxyHops: number;
  /** Bounds of password hashing (`PASSWORD_HASH_CONCURRENCY` 1-16, default 2; `PASSWORD_HASH_QUEUE` 0-1000, default 32). */
  passwordHashing: { concurrency: number; maxQueued: number };
  /** IANA zone of campaign drivers sent without one (`ORG_DEFAULT_TIMEZONE`, default America/Chicago). */
  orgDefaultTimezone: string;
  elevenlabs: { apiKey: string; agentId: string; agentPhoneNumberId: string; baseUrl?: string };
  twilio: { accountSid: string; authToken: string; fromNumber: string; apiBaseUrl?: string };
  /** Dial recovery and the engine's other rules (`DIAL_GRACE_SECS`, …; see `SchedulerConfig`). */
  scheduler: SchedulerConfig;
  /** Outbound webhooks (`WEBHOOK_*`): URL rule at creation, secret rotation grace. */
  webhooks: WebhookConfig;
}

export function parseApiConfig(env: Env = process.env): ApiConfig {
  const elevenlabsBaseUrl = optionalString(env, 'ELEVENLABS_BASE_URL')
    ? url(env, 'ELEVENLABS_BASE_URL')
    : undefined;
  const twilioApiBaseUrl = optionalString(env, 'TWILIO_API_BASE_URL')
    ? url(env, 'TWILIO_API_BASE_URL')
    : undefined;
  const fromNumber = requireString(env, 'TWILIO_FROM_NUMBER');
  if (!isE164(fromNumber))
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
    trustedProxyHops: integer(env, 'TRUSTED_PROXY_HOPS', DEFAULT_TRUSTED_PROXY_HOPS, { min: 0, max: 10 }),
    passwordHashing: {
      concurrency: integer(env, 'PASSWORD_HASH_CONCURRENCY', DEFAULT_PASSWORD_HASH_CONCURRENCY, {
        min: 1,
        max: 16,
      }),
      maxQueued: integer(env, 'PASSWORD_HASH_QUEUE', DEFAULT_PASSWORD_HASH_QUEUE, { min: 0, max: 1000 }),
    },
    orgDefaultTimezone: timeZone(env, 'ORG_DEFAULT_TIMEZONE', DEFAULT_ORG_TIMEZONE),
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
    scheduler: parseSchedulerConfig(env),
    webhooks: parseWebhookConfig(env),
  };
}

/** An IANA time zone the runtime knows, else a ConfigError naming the variable. */
function timeZone(env: Env, name: string, fallback: string): string {
  const value = optionalString(env, name) ?? fallback;
  if (!isTimeZone(value)) throw new ConfigError(name, 'must be an IANA time zone such as America/Chicago');
  return value;
}
