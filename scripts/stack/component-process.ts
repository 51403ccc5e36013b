// A stack component as its own process (`node --import tsx <entry>`): started, awaited until it says it serves, stopped.
import { resolve } from 'node:path';
import type { Env } from '../../core/support/config.ts';
import { spawnGroup } from './child-process.ts';
import type { SupervisedProcess } from './supervisor.ts';

/** How long a component process may take to serve (tsx compiles its sources on a cold start; a busy 2-core box). */
export const COMPONENT_READY_TIMEOUT_MS = 30_000;

/** What a component process sends over IPC once it serves. */
export interface ReadyMessage {
  type: 'callrelay:ready';
  /** Where it serves, e.g. http://127.0.0.1:5173. */
  url: string;
}

const REPO = resolve(import.meta.dirname, '../..');

export interface ComponentProcess extends SupervisedProcess {
  url: string;
  pid: number | undefined;
}

/**
 * Spawns `entry` (a path from the repository root) in its own process group with `env`, its output forwarded line by
 * line to this process's, and resolves once it sent its ready message. Rejects (after stopping it) when it exits or
 * stays silent for `readyTimeoutMs` first.
 */
export async function startComponentProcess(options: {
  name: string;
  entry: string;
  env: Env;
  readyTimeoutMs?: number;
}): Promise<ComponentProcess> {
  const child = spawnGroup(options.name, process.execPath, ['--import', 'tsx', options.entry], {
    cwd: REPO,
    env: options.env,
    ipc: true,
    onLine: (line, stream) => (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`),
  });
  const timeoutMs = options.readyTimeoutMs ?? COMPONENT_READY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = await Promise.race([
      new Promise<string>((resolveReady) =>
        child.process.on('message', (message: Partial<ReadyMessage>) => {
          if (message?.type === 'callrelay:ready' && typeof message.url === 'string')
            resolveReady(message.url);
        }),
      ),
      child.exited.then((exit) => {
        throw new Error(`the ${options.name} process exited (${exit}) before it was ready`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the ${options.name} did not become ready within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    return { url, pid: child.process.pid, exited: child.exited, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
