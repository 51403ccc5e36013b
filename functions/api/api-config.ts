// Configuration of the `api` function, parsed once at start; every error names the variable, never its value.
import { parseAuthConfig, type AuthConfig } from '../../core/auth/auth-config.ts';
import { parseOrgTimezone } from '../../core/composition/org-time-zone.ts';
import { parseDialingConfig, type DialingConfig } from '../../core/composition/dialing.ts';
import {
  integer,
  parseBackendConfig,
  parseWebhookConfig,
  type BackendConfig,
  type Env,
  type WebhookConfig,
} from '../../core/support/config.ts';

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

/** The API's settings: the dialing settings it shares with the worker (`DialingConfig`) and its own. */
export interface ApiConfig extends DialingConfig {
  backend: BackendConfig;
  auth: AuthConfig;
  /** Proxies in front of the API that append to `X-Forwarded-For` (`TRUSTED_PROXY_HOPS`, 0-10, default 0). */
  trustedProxyHops: number;
  /** Bounds of password hashing (`PASSWORD_HASH_CONCURRENCY` 1-16, default 2; `PASSWORD_HASH_QUEUE` 0-1000, default 32). */
  passwordHashing: { concurrency: number; maxQueued: number };
  /** IANA zone of campaign drivers sent without one (`ORG_DEFAULT_TIMEZONE`, default America/Chicago). */
  orgDefaultTimezone: string;
  /** Outbound webhooks (`WEBHOOK_*`): URL rule at creation, secret rotation grace. */
  webhooks: WebhookConfig;
}

export function parseApiConfig(env: Env = process.env): ApiConfig {
  return {
    backend: parseBackendConfig(env),
    auth: parseAuthConfig(env),
    ...parseDialingConfig(env),
    trustedProxyHops: integer(env, 'TRUSTED_PROXY_HOPS', DEFAULT_TRUSTED_PROXY_HOPS, { min: 0, max: 10 }),
    passwordHashing: {
      concurrency: integer(env, 'PASSWORD_HASH_CONCURRENCY', DEFAULT_PASSWORD_HASH_CONCURRENCY, {
        min: 1,
        max: 16,
      }),
      maxQueued: integer(env, 'PASSWORD_HASH_QUEUE', DEFAULT_PASSWORD_HASH_QUEUE, { min: 0, max: 1000 }),
    },
    orgDefaultTimezone: parseOrgTimezone(env),
    webhooks: parseWebhookConfig(env),
  };
}
