// Test helper: a whole Backend on memory or on the emulators (fresh project id), closed by the caller.
import { createBackend, type Backend } from '../core/composition/backend.ts';
import type { BackendConfig } from '../core/support/config.ts';
import type { Clock } from '../core/support/clock.ts';
import { createLogger, type Logger } from '../core/support/log.ts';
import { uniqueProjectId, type BackendName } from './backends.ts';

export const silentLogger = (): Logger => createLogger({ sink: () => {} });

/** Memory, or Firestore + Pub/Sub on the emulators the global setup started, under a fresh `demo-` project. */
export async function openBackend(
  name: BackendName,
  options: { prefix?: string; clock?: Clock; logger?: Logger } = {},
): Promise<Backend> {
  const prefix = options.prefix ?? 'demo-backend';
  const config: BackendConfig =
    name === 'memory'
      ? { backend: 'memory', projectId: prefix, topic: 'callrelay-events' }
      : {
          backend: 'google',
          projectId: uniqueProjectId(prefix),
          topic: 'callrelay-events',
          ...(process.env.FIRESTORE_EMULATOR_HOST
            ? { firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST }
            : {}),
          ...(process.env.PUBSUB_EMULATOR_HOST
            ? { pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST }
            : {}),
        };
  return createBackend(config, {
    logger: options.logger ?? silentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
