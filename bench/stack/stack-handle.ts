// Runner side of the stack child(ren): fork, wait until they listen, sample memory and Firestore counts, stop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../test/backends.ts';
import type { FirestoreStats } from './firestore-meter.ts';
import type {
  ChildMessage,
  FeedStatsSample,
  MemorySample,
  ParentMessage,
  StackRelayOverrides,
  StackSpec,
} from './stack-protocol.ts';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface StackHandle {
  apiUrl: string;
  relayUrl: string;
  token: string;
  projectId: string;
  /** The process serving the relay (the only one when the stack is not split). */
  pid: number;
  /** Every server process of the stack (functions and relay when split), for CPU accounting. */
  pids: number[];
  /** The relay process's memory right after a forced GC. */
  memory(): Promise<MemorySample>;
  /** The relay's counters for one call feed (store reads, …); null when it holds no feed for the call. */
  feedStats(callId: string): Promise<FeedStatsSample | null>;
  /** Firestore RPCs and writes counted in the process serving the webhooks (needs `meterFirestore`). */
  firestoreStats(reset: boolean): Promise<FirestoreStats>;
  /** Closes relay, server and backend in the child(ren); kills one if that takes longer than 15 s. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * Google backend only: the functions server and the relay in two processes sharing the emulators' project, as
   * deployed (Cloud Functions + Cloud Run); the default on Google. The memory backend's bus lives in one process,
   * so it is never split.
   */
  split?: boolean;
  /** Count Firestore RPCs in the process serving the webhooks. */
  meterFirestore?: boolean;
  /** Relay settings that differ from `RELAY_DEFAULTS` (e.g. `ringSize` for the resume scenario). */
  relay?: StackRelayOverrides;
  /** Extra node flags of the children, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof-x']`. */
  execArgv?: string[];
}

/** Smoke runs only: the stacks started so far, by spec, each kept for the whole run (see `shareStacks`). */
let shared: Map<string, Promise<StackHandle>> | undefined;

/**
 * From now on `startStack` hands out one stack per spec for the rest of the run and their `stop()` keeps them
 * running: for `--smoke`, where starting a stack (~3 s of module loading) would cost more than the scenario itself.
 * Figures stay correct (every scenario uses its own calls) but memory figures then include earlier scenarios.
 */
export function shareStacks(): void {
  shared ??= new Map();
}

/** Stops every stack `shareStacks` kept. */
export async function stopSharedStacks(): Promise<void> {
  const stacks = [...(shared?.values() ?? [])];
  shared = undefined;
  await Promise.allSettled(stacks.map(async (stack) => (await stack).stop()));
}

/**
 * The stack runs in its own process(es) so that its RSS and heap are the server's alone, and so that the load
 * generator and the servers are scheduled as separate processes (the host has few cores).
 */
export async function startStack(backend: BackendName, options: StackOptions = {}): Promise<StackHandle> {
  if (!shared) return forkStack(backend, options);
  const key = JSON.stringify({ backend, options });
  let stack = shared.get(key);
  if (!stack) {
    stack = forkStack(backend, options);
    shared.set(key, stack);
    stack.catch(() => shared?.delete(key));
  }
  return { ...(await stack), stop: async () => {} };
}

async function forkStack(backend: BackendName, options: StackOptions): Promise<StackHandle> {
  const execArgv = options.execArgv ?? [];
  const meterFirestore = options.meterFirestore ?? false;
  const relayOverrides = options.relay ? { relay: options.relay } : {};
  if (options.split === false || backend === 'memory') {
    const all = await startChild({ backend, role: 'all', meterFirestore, ...relayOverrides }, execArgv);
    return handle(all.ready, all, all, [all]);
  }
  const functions = await startChild({ backend, role: 'functions', meterFirestore }, execArgv);
  try {
    const relay = await startChild(
      {
        backend,
        role: 'relay',
        ...relayOverrides,
        projectId: functions.ready.projectId,
        jwtSecret: functions.ready.jwtSecret,
      },
      execArgv,
    );
    return handle(
      { ...functions.ready, relayUrl: relay.ready.relayUrl, pid: relay.ready.pid },
      relay,
      functions,
      [functions, relay],
    );
  } catch (err) {
    await functions.stop();
    throw err;
  }
}

type Ready = Extract<ChildMessage, { type: 'ready' }>;

interface Child {
  ready: Ready;
  ask(message: ParentMessage, accept: (m: ChildMessage) => boolean): Promise<ChildMessage>;
  stop(): Promise<void>;
}

function handle(ready: Ready, relay: Child, functions: Child, children: Child[]): StackHandle {
  let nextId = 0;
  return {
    apiUrl: ready.apiUrl,
    relayUrl: ready.relayUrl,
    token: ready.token,
    projectId: ready.projectId,
    pid: ready.pid,
    pids: children.map((c) => c.ready.pid),
    memory: async () => {
      const id = nextId++;
      const reply = await relay.ask({ type: 'memory', id }, (m) => m.type === 'memory' && m.id === id);
      if (reply.type !== 'memory') throw new Error('unexpected memory reply');
      return reply.sample;
    },
    feedStats: async (callId) => {
      const id = nextId++;
      const reply = await relay.ask(
        { type: 'feedStats', id, callId },
        (m) => m.type === 'feedStats' && m.id === id,
      );
      if (reply.type !== 'feedStats') throw new Error('unexpected feedStats reply');
      return reply.stats;
    },
    firestoreStats: async (reset) => {
      const id = nextId++;
      const reply = await functions.ask(
        { type: 'firestore-stats', id, reset },
        (m) => m.type === 'firestore-stats' && m.id === id,
      );
      if (reply.type !== 'firestore-stats') throw new Error('unexpected firestore-stats reply');
      return reply.stats;
    },
    // The relay first: it stops reading the bus before the functions process stops publishing to it.
    stop: async () => {
      for (const child of [...children].reverse()) await child.stop();
    },
  };
}

async function startChild(spec: StackSpec, execArgv: string[]): Promise<Child> {
  const child = fork(fileURLToPath(new URL('./stack-process.ts', import.meta.url)), [JSON.stringify(spec)], {
    execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, (m) => m.type === 'ready' || m.type === 'failed', START_TIMEOUT_MS);
  if (ready.type !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`stack failed to start: ${ready.type === 'failed' ? ready.message : ready.type}`);
  }
  return {
    ready,
    ask: (message, accept) => {
      const answer = nextMessage(child, accept, 10_000);
      child.send(message);
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies ParentMessage);
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
