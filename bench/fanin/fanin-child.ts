// Runner side of the fan-in relay child: fork it (optionally under --cpu-prof), ask it for counts or to publish.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FaninChildMessage, FaninParentMessage, FaninSpec, LoadStep } from './fanin-protocol.ts';

export interface FaninChild {
  pid: number;
  consumed(): Promise<number>;
  /** Memory backend: publish one step inside the child. */
  publish(step: LoadStep): Promise<{ published: number; errors: number }>;
  stop(): Promise<void>;
}

/** Forks `relay-process.ts`; `cpuProfDir` adds `--cpu-prof` so the child writes a profile when it exits. */
export async function startFaninChild(spec: FaninSpec, cpuProfDir?: string): Promise<FaninChild> {
  const child = fork(fileURLToPath(new URL('./relay-process.ts', import.meta.url)), [JSON.stringify(spec)], {
    execArgv: [
      '--import',
      import.meta.resolve('tsx'),
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, (m) => m.type === 'ready', 60_000);
  if (ready.type !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`fan-in relay failed to start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }
  let nextId = 0;
  const ask = async (message: FaninParentMessage & { id: number }, timeoutMs: number) => {
    const answer = nextMessage(child, (m) => 'id' in m && m.id === message.id, timeoutMs);
    child.send(message);
    return answer;
  };
  return {
    pid: ready.pid,
    consumed: async () => {
      const reply = await ask({ type: 'count', id: nextId++ }, 10_000);
      if (reply.type !== 'count') throw new Error('unexpected count reply');
      return reply.consumed;
    },
    publish: async (step) => {
      const reply = await ask({ type: 'publish', id: nextId++, step }, step.secs * 1000 + 60_000);
      if (reply.type !== 'published') throw new Error('unexpected publish reply');
      return { published: reply.published, errors: reply.errors };
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies FaninParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function nextMessage(
  child: ChildProcess,
  accept: (m: FaninChildMessage) => boolean,
  timeoutMs: number,
): Promise<FaninChildMessage> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: FaninChildMessage): void => {
      if (!accept(message) && message.type !== 'failed') return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`fan-in relay exited (${code ?? 'signal'})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fan-in relay did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
