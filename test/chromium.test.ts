// findChromium against fake installs: real files in a temporary tree standing for PATH, home and the Playwright cache.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissingMessage, findChromium } from './chromium.ts';

function tree(): string {
  return mkdtempSync(join(tmpdir(), 'callrelay-chromium-'));
}

function executable(path: string, mode = 0o755): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

describe('findChromium', () => {
  it('uses CHROMIUM_PATH first', () => {
    const root = tree();
    const chosen = executable(join(root, 'opt', 'my-chrome'));
    executable(join(root, 'bin', 'chromium'));
    expect(findChromium({ CHROMIUM_PATH: chosen, PATH: join(root, 'bin') }, root)).toEqual({
      kind: 'found',
      path: chosen,
      source: 'CHROMIUM_PATH',
    });
  });

  it('reports a CHROMIUM_PATH that is not an executable instead of skipping', () => {
    const root = tree();
    const notExecutable = executable(join(root, 'chrome'), 0o644);
    for (const path of [notExecutable, join(root, 'missing'), root]) {
      expect(findChromium({ CHROMIUM_PATH: path, PATH: '' }, root)).toMatchObject({ kind: 'invalid' });
    }
  });

  it.each(['chromium', 'chromium-browser', 'google-chrome'])('finds %s on PATH', (command) => {
    const root = tree();
    const found = executable(join(root, 'second', command));
    const env = { PATH: `${join(root, 'first')}:${join(root, 'second')}` };
    expect(findChromium(env, root)).toEqual({ kind: 'found', path: found, source: `${command} on PATH` });
  });

  it('prefers chromium over google-chrome and skips files that are not executable', () => {
    const root = tree();
    executable(join(root, 'a', 'chromium'), 0o644);
    executable(join(root, 'a', 'google-chrome'));
    const chromium = executable(join(root, 'b', 'chromium'));
    const env = { PATH: `${join(root, 'a')}:${join(root, 'b')}` };
    expect(findChromium(env, root)).toMatchObject({ path: chromium });
  });

  it('finds the newest Chromium in the Playwright cache under the home directory', () => {
    const home = tree();
    const cache = join(home, '.cache', 'ms-playwright');
    executable(join(cache, 'chromium-1100', 'chrome-linux', 'chrome'));
    const newest = executable(join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'));
    executable(join(cache, 'chromium_headless_shell-1300', 'chrome-linux', 'headless_shell'));
    expect(findChromium({ PATH: join(home, 'empty') }, home)).toMatchObject({ kind: 'found', path: newest });
  });

  it('honours PLAYWRIGHT_BROWSERS_PATH and falls back to a headless shell', () => {
    const root = tree();
    const shell = executable(
      join(root, 'pw', 'chromium_headless_shell-1300', 'chrome-linux', 'headless_shell'),
    );
    expect(findChromium({ PATH: '', PLAYWRIGHT_BROWSERS_PATH: join(root, 'pw') }, root)).toMatchObject({
      path: shell,
    });
  });

  it('says where it looked and how to install it when there is none', () => {
    const home = tree();
    const lookup = findChromium({ PATH: join(home, 'bin') }, home);
    expect(lookup.kind).toBe('missing');
    if (lookup.kind !== 'missing') return;
    const message = chromiumMissingMessage(lookup.places);
    expect(message).toContain('apt-get install -y chromium');
    expect(message).toContain(join(home, '.cache', 'ms-playwright'));
    expect(message.split('\n')).toHaveLength(1);
  });
});
