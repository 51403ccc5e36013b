// The child side of a component process: start serving, say so over IPC, stop cleanly on SIGTERM or when orphaned.
import type { Logger } from '../../core/support/log.ts';
import type { ReadyMessage } from './component-process.ts';

/**
 * Runs `start` and reports its URL to the parent. SIGTERM/SIGINT close it and exit 0; losing the parent (the IPC
 * channel closes) exits too, so a killed `npm start` leaves no component behind. A failed start exits 1.
 */
export async function runComponent(
  logger: Logger,
  start: () => Promise<{ url: string; close(): Promise<void> }>,
): Promise<void> {
  let running: { close(): Promise<void> } | undefined;
  const exit = async (code: number) => {
    await running?.close().catch((err: unknown) => logger.warn('closing failed', { error: err }));
    process.exit(code);
  };
  process.once('SIGTERM', () => void exit(0));
  process.once('SIGINT', () => void exit(0));
  process.once('disconnect', () => void exit(0));
  try {
    const started = await start();
    running = started;
    process.send?.({ type: 'callrelay:ready', url: started.url } satisfies ReadyMessage);
  } catch (err) {
    logger.error('cannot start', { error: err });
    process.exit(1);
  }
}
