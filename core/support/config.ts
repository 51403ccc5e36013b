// Configuration readers: parse the environment once at start, fail fast naming the variable, never echo secrets.

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export function requireString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function stringWithDefault(env: Env, name: string, fallback: string): string {
  return optionalString(env, name) ?? fallback;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback?: T): T {
  const value = optionalString(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(name, `is required (one of ${allowed.join(', ')})`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function integer(
  env: Env,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ConfigError(name, 'must be an integer');
  if (range.min !== undefined && value < range.min) throw new ConfigError(name, `must be >= ${range.min}`);
  if (range.max !== undefined && value > range.max) throw new ConfigError(name, `must be <= ${range.max}`);
  return value;
}

export function url(env: Env, name: string, fallback?: string): string {
  const value = optionalString(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(name, 'must be an http(s) URL');
  }
  return value.replace(/\/+$/, '');
}

export function hostPort(env: Env, name: string): string | undefined {
  const value = optionalString(env, name);
  if (value !== undefined && !/^[\w.-]+:\d+$/.test(value) && !/^\[[\d:a-fA-F]+\]:\d+$/.test(value)) {
    throw new ConfigError(name, 'must be host:port');
  }
  return value;
}

/** Which adapters back the ports. */
export interface BackendConfig {
  backend: 'google' | 'memory';
  projectId: string;
  firestoreEmulatorHost?: string;
  pubsubEmulatorHost?: string;
  /** Pub/Sub topic carrying the live bus. */
  topic: string;
}

export function parseBackendConfig(env: Env = process.env): BackendConfig {
  const backend = oneOf(env, 'CALLRELAY_BACKEND', ['google', 'memory'] as const, 'google');
  const firestoreEmulatorHost = hostPort(env, 'FIRESTORE_EMULATOR_HOST');
  const pubsubEmulatorHost = hostPort(env, 'PUBSUB_EMULATOR_HOST');
  const projectId =
    backend === 'google'
      ? requireString(env, 'GOOGLE_CLOUD_PROJECT')
      : stringWithDefault(env, 'GOOGLE_CLOUD_PROJECT', 'demo-callrelay');
  return {
    backend,
    projectId,
    ...(firestoreEmulatorHost ? { firestoreEmulatorHost } : {}),
    ...(pubsubEmulatorHost ? { pubsubEmulatorHost } : {}),
    topic: stringWithDefault(env, 'CALLRELAY_TOPIC', 'callrelay-events'),
  };
}

/** What the provider webhooks need. */
export interface IngestConfig extends BackendConfig {
  /** Public origin providers call (signatures cover it), e.g. https://api.example.com. */
  publicBaseUrl: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  elevenlabsWebhookSecret: string;
  /** Org that owns calls callrelay did not create. */
  defaultOrg: string;
}

export function parseIngestConfig(env: Env = process.env): IngestConfig {
  return {
    ...parseBackendConfig(env),
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL'),
    twilioAccountSid: requireString(env, 'TWILIO_ACCOUNT_SID'),
    twilioAuthToken: requireString(env, 'TWILIO_AUTH_TOKEN'),
    elevenlabsWebhookSecret: requireString(env, 'ELEVENLABS_WEBHOOK_SECRET'),
    defaultOrg: requireString(env, 'DEFAULT_ORG'),
  };
}

/** Limits of a process serving HTTP requests (the functions; the local stack's API server). */
export interface ServingConfig {
  /**
   * Requests one process works on at once; more get 503 `unavailable` with `Retry-After: 1` at once, before their
   * body is read (`MAX_IN_FLIGHT`, default 64). Providers retry a 503, and a process that sheds stays responsive
   * where an unbounded queue made every webhook wait 10–30 s at 150/s on the emulators.
   */
  maxInFlight: number;
}

export const SERVING_DEFAULTS: ServingConfig = { maxInFlight: 64 };

export function parseServingConfig(env: Env = process.env): ServingConfig {
  return {
    maxInFlight: integer(env, 'MAX_IN_FLIGHT', SERVING_DEFAULTS.maxInFlight, { min: 1, max: 100_000 }),
  };
}

/** Rules of the call engine (campaign dials, dial recovery, post-call reconciliation); used by the API and the worker. */
export interface SchedulerConfig {
  /**
   * A call that ended without a post-call transcript is fetched from ElevenLabs this long after it ended
   * (`RECONCILE_AFTER_SECS`, 1–86400, default 600): well past ElevenLabs' usual webhook delay.
   */
  reconcileAfterSecs: number;
  /** Campaign calls of one org in flight at once, across its campaigns (`ORG_MAX_CONCURRENT_CALLS`, 1–1000, default 20). */
  orgMaxConcurrentCalls: number;
  /**
   * How long after a campaign dial its driver is looked at if no call event moved it on (`CALL_CHECK_SECS`,
   * 1–3600, default 120): the watchdog behind the bus consumer.
   */
  callCheckSecs: number;
  /**
   * A dial the provider has not confirmed after this long is checked against the provider's call list and placed
   * only if it is not there (`DIAL_GRACE_SECS`, 5–600, default 30): above the provider timeout (10 s).
   */
  dialGraceSecs: number;
  /**
   * Base wait of a campaign driver that found no free call slot (`CAMPAIGN_SLOT_WAIT_MS`, 100–60000, default 2000);
   * it grows with the drivers waiting per slot (capped at 15× the base) and is jittered ±50%.
   */
  slotWaitMs: number;
}

export const SCHEDULER_DEFAULTS: SchedulerConfig = {
  reconcileAfterSecs: 600,
  orgMaxConcurrentCalls: 20,
  callCheckSecs: 120,
  dialGraceSecs: 30,
  slotWaitMs: 2000,
};

export function parseSchedulerConfig(env: Env = process.env): SchedulerConfig {
  const d = SCHEDULER_DEFAULTS;
  return {
    reconcileAfterSecs: integer(env, 'RECONCILE_AFTER_SECS', d.reconcileAfterSecs, { min: 1, max: 86_400 }),
    orgMaxConcurrentCalls: integer(env, 'ORG_MAX_CONCURRENT_CALLS', d.orgMaxConcurrentCalls, {
      min: 1,
      max: 1000,
    }),
    callCheckSecs: integer(env, 'CALL_CHECK_SECS', d.callCheckSecs, { min: 1, max: 3600 }),
    dialGraceSecs: integer(env, 'DIAL_GRACE_SECS', d.dialGraceSecs, { min: 5, max: 600 }),
    slotWaitMs: integer(env, 'CAMPAIGN_SLOT_WAIT_MS', d.slotWaitMs, { min: 100, max: 60_000 }),
  };
}

/** `true`/`false` (also `1`/`0`), or `fallback` when unset. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optionalString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'must be true or false');
}

/** Outbound webhooks: retry schedule, disabling, secret rotation and which URLs may be called. */
export interface WebhookConfig {
  /** Waits between attempts, in seconds (`WEBHOOK_RETRY_DELAYS`, comma-separated); after the last, `failed`. */
  retryDelaysSecs: number[];
  /** An endpoint failing continuously this long is disabled (`WEBHOOK_DISABLE_AFTER_SECS`, default 5 days). */
  disableAfterSecs: number;
  /** How long a rotated-out secret still signs (`WEBHOOK_SECRET_GRACE_SECS`, default 24 h). */
  secretGraceSecs: number;
  /**
   * `WEBHOOK_ALLOW_PRIVATE_URLS` (default false): when false only `https` URLs resolving to public addresses are
   * called; the local stack sets true so receivers on `http://127.0.0.1` work.
   */
  allowPrivateUrls: boolean;
}

export const WEBHOOK_DEFAULTS: WebhookConfig = {
  // Roughly 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 27 h of retries, as Standard Webhooks senders do.
  retryDelaysSecs: [5, 300, 1800, 7200, 18000, 36000, 36000],
  disableAfterSecs: 5 * 24 * 3600,
  secretGraceSecs: 24 * 3600,
  allowPrivateUrls: false,
};

/** Bounds of `WEBHOOK_RETRY_DELAYS`: at most 20 entries, each 1 s to 7 days. */
export const WEBHOOK_RETRY_LIMITS = { entriesMax: 20, secsMin: 1, secsMax: 7 * 24 * 3600 } as const;

export function parseWebhookConfig(env: Env = process.env): WebhookConfig {
  const raw = optionalString(env, 'WEBHOOK_RETRY_DELAYS');
  let retryDelaysSecs = WEBHOOK_DEFAULTS.retryDelaysSecs;
  if (raw !== undefined) {
    const parts = raw.split(',').map((p) => p.trim());
    const { entriesMax, secsMin, secsMax } = WEBHOOK_RETRY_LIMITS;
    if (parts.length > entriesMax)
      throw new ConfigError('WEBHOOK_RETRY_DELAYS', `has more than ${entriesMax} entries`);
    retryDelaysSecs = parts.map((p) => {
      const n = Number(p);
      if (!/^\d+$/.test(p) || n < secsMin || n > secsMax) {
        throw new ConfigError(
          'WEBHOOK_RETRY_DELAYS',
          `must be comma-separated integers ${secsMin}-${secsMax}`,
        );
      }
      return n;
    });
  }
  return {
    retryDelaysSecs,
    disableAfterSecs: integer(env, 'WEBHOOK_DISABLE_AFTER_SECS', WEBHOOK_DEFAULTS.disableAfterSecs, {
      min: 60,
      max: 90 * 24 * 3600,
    }),
    secretGraceSecs: integer(env, 'WEBHOOK_SECRET_GRACE_SECS', WEBHOOK_DEFAULTS.secretGraceSecs, {
      min: 0,
      max: 30 * 24 * 3600,
    }),
    allowPrivateUrls: flag(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', WEBHOOK_DEFAULTS.allowPrivateUrls),
  };
}
