import { describe, expect, it } from 'vitest';
import { parseApiConfig } from './api-config.ts';

const complete = {
  CALLRELAY_BACKEND: 'memory',
  JWT_SECRET: 's'.repeat(40),
  PUBLIC_BASE_URL: 'https://api.example.com/',
  ELEVENLABS_API_KEY: 'xi_secret_key',
  ELEVENLABS_AGENT_ID: 'agent_1',
  ELEVENLABS_AGENT_PHONE_NUMBER_ID: 'phnum_1',
  TWILIO_ACCOUNT_SID: 'AC1',
  TWILIO_AUTH_TOKEN: 'twilio_secret_token',
  TWILIO_FROM_NUMBER: '+15550000001',
};

describe('parseApiConfig', () => {
  it('applies defaults', () => {
    const config = parseApiConfig(complete);
    expect(config).toMatchObject({
      dialMode: 'register',
      providerTimeoutMs: 10_000,
      publicBaseUrl: 'https://api.example.com',
      trustedProxyHops: 0,
      passwordHashing: { concurrency: 2, maxQueued: 32 },
      orgDefaultTimezone: 'America/Chicago',
    });
    expect(config.elevenlabs.baseUrl).toBeUndefined();
    expect(config.twilio.apiBaseUrl).toBeUndefined();
  });

  it.each([
    ['ELEVENLABS_API_KEY', { ELEVENLABS_API_KEY: '' }],
    ['ELEVENLABS_AGENT_ID', { ELEVENLABS_AGENT_ID: undefined }],
    ['ELEVENLABS_AGENT_PHONE_NUMBER_ID', { ELEVENLABS_AGENT_PHONE_NUMBER_ID: ' ' }],
    ['TWILIO_AUTH_TOKEN', { TWILIO_AUTH_TOKEN: '' }],
    ['TWILIO_FROM_NUMBER', { TWILIO_FROM_NUMBER: '555-0100' }],
    ['DIAL_MODE', { DIAL_MODE: 'carrier-pigeon' }],
    ['ORG_DEFAULT_TIMEZONE', { ORG_DEFAULT_TIMEZONE: 'America/Springfield' }],
    ['PROVIDER_TIMEOUT_MS', { PROVIDER_TIMEOUT_MS: '0' }],
    ['ELEVENLABS_BASE_URL', { ELEVENLABS_BASE_URL: 'ftp://x' }],
    ['TWILIO_API_BASE_URL', { TWILIO_API_BASE_URL: 'nope' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: undefined }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: '-1' }],
    ['TRUSTED_PROXY_HOPS', { TRUSTED_PROXY_HOPS: '11' }],
    ['PASSWORD_HASH_CONCURRENCY', { PASSWORD_HASH_CONCURRENCY: '0' }],
    ['PASSWORD_HASH_QUEUE', { PASSWORD_HASH_QUEUE: 'lots' }],
  ])('names %s and never echoes secrets', (variable, override) => {
    expect(() => parseApiConfig({ ...complete, ...override })).toThrow(variable);
    try {
      parseApiConfig({ ...complete, ...override });
    } catch (err) {
      expect(String(err)).not.toMatch(/secret_key|secret_token|\+1555/);
    }
  });

  it('reads the login bounds', () => {
    const config = parseApiConfig({
      ...complete,
      TRUSTED_PROXY_HOPS: '2',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
    });
    expect(config.trustedProxyHops).toBe(2);
    expect(config.passwordHashing).toEqual({ concurrency: 1, maxQueued: 0 });
  });

  it('takes ORG_DEFAULT_TIMEZONE when it is an IANA zone', () => {
    expect(parseApiConfig({ ...complete, ORG_DEFAULT_TIMEZONE: 'America/New_York' }).orgDefaultTimezone).toBe(
      'America/New_York',
    );
  });
});
