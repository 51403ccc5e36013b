// Runner side of the stack child: fork it, wait until it listens, sample its memory, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../test/backends.ts';
import type { ChildMessage, MemorySample, ParentMessage, StackSpec } from './stack-protocol.ts';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface StackHandle {
  apiUrl: string;
  relayUrl: string;
  token: string;
  projectId: string;
  pid: number;
  /** The child's memory right after a forced GC. */
  memory(): Promise<MemorySample>;
  /** Closes relay, server and backend in the child; kills it if that takes longer than 15 s. */
  stop(): Promise<void>;
}

/**
 * The stack runs in its own process so that its RSS and heap are the server's alone, and so that the load
 * generator and the servers are scheduled as separate processes (the host has few cores). `execArgv` adds Node flags
 * to the child (e.g. `--cpu-prof`); `relayLimits` raises the relay's socket caps for many-socket scenarios.
 */
export async function startStack(
  backend: BackendName,
  options: { relayLimits?: StackSpec['relayLimits']; execArgv?: string[] } = {},
): Promise<StackHandle> {
  const spec: StackSpec = { backend, ...(options.relayLimits ? { relayLimits: options.relayLimits } : {}) };
  const child = fork(fileURLToPath(new URL('./stack-process.ts', import.meta.url)), [JSON.stringify(spec)], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc', ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, (m) => m.type === 'ready' || m.type === 'failed', START_TIMEOUT_MS);
  if (ready.type !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`stack failed to start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }
  let nextId = 0;
  const post = (message: ParentMessage): void => void child.send(message);
  return {
    apiUrl: ready.apiUrl,
    relayUrl: ready.relayUrl,
    token: ready.token,
    projectId: ready.projectId,
    pid: ready.pid,
    memory: async () => {
      const id = nextId++;
      const answer = nextMessage(child, (m) => m.type === 'memory' && m.id === id, 10_000);
      post({ type: 'memory', id });
      const reply = await answer;
      if (reply.type !== 'memory') throw new Error('unexpected memory reply');
      return reply.sample;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      post({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

function nextMessage(
  child: ChildProcess,
  accept: (m: ChildMessage) => boolean,
  timeoutMs: number,
): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: ChildMessage): void => {
      if (!accept(message) && message.type !== 'failed') return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`stack process exited (${code ?? 'signal'})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`stack process did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
