// Vitest global setup: emulator hosts for integration tests (reuses given ones), Chromium for the browser tests.
import { chromiumMissingMessage, findChromium } from './chromium.ts';
import { gcloudAvailable, startEmulators, type RunningEmulators } from './emulators.ts';

let running: RunningEmulators | undefined;

export async function setup(): Promise<void> {
  setupChromium();
  await setupEmulators();
}

/**
 * Chromium like the emulators: found → CHROMIUM_PATH for the browser tests; missing → the browser suites are skipped
 * with one warning, except under CI=true, where that fails the run; a CHROMIUM_PATH that is wrong always fails it.
 */
function setupChromium(): void {
  const chromium = findChromium(process.env);
  if (chromium.kind === 'invalid') throw new Error(`${chromium.problem}: fix or unset it`);
  if (chromium.kind === 'found') {
    process.env.CHROMIUM_PATH = chromium.path;
    return;
  }
  const message = chromiumMissingMessage(chromium.places);
  if (process.env.CI === 'true') throw new Error(`CI=true and ${message}`);
  process.env.CALLRELAY_TEST_NO_CHROMIUM = '1';
  console.warn(`${message} Browser tests are SKIPPED.`);
}

async function setupEmulators(): Promise<void> {
  if (process.env.FIRESTORE_EMULATOR_HOST && process.env.PUBSUB_EMULATOR_HOST) return;
  if (!gcloudAvailable()) {
    if (process.env.CI === 'true') {
      throw new Error(
        'CI=true but the gcloud emulators are not installed: integration tests cannot be skipped in CI',
      );
    }
    process.env.CALLRELAY_TEST_NO_EMULATORS = '1';
    console.warn(
      'gcloud not found: tests against the Firestore/Pub/Sub emulators are SKIPPED (memory backend only)',
    );
    return;
  }
  running = await startEmulators();
  process.env.FIRESTORE_EMULATOR_HOST = running.firestore;
  process.env.PUBSUB_EMULATOR_HOST = running.pubsub;
}

export async function teardown(): Promise<void> {
  await running?.stop();
}
