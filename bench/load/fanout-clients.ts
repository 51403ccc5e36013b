// Runner side of the fan-out client processes: spreads sockets over them, waits for subscriptions and full delivery.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  ClientChildMessage,
  ClientParentMessage,
  ClientProcessSpec,
  ClientProtocol,
} from './fanout-client-protocol.ts';

export interface FanoutClientsLayout {
  protocol: ClientProtocol;
  url: string;
  token?: string;
  /** Call keys; each gets `watchers` sockets. */
  calls: string[];
  watchers: number;
  /** Client processes to spread the sockets over (each holds at most ~19,000: the fd limit is 20,000). */
  processes: number;
}

export interface FanoutDelivery {
  deliveries: number;
  /** Date.now() of the last event any socket received. */
  lastDeliveryAt: number;
  complete: number;
  problems: string[];
  frameBytes: number;
  /** Frames other than events and subscription control, over all sockets. */
  otherFrames: number;
}

export interface FanoutClients {
  sockets: number;
  /** Waits until every socket got seqs 1..lastSeq[call] (or the timeout), and sums what the processes saw. */
  expect(lastSeq: number[], timeoutMs: number): Promise<FanoutDelivery>;
  close(): void;
}

/** Socket i watches call i % calls and lives in process i % processes, so every process sees every call. */
export async function openFanoutClients(layout: FanoutClientsLayout): Promise<FanoutClients> {
  const total = layout.calls.length * layout.watchers;
  const processes = Math.max(1, Math.min(layout.processes, total));
  const children: ChildProcess[] = [];
  const entry = fileURLToPath(new URL('./fanout-client-process.ts', import.meta.url));
  const ready: Promise<unknown>[] = [];
  for (let p = 0; p < processes; p++) {
    const sockets: number[] = [];
    for (let i = p; i < total; i += processes) sockets.push(i % layout.calls.length);
    const spec: ClientProcessSpec = {
      protocol: layout.protocol,
      url: layout.url,
      ...(layout.token ? { token: layout.token } : {}),
      calls: layout.calls,
      sockets,
      localAddress: `127.0.1.${p + 1}`,
    };
    const child = fork(entry, [JSON.stringify(spec)], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    ready.push(nextMessage(child, 'ready'));
  }
  const close = (): void => {
    for (const child of children) {
      if (child.connected) child.send({ type: 'close' } satisfies ClientParentMessage);
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }
  };
  try {
    await Promise.all(ready);
  } catch (err) {
    close();
    throw err;
  }
  return {
    sockets: total,
    close,
    expect: async (lastSeq, timeoutMs) => {
      const answers = children.map((child) => {
        const done = nextMessage(child, 'done');
        child.send({ type: 'expect', lastSeq, timeoutMs } satisfies ClientParentMessage);
        return done;
      });
      const results = await Promise.all(answers);
      const summed: FanoutDelivery = {
        deliveries: 0,
        lastDeliveryAt: 0,
        complete: 0,
        problems: [],
        frameBytes: 0,
        otherFrames: 0,
      };
      for (const r of results) {
        if (r.type !== 'done') continue;
        summed.deliveries += r.deliveries;
        summed.lastDeliveryAt = Math.max(summed.lastDeliveryAt, r.lastDeliveryAt);
        summed.complete += r.complete;
        summed.problems.push(...r.problems);
        if (r.moreProblems) summed.problems.push(`… and ${r.moreProblems} more problems`);
        summed.frameBytes = Math.max(summed.frameBytes, r.frameBytes);
        summed.otherFrames += r.otherFrames;
      }
      return summed;
    },
  };
}

function nextMessage(child: ChildProcess, type: 'ready' | 'done'): Promise<ClientChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ClientChildMessage): void => {
      if (m.type === 'failed') {
        cleanup();
        reject(new Error(`client process: ${m.message}`));
      } else if (m.type === type) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`client process exited (${code ?? 'signal'}) before ${type}`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
