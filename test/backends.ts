// Test helpers: the backends every contract/integration suite runs against (memory always; Google on emulators).
import { randomUUID } from 'node:crypto';

export const emulatorsAvailable = (): boolean =>
  process.env.CALLRELAY_TEST_NO_EMULATORS !== '1' &&
  Boolean(process.env.FIRESTORE_EMULATOR_HOST && process.env.PUBSUB_EMULATOR_HOST);

/** A fresh `demo-` project id, so runs and test files never see each other's data. */
export function uniqueProjectId(prefix = 'demo-test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const BACKENDS = ['memory', 'google'] as const;
export type BackendName = (typeof BACKENDS)[number];
