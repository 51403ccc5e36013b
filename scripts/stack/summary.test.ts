// stackSummary: the dev password appears only when it is the documented default, never one the user chose.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseStackConfig } from './stack-config.ts';
import type { RunningStack } from './start-stack.ts';
import { stackSummary } from './summary.ts';

const withoutGcloud = { gcloudInstalled: () => false };

function banner(env: Record<string, string>): string {
  const config = parseStackConfig(env, withoutGcloud);
  const stack: RunningStack = {
    dashboardUrl: 'http://127.0.0.1:5173',
    apiUrl: 'http://127.0.0.1:3000',
    relayUrl: 'ws://127.0.0.1:3001',
    devUser: { email: config.devUser.email, password: config.devUser.password, created: true },
    restartRelay: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
  return stackSummary(stack, config);
}

/** What the printed login's `-d` argument becomes in a shell with `env`. */
function loginBody(text: string, env: Record<string, string>): unknown {
  const line = text.split('\n').find((l) => l.includes('/auth/login'))!;
  const argument = /-d (.+) \| sed/.exec(line)![1]!;
  const shell = spawnSync('sh', ['-c', `printf '%s' ${argument}`], { env, encoding: 'utf8' });
  return JSON.parse(shell.stdout) as unknown;
}

describe('stackSummary', () => {
  it('prints the documented default password when DEV_USER_PASSWORD is unset', () => {
    const text = banner({});
    expect(text).toMatch(/Login\s+dispatcher@callrelay\.dev \/ callrelay-dev/);
    expect(loginBody(text, {})).toEqual({ email: 'dispatcher@callrelay.dev', password: 'callrelay-dev' });
  });

  it('never prints a password the user supplied; the printed login reads it from the shell', () => {
    const secret = 'my-own-Secret-42';
    const text = banner({ DEV_USER_PASSWORD: secret, DEV_USER_EMAIL: 'o"brien$x@example.test' });
    expect(text).not.toContain(secret);
    expect(text).toMatch(/Login\s+\S+ \/ \(your DEV_USER_PASSWORD\)/);
    expect(loginBody(text, { DEV_USER_PASSWORD: secret })).toEqual({
      email: 'o"brien$x@example.test',
      password: secret,
    });
  });
});
