// Real Chromium (Debian's, or wherever findChromium finds one) driven by playwright-core, and where screenshots go.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumMissingMessage, findChromium } from '../chromium.ts';

export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../test-artifacts');

/** False when the global setup found no Chromium (outside CI): browser suites `describe.skipIf(!chromiumAvailable())`. */
export function chromiumAvailable(): boolean {
  return process.env.CALLRELAY_TEST_NO_CHROMIUM !== '1';
}

export function launchChromium(): Promise<Browser> {
  const lookup = findChromium(process.env);
  if (lookup.kind === 'invalid') throw new Error(lookup.problem);
  if (lookup.kind === 'missing') throw new Error(chromiumMissingMessage(lookup.places));
  return chromium.launch({
    executablePath: lookup.path,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return resolve(ARTIFACTS_DIR, name);
}
