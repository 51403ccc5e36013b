// `npm start`: the whole callrelay system on one machine. Wiring only: config, start the stack, print, stop on signals.
import { ConfigError } from '../core/support/config.ts';
import { createLogger } from '../core/support/log.ts';
import { killAllGroups } from './stack/child-process.ts';
import { PortInUseError } from './stack/ports.ts';
import { parseStackConfig } from './stack/stack-config.ts';
import { startStack, type RunningStack } from './stack/start-stack.ts';
import { stackSummary } from './stack/summary.ts';

const say = (line: string) => process.stdout.write(`[callrelay] ${line}\n`);
const logger = createLogger({ base: { service: 'callrelay-local' } });

let stack: RunningStack | undefined;
/** When the first stop signal arrived (npm and tsx forward Ctrl-C, so one keypress can arrive two or three times). */
let stoppingSince: number | undefined;
/** A repeated signal later than this forces the exit. */
const FORCE_AFTER_MS = 2000;
/** Aborts a start still in progress; startStack then stops what it had started. */
const starting = new AbortController();

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stoppingSince !== undefined) {
    if (Date.now() - stoppingSince < FORCE_AFTER_MS) return;
    say(`${signal} again: exiting without waiting (child processes may be left running)`);
    process.exit(130);
  }
  stoppingSince = Date.now();
  say(`${signal} received, stopping every component…`);
  if (!stack) return starting.abort(); // the start below cleans up and exits
  await stack.stop();
  say('stopped');
  process.exit(0);
}
/** A component is gone for good (it kept crashing): stop everything and exit non-zero, saying which and why. */
async function fail(err: Error): Promise<void> {
  if (stoppingSince !== undefined) return;
  stoppingSince = Date.now();
  say(`stopping: ${err.message}`);
  await stack?.stop();
  say('stopped after a component failure');
  process.exit(1);
}

process.on('SIGINT', (signal) => void stop(signal));
process.on('SIGTERM', (signal) => void stop(signal));
// Whatever ends this process, the emulators and the relay process end with it.
process.on('exit', killAllGroups);
// A request still in flight when its backend closes must not crash the shutdown; at run time, log and keep serving.
process.on('unhandledRejection', (err) => {
  if (stoppingSince === undefined) logger.error('unhandled rejection', { error: err });
});

try {
  const config = parseStackConfig(process.env);
  say(`backend: ${config.backend} (${config.backendReason})`);
  if (config.defaulted.length) say(`dev defaults used for: ${config.defaulted.join(', ')}`);
  stack = await startStack(config, logger, { signal: starting.signal, onFatal: (err) => void fail(err) });
  if (starting.signal.aborted) throw starting.signal.reason;
  process.stdout.write(stackSummary(stack, config));
} catch (err) {
  if (starting.signal.aborted) {
    await stack?.stop();
    say('stopped before the start completed');
    process.exit(0);
  }
  if (err instanceof PortInUseError || err instanceof ConfigError) say(`cannot start: ${err.message}`);
  else say(`cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}
