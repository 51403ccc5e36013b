// Forks one TypeScript child of the `sockets` scenario and waits for its IPC messages (with a timeout each).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchChild<In, Out extends { type: string }> {
  process: ChildProcess;
  post(message: In): void;
  /** The next message `accept` takes (a `failed` message rejects), within `timeoutMs`. */
  next(accept: (m: Out) => boolean, timeoutMs: number): Promise<Out>;
  /** Asks nothing: waits for exit (after the caller's stop message), kills it after `timeoutMs`. */
  exited(timeoutMs: number): Promise<void>;
}

/** `file` is relative to this directory; `spec` goes as argv[2] (JSON). */
export function forkChild<In, Out extends { type: string }>(
  file: string,
  spec: unknown,
  execArgv: string[] = [],
): BenchChild<In, Out> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(spec)], {
    execArgv: ['--import', import.meta.resolve('tsx'), ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    process: child,
    post: (message) => void child.send(message as object),
    next: (accept, timeoutMs) =>
      new Promise((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const onMessage = (message: Out): void => {
          if (message.type === 'failed') {
            cleanup();
            reject(new Error(`${file} failed: ${(message as unknown as { message: string }).message}`));
            return;
          }
          if (!accept(message)) return;
          cleanup();
          resolve(message);
        };
        const onExit = (code: number | null): void => {
          cleanup();
          reject(new Error(`${file} exited (${code ?? 'signal'})`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${file} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        child.on('message', onMessage);
        child.on('exit', onExit);
      }),
    exited: async (timeoutMs) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
