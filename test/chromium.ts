// Finds a Chromium for the browser tests where people have one: CHROMIUM_PATH, PATH, or Playwright's browser cache.
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The command that installs the Chromium the browser tests use (Debian's), named in every "not found" message. */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** Executable names looked up on PATH, best first. */
export const CHROMIUM_COMMANDS = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
] as const;

/** Executables inside one Playwright cache entry (`chromium-<rev>/…`, `chromium_headless_shell-<rev>/…`). */
const PLAYWRIGHT_EXECUTABLES: Record<string, string[]> = {
  'chromium-': ['chrome-linux/chrome', 'chrome-linux64/chrome'],
  'chromium_headless_shell-': [
    'chrome-linux/headless_shell',
    'chrome-headless-shell-linux64/chrome-headless-shell',
  ],
};

export type ChromiumLookup =
  | { kind: 'found'; path: string; source: string }
  /** Looked everywhere it is usually installed; `places` says where. */
  | { kind: 'missing'; places: string[] }
  /** `CHROMIUM_PATH` names something that is not an executable: a mistake to report, not a reason to skip. */
  | { kind: 'invalid'; problem: string };

/**
 * Looks for Chromium in order: `CHROMIUM_PATH`; `chromium`, `chromium-browser`, `google-chrome` on `PATH`; the newest
 * Playwright browser in `PLAYWRIGHT_BROWSERS_PATH` or `~/.cache/ms-playwright`. Reads the file system only.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): ChromiumLookup {
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    return isExecutable(explicit)
      ? { kind: 'found', path: explicit, source: 'CHROMIUM_PATH' }
      : { kind: 'invalid', problem: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const command of CHROMIUM_COMMANDS) {
    for (const dir of dirs) {
      const candidate = join(dir, command);
      if (isExecutable(candidate)) return { kind: 'found', path: candidate, source: `${command} on PATH` };
    }
  }
  const cache = env.PLAYWRIGHT_BROWSERS_PATH?.trim() || join(home, '.cache', 'ms-playwright');
  const fromCache = playwrightChromium(cache);
  if (fromCache) return { kind: 'found', path: fromCache, source: `the Playwright cache ${cache}` };
  return {
    kind: 'missing',
    places: [
      'CHROMIUM_PATH (unset)',
      `${CHROMIUM_COMMANDS.join(', ')} on PATH`,
      `the Playwright cache ${cache}`,
    ],
  };
}

/** The one line printed when the browser suite is skipped (or, with CI=true, the error). */
export function chromiumMissingMessage(places: string[]): string {
  return (
    `Chromium not found (looked at ${places.join('; ')}): the browser tests need it. ` +
    `Install it with \`${CHROMIUM_INSTALL}\` or set CHROMIUM_PATH.`
  );
}

function playwrightChromium(cache: string): string | undefined {
  if (!existsSync(cache)) return undefined;
  let entries: string[];
  try {
    entries = readdirSync(cache);
  } catch {
    return undefined;
  }
  for (const [prefix, executables] of Object.entries(PLAYWRIGHT_EXECUTABLES)) {
    const revisions = entries
      .filter((e) => e.startsWith(prefix) && /^\d+$/.test(e.slice(prefix.length)))
      .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
    for (const revision of revisions) {
      for (const executable of executables) {
        const candidate = join(cache, revision, executable);
        if (isExecutable(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
