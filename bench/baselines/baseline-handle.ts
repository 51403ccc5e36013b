// Runner side of a baseline server: fork it as its own process on 127.0.0.1 port 0, wait for its address, stop it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** What a baseline child sends once it listens (over IPC). */
export interface BaselineReady {
  type: 'ready';
  /** http://… or ws://… on 127.0.0.1. */
  url: string;
  pid: number;
}

export interface BaselineHandle {
  url: string;
  pid: number;
  /** Asks the child to close, kills it if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/** Forks `script` (a path relative to this directory) with `spec` as argv[2] (JSON). */
export async function startBaseline(script: string, spec: unknown): Promise<BaselineHandle> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [JSON.stringify(spec)], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<BaselineReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), START_TIMEOUT_MS);
    child.once('message', (m: BaselineReady | { type: 'failed'; message: string }) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve(m);
      else reject(new Error(`${script} failed: ${m.message}`));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code ?? 'signal'})`)));
  });
  return {
    url: ready.url,
    pid: ready.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Child side: report the address, close on `stop` or when the runner goes away. */
export function serveBaseline(url: string, close: () => Promise<void>): void {
  const ready: BaselineReady = { type: 'ready', url, pid: process.pid };
  process.send?.(ready);
  const exit = (): void => void close().finally(() => process.exit(0));
  process.on('message', (m) => m === 'stop' && exit());
  process.on('disconnect', exit);
}

export function failBaseline(err: unknown): void {
  process.send?.({
    type: 'failed',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  process.exit(1);
}
