// Relay process entry: parse config, build the backend, listen, and shut down cleanly on SIGTERM/SIGINT.
import { parseAuthConfig } from '../../core/auth/auth-config.ts';
import { createBackend } from '../../core/composition/backend.ts';
import { systemClock } from '../../core/support/clock.ts';
import { parseBackendConfig } from '../../core/support/config.ts';
import { createLogger } from '../../core/support/log.ts';
import { composeRelay } from './compose-relay.ts';
import { parseRelayConfig } from './relay-config.ts';

const logger = createLogger({ base: { service: 'relay' } });
const config = parseRelayConfig(process.env);
const auth = parseAuthConfig(process.env);
const backend = await createBackend(parseBackendConfig(process.env), { logger, clock: systemClock });
const { relay } = await composeRelay({ config, backend, auth, logger, clock: systemClock });

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  // Cloud Run kills the container 10 s after SIGTERM; leave before, whatever is still pending.
  setTimeout(() => {
    logger.error('shutdown budget exceeded; exiting');
    process.exit(1);
  }, config.shutdownMs).unref();
  try {
    await relay.close();
    await backend.close();
  } catch (err) {
    logger.error('shutdown failed', { err });
    process.exitCode = 1;
  }
  process.exit();
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
