// Vitest global setup: makes emulator hosts available to integration tests (reuses ones given in the environment).
import { gcloudAvailable, startEmulators, type RunningEmulators } from './emulators.ts';

let running: RunningEmulators | undefined;

export async function setup(): Promise<void> {
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
