// Config parsing: defaults, fail-fast errors naming the variable, and no secret echoed back.
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  hostPort,
  integer,
  oneOf,
  parseBackendConfig,
  parseIngestConfig,
  parseSchedulerConfig,
  SCHEDULER_DEFAULTS,
  parseWebhookConfig,
  WEBHOOK_DEFAULTS,
  url,
  type Env,
} from './config.ts';

const ingestEnv: Env = {
  GOOGLE_CLOUD_PROJECT: 'demo-p',
  PUBLIC_BASE_URL: 'https://api.example.com/',
  TWILIO_ACCOUNT_SID: 'AC123',
  TWILIO_AUTH_TOKEN: 'super-secret-token',
  ELEVENLABS_WEBHOOK_SECRET: 'wsec_abc',
  DEFAULT_ORG: 'org-default',
};

describe('parseBackendConfig', () => {
  it('defaults to google, which requires a project', () => {
    expect(() => parseBackendConfig({})).toThrow(/GOOGLE_CLOUD_PROJECT is required/);
    expect(parseBackendConfig({ GOOGLE_CLOUD_PROJECT: 'demo-p' })).toEqual({
      backend: 'google',
      projectId: 'demo-p',
      topic: 'callrelay-events',
    });
  });

  it('memory needs no project and picks up emulator hosts and topic', () => {
    const config = parseBackendConfig({
      CALLRELAY_BACKEND: 'memory',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080',
      PUBSUB_EMULATOR_HOST: 'localhost:8085',
      CALLRELAY_TOPIC: ' live ',
    });
    expect(config).toEqual({
      backend: 'memory',
      projectId: 'demo-callrelay',
      firestoreEmulatorHost: '127.0.0.1:8080',
      pubsubEmulatorHost: 'localhost:8085',
      topic: 'live',
    });
  });

  it.each([
    ['CALLRELAY_BACKEND', { CALLRELAY_BACKEND: 'redis' }, /CALLRELAY_BACKEND must be one of google, memory/],
    [
      'FIRESTORE_EMULATOR_HOST',
      { CALLRELAY_BACKEND: 'memory', FIRESTORE_EMULATOR_HOST: 'http://x' },
      /must be host:port/,
    ],
  ])('rejects a bad %s', (_name, env, message) => {
    expect(() => parseBackendConfig(env)).toThrow(message);
  });
});

describe('parseIngestConfig', () => {
  it('parses a full environment and trims the base URL', () => {
    expect(parseIngestConfig(ingestEnv)).toMatchObject({
      publicBaseUrl: 'https://api.example.com',
      defaultOrg: 'org-default',
    });
  });

  it.each([
    'PUBLIC_BASE_URL',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'ELEVENLABS_WEBHOOK_SECRET',
    'DEFAULT_ORG',
  ])('fails naming %s when it is missing', (name) => {
    const env = { ...ingestEnv, [name]: '  ' };
    expect(() => parseIngestConfig(env)).toThrow(ConfigError);
    expect(() => parseIngestConfig(env)).toThrow(name);
  });

  it('never echoes a value in its errors', () => {
    try {
      parseIngestConfig({ ...ingestEnv, PUBLIC_BASE_URL: 'ftp://super-secret-token' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toMatch(/PUBLIC_BASE_URL must be an http\(s\) URL/);
      expect(String(err)).not.toContain('super-secret-token');
    }
  });
});

describe('readers', () => {
  it.each([
    [undefined, 5],
    ['7', 7],
  ])('integer(%s) -> %s', (raw, expected) => {
    expect(integer({ N: raw }, 'N', 5, { min: 1, max: 10 })).toBe(expected);
  });

  it.each(['x', '1.5', '0', '11'])('integer rejects %s', (raw) => {
    expect(() => integer({ N: raw }, 'N', 5, { min: 1, max: 10 })).toThrow(ConfigError);
  });

  it('oneOf without a fallback is required', () => {
    expect(() => oneOf({}, 'MODE', ['a', 'b'] as const)).toThrow(/MODE is required/);
  });

  it('url falls back and validates', () => {
    expect(url({}, 'U', 'http://localhost:3000/')).toBe('http://localhost:3000');
    expect(() => url({ U: 'not a url' }, 'U')).toThrow(ConfigError);
  });

  it.each(['[::1]:8080', 'emulator:8085'])('hostPort accepts %s', (value) => {
    expect(hostPort({ H: value }, 'H')).toBe(value);
  });
});

describe('parseSchedulerConfig', () => {
  it('has the documented defaults', () => {
    expect(parseSchedulerConfig({})).toEqual(SCHEDULER_DEFAULTS);
    expect(SCHEDULER_DEFAULTS).toEqual({
      reconcileAfterSecs: 600,
      orgMaxConcurrentCalls: 20,
      callCheckSecs: 120,
      dialGraceSecs: 30,
      slotWaitMs: 2000,
    });
  });

  it('reads each variable and names a bad one', () => {
    expect(
      parseSchedulerConfig({
        RECONCILE_AFTER_SECS: '5',
        ORG_MAX_CONCURRENT_CALLS: '3',
        CALL_CHECK_SECS: '10',
        DIAL_GRACE_SECS: '15',
        CAMPAIGN_SLOT_WAIT_MS: '500',
      }),
    ).toEqual({
      reconcileAfterSecs: 5,
      orgMaxConcurrentCalls: 3,
      callCheckSecs: 10,
      dialGraceSecs: 15,
      slotWaitMs: 500,
    });
    expect(() => parseSchedulerConfig({ DIAL_GRACE_SECS: '1' })).toThrow(/DIAL_GRACE_SECS must be >= 5/);
    expect(() => parseSchedulerConfig({ ORG_MAX_CONCURRENT_CALLS: 'many' })).toThrow(
      /ORG_MAX_CONCURRENT_CALLS must be an integer/,
    );
  });
});

describe('parseWebhookConfig', () => {
  it('defaults to the documented schedule, 5 days, 24 h and public https only', () => {
    expect(parseWebhookConfig({})).toEqual(WEBHOOK_DEFAULTS);
    expect(WEBHOOK_DEFAULTS).toEqual({
      retryDelaysSecs: [5, 300, 1800, 7200, 18000, 36000, 36000],
      disableAfterSecs: 432000,
      secretGraceSecs: 86400,
      allowPrivateUrls: false,
    });
  });

  it('reads every variable', () => {
    expect(
      parseWebhookConfig({
        WEBHOOK_RETRY_DELAYS: ' 1, 2 ,3',
        WEBHOOK_DISABLE_AFTER_SECS: '600',
        WEBHOOK_SECRET_GRACE_SECS: '0',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      }),
    ).toEqual({
      retryDelaysSecs: [1, 2, 3],
      disableAfterSecs: 600,
      secretGraceSecs: 0,
      allowPrivateUrls: true,
    });
  });

  it.each([
    ['WEBHOOK_RETRY_DELAYS', '5,,6'],
    ['WEBHOOK_RETRY_DELAYS', '0'],
    ['WEBHOOK_RETRY_DELAYS', '1.5'],
    ['WEBHOOK_RETRY_DELAYS', Array(21).fill('1').join(',')],
    ['WEBHOOK_DISABLE_AFTER_SECS', '5'],
    ['WEBHOOK_ALLOW_PRIVATE_URLS', 'yes'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => parseWebhookConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
