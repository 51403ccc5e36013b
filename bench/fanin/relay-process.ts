// Child process entry for the fan-in scenario: one relay (composed as in production) and no client sockets.
import { randomBytes } from 'node:crypto';
import { parseAuthConfig } from '../../core/auth/auth-config.ts';
import { createBackend } from '../../core/composition/backend.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import { createLogger } from '../../core/support/log.ts';
import { composeRelay } from '../../services/relay/compose-relay.ts';
import type { Relay } from '../../services/relay/relay-server.ts';
import { RELAY_DEFAULTS } from '../../services/relay/relay-config.ts';
import type { FaninChildMessage, FaninParentMessage, FaninSpec } from './fanin-protocol.ts';
import { publishStep } from './publish-steps.ts';

function send(message: FaninChildMessage): void {
  process.send?.(message);
}

/**
 * Counts the messages the relay is done with — handled, or refused by its interest check before decoding:
 * instrumentation from bench code, around the real bus.
 */
function countingBus(bus: EventBus, counter: { consumed: number }, interest: boolean): EventBus {
  return {
    publish: (m) => bus.publish(m),
    consume: (g, h) => bus.consume(g, h),
    subscribe: (name, handler, options = {}) => {
      const { wants } = options;
      return bus.subscribe(
        name,
        async (m) => {
          await handler(m);
          counter.consumed++;
        },
        wants && interest
          ? {
              wants: (route) => {
                const wanted = wants(route);
                if (!wanted) counter.consumed++;
                return wanted;
              },
            }
          : {},
      );
    },
  };
}

async function main(spec: FaninSpec): Promise<void> {
  const logger = createLogger({ level: 'ERROR' });
  const backend = await createBackend(
    {
      backend: spec.backend,
      projectId: spec.projectId,
      topic: spec.topic,
      ...(process.env.FIRESTORE_EMULATOR_HOST
        ? { firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST }
        : {}),
      ...(process.env.PUBSUB_EMULATOR_HOST ? { pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST } : {}),
    },
    { logger },
  );
  const counter = { consumed: 0 };
  let relay: Relay | undefined;
  if (spec.relay) {
    ({ relay } = await composeRelay({
      config: { ...RELAY_DEFAULTS, port: 0, host: '127.0.0.1', instanceId: `fanin${process.pid}` },
      backend: { ...backend, bus: countingBus(backend.bus, counter, spec.interest) },
      auth: parseAuthConfig({ JWT_SECRET: randomBytes(32).toString('base64url') }),
      logger,
    }));
  }
  process.on('message', (message: FaninParentMessage) => {
    switch (message.type) {
      case 'count':
        return send({ type: 'count', id: message.id, consumed: counter.consumed });
      case 'publish':
        return void publishStep(backend.bus, message.step, `${process.pid}${message.id}`).then(
          (r) => send({ type: 'published', id: message.id, ...r }),
          fail,
        );
      case 'stop':
        return void (async () => {
          await relay?.close();
          await backend.close();
          process.disconnect?.();
        })().catch(fail);
      default:
        return assertNever(message);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', pid: process.pid });
}

function fail(err: unknown): void {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
}

main(JSON.parse(process.argv[2] ?? '{}') as FaninSpec).catch(fail);
