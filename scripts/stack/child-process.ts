// Child processes of the stack, each in its own process group so stopping one ends everything it spawned (gcloud's Java).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Env } from '../../core/support/config.ts';

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the whole child has exited. */
  exited: Promise<number | string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when no process of the group is left. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env: Env;
  cwd?: string;
  /** Where the child's output goes, one line at a time (default: dropped). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Opens an IPC channel (`process.send` in the child), e.g. for a ready message. */
  ipc?: boolean;
}

/** Process groups started and not yet seen gone, for the last-resort cleanup on exit. */
const liveGroups = new Set<number>();

/**
 * SIGKILLs every group still registered. Synchronous, for `process.on('exit')`: if the stack process dies without
 * a clean stop, its emulators and relay must not outlive it.
 */
export function killAllGroups(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

export function spawnGroup(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions,
): ManagedChild {
  const child = spawn(command, args, {
    env: options.env as NodeJS.ProcessEnv,
    cwd: options.cwd,
    detached: true,
    stdio: [
      'ignore',
      options.onLine ? 'pipe' : 'ignore',
      options.onLine ? 'pipe' : 'ignore',
      ...(options.ipc ? (['ipc'] as const) : []),
    ],
  });
  if (options.onLine) {
    forwardLines(child.stdout, (line) => options.onLine?.(line, 'stdout'));
    forwardLines(child.stderr, (line) => options.onLine?.(line, 'stderr'));
  }
  if (child.pid !== undefined) liveGroups.add(child.pid);
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', () => resolve('spawn-error'));
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000) =>
    (stopping ??= (async () => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      // Wait for the whole group, not only the leader: gcloud exits before the Java emulator it started.
      if (!(await groupGone(child.pid, graceMs))) {
        signalGroup(child.pid, 'SIGKILL');
        await groupGone(child.pid, 2000);
      }
      await exited;
      liveGroups.delete(child.pid);
    })());
  return { name, process: child, exited, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => buffered && onLine(buffered));
}
