// parseStackConfig: which backend and why, dev defaults only for unset variables, live providers need real credentials.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/support/config.ts';
import { parseStackConfig } from './stack-config.ts';

const withGcloud = { gcloudInstalled: () => true };
const withoutGcloud = { gcloudInstalled: () => false };

describe('parseStackConfig', () => {
  it.each([
    [{}, withGcloud, 'google', /gcloud is installed/],
    [{}, withoutGcloud, 'memory', /gcloud is not installed/],
    [{ CALLRELAY_BACKEND: 'memory' }, withGcloud, 'memory', /CALLRELAY_BACKEND=memory was set/],
  ] as const)('chooses the backend (%j)', (env, probe, backend, reason) => {
    const config = parseStackConfig({ ...env }, probe);
    expect(config.backend).toBe(backend);
    expect(config.backendReason).toMatch(reason);
  });

  it('refuses a forced google backend without gcloud or emulator hosts', () => {
    expect(() => parseStackConfig({ CALLRELAY_BACKEND: 'google' }, withoutGcloud)).toThrow(ConfigError);
  });

  it('fills dev defaults only for unset variables and reports them', () => {
    const config = parseStackConfig({ JWT_SECRET: 'mine', API_PORT: '4000' }, withoutGcloud);
    expect(config.env.JWT_SECRET).toBe('mine');
    expect(config.defaulted).not.toContain('JWT_SECRET');
    expect(config.defaulted).toContain('TWILIO_AUTH_TOKEN');
    expect(config.env.PUBLIC_BASE_URL).toBe('http://127.0.0.1:4000');
    expect(config.apiPort).toBe(4000);
    expect(config.relayPort).toBe(3001);
  });

  it('reuses running emulators when both hosts are given', () => {
    const config = parseStackConfig(
      { FIRESTORE_EMULATOR_HOST: '127.0.0.1:9080', PUBSUB_EMULATOR_HOST: '127.0.0.1:9085' },
      withGcloud,
    );
    expect(config.emulators).toEqual({
      start: false,
      firestoreHost: '127.0.0.1:9080',
      pubsubHost: '127.0.0.1:9085',
    });
  });

  it('requires real provider credentials with CALLRELAY_PROVIDERS=live, naming the missing ones', () => {
    expect(() =>
      parseStackConfig({ CALLRELAY_PROVIDERS: 'live', TWILIO_AUTH_TOKEN: 'x' }, withoutGcloud),
    ).toThrow(/TWILIO_ACCOUNT_SID.*must be set when CALLRELAY_PROVIDERS=live/);
  });

  it.each([
    ['API_PORT', 'abc'],
    ['RELAY_PORT', '70000'],
    ['CALLRELAY_PROVIDERS', 'fake'],
    ['SIMULATOR_SPEED', '-1'],
    ['SIMULATOR_SPEED', 'fast'],
    ['SIMULATOR_SCRIPT', 'nope'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => parseStackConfig({ [name]: value }, withoutGcloud)).toThrow(new RegExp(name));
  });

  it.each(['by-number', 'opt-out', 'disputed'])('accepts SIMULATOR_SCRIPT=%s', (script) => {
    expect(parseStackConfig({ SIMULATOR_SCRIPT: script }, withoutGcloud).simulator.script).toBe(script);
  });

  it.each([
    [{}, 'ws://127.0.0.1:3001'],
    [{ RELAY_PORT: '4001', CALLRELAY_HOST: '0.0.0.0' }, 'ws://127.0.0.1:4001'],
    [{ CALLRELAY_HOST: '::1' }, 'ws://[::1]:3001'],
    [{ RELAY_PUBLIC_URL: 'ws://192.168.1.20:3001' }, 'ws://192.168.1.20:3001'],
    [{ RELAY_PUBLIC_URL: 'https://relay.example.com/' }, 'wss://relay.example.com'],
  ])('takes the relay URL for /config.json from configuration (%j)', (env, expected) => {
    expect(parseStackConfig({ ...env }, withoutGcloud).relayPublicUrl).toBe(expected);
  });

  it.each(['relay.example.com', 'ftp://relay.example.com', 'wss://relay.example.com/ws/calls'])(
    'rejects RELAY_PUBLIC_URL=%s',
    (value) => {
      expect(() => parseStackConfig({ RELAY_PUBLIC_URL: value }, withoutGcloud)).toThrow(/RELAY_PUBLIC_URL/);
    },
  );
});
