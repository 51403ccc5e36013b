// Runner side of a broadcast baseline child (bare ws or Socket.IO): fork it, wait until it listens, stop it.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BaselineChildMessage, BaselineParentMessage } from './baseline-webhook.ts';

export type BaselineName = 'bare-ws' | 'socketio';

const ENTRY: Record<BaselineName, string> = {
  'bare-ws': './bare-ws-server.ts',
  socketio: './socketio-server.ts',
};
const START_TIMEOUT_MS = 30_000;

export interface BaselineHandle {
  name: BaselineName;
  /** Where the webhook POSTs go. */
  httpUrl: string;
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Each baseline runs in its own process so its CPU is counted alone (`processCpuSeconds(pid)`). */
export async function startBaseline(name: BaselineName): Promise<BaselineHandle> {
  const child = fork(fileURLToPath(new URL(ENTRY[name], import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<BaselineChildMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} baseline did not start`)), START_TIMEOUT_MS);
    child.once('message', (m: BaselineChildMessage) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} baseline exited (${code ?? 'signal'})`));
    });
  });
  return {
    name,
    httpUrl: ready.httpUrl,
    wsUrl: ready.wsUrl,
    pid: ready.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies BaselineParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
