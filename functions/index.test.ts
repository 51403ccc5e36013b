// The Cloud Functions entry fails fast naming a missing variable, and loads with a complete config.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

const complete = {
  CALLRELAY_BACKEND: 'memory',
  PUBLIC_BASE_URL: 'https://hooks.callrelay.test',
  TWILIO_ACCOUNT_SID: 'ACtest',
  TWILIO_AUTH_TOKEN: 'super-secret-token',
  ELEVENLABS_WEBHOOK_SECRET: 'wsec_super_secret',
  DEFAULT_ORG: 'org-default',
  ELEVENLABS_API_KEY: 'xi-test-key',
  ELEVENLABS_AGENT_ID: 'agent_test',
  ELEVENLABS_AGENT_PHONE_NUMBER_ID: 'pn_test',
  TWILIO_FROM_NUMBER: '+15550000000',
  JWT_SECRET: 'a-test-secret-that-is-at-least-32-chars',
};

function load(env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: PATH ?? '', HOME: HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('functions/index.ts', () => {
  it('loads and registers the webhooks and the API with a complete config', () => {
    const result = load(complete);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['TWILIO_AUTH_TOKEN', { TWILIO_AUTH_TOKEN: '' }],
    ['ELEVENLABS_WEBHOOK_SECRET', { ELEVENLABS_WEBHOOK_SECRET: '' }],
    ['DEFAULT_ORG', { DEFAULT_ORG: '' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'not a url' }],
    ['CALLRELAY_BACKEND', { CALLRELAY_BACKEND: 'postgres' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['TWILIO_FROM_NUMBER', { TWILIO_FROM_NUMBER: '' }],
  ])('fails at start naming %s, without echoing secrets', (variable, override) => {
    const result = load({ ...complete, ...override });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`invalid configuration: ${variable}`);
    expect(result.stderr).not.toContain('super-secret-token');
    expect(result.stderr).not.toContain('wsec_super_secret');
  });

  it.each([
    ['api', 'ELEVENLABS_WEBHOOK_SECRET'],
    ['elevenlabsWebhook', 'JWT_SECRET'],
    ['twilioStatusWebhook', 'TWILIO_FROM_NUMBER'],
    ['workerTick', 'JWT_SECRET'],
    ['workerEvents', 'ELEVENLABS_WEBHOOK_SECRET'],
  ])('serving only %s, loads without %s (a setting only other functions need)', (target, unset) => {
    const result = load({ ...complete, FUNCTION_TARGET: target, [unset]: '' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('serving only the worker tick, still fails naming a setting dialing needs', () => {
    const result = load({ ...complete, FUNCTION_TARGET: 'workerTick', TWILIO_FROM_NUMBER: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('invalid configuration: TWILIO_FROM_NUMBER');
  });

  it('serving only the api, still fails naming a setting the api needs', () => {
    const result = load({ ...complete, FUNCTION_TARGET: 'api', JWT_SECRET: '' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('invalid configuration: JWT_SECRET');
  });
});
