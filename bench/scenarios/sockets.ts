// Scenario: sockets per relay instance — relay-only RSS per subscribed socket and one segment's fan-out time to all.
import { randomBytes } from 'node:crypto';
import type { BackendName } from '../../test/backends.ts';
import { parseAuthConfig } from '../../core/auth/auth-config.ts';
import { createTokenSigner } from '../../core/auth/sign-token.ts';
import { cpuMeter } from '../process-cpu.ts';
import { forkChild, type BenchChild } from '../sockets/child.ts';
import type {
  LoadChildMessage,
  LoadChildSpec,
  LoadParentMessage,
  RelayChildMessage,
  RelayChildSpec,
  RelayMemory,
  RelayParentMessage,
} from '../sockets/protocol.ts';
import { mib, round, Samples } from '../stats.ts';
import type { ScenarioResult } from './scenario-result.ts';

export interface SocketsOptions {
  /** Subscribed sockets per run; each size gets a fresh relay process. At most ~19,900 here (fd hard limit). */
  sizes: number[];
  /** Measured segments per size (after one warm-up segment). */
  segments: number;
  /** Sockets per load process (each process stays far below the 20,000 fd hard limit). */
  socketsPerLoad: number;
}

/** The sizes of a full run: up to the largest one process can hold on this machine. */
export const SOCKETS_DEFAULTS: SocketsOptions = {
  sizes: [2500, 5000, 10_000, 19_000],
  segments: 5,
  socketsPerLoad: 5000,
};

/** Smoke mode: two tiny sizes, a few seconds. */
export const SMOKE_SOCKETS: SocketsOptions = { sizes: [20, 40], segments: 1, socketsPerLoad: 40 };

/** What the issue asks of one relay process (512 MiB on Cloud Run). */
export const SOCKETS_GOAL = { sockets: 50_000, memoryMiB: 512, p99Ms: 250 } as const;
/** Share of the 512 MiB a default cap may plan for: the rest is headroom for GC, bursts of backlog and partials. */
export const SOCKETS_MEMORY_BUDGET = 0.7;

const ORG = 'org-bench-sockets';
/** A dispatcher's tabs share a token (and so a principal), as the per-user quota expects: 4 sockets each. */
const SOCKETS_PER_USER = 4;
const OPEN_CONCURRENCY = 50;
const COLLECT_TIMEOUT_MS = 30_000;
const SUBSCRIBE_TIMEOUT_MS = 180_000;
/** Loopback source addresses handed out so far (each load process gets a fresh one: no ephemeral-port reuse). */
let addressCounter = 0;

interface SizeRun {
  result: ScenarioResult;
  n: number;
  /** RSS after the segments (sockets still open, after GC) minus idle: what N subscribed, served sockets cost. */
  rssDeltaBytes: number;
  idleRssMiB: number;
  p99: number;
  cpuMsPerSegment: number;
}

/**
 * Runs each size on a fresh relay-only process on the memory backend whatever `--backend` says: what is measured is
 * the relay's own per-socket memory and fan-out, which no backend changes (the bus hands it one message per segment).
 */
export async function socketsScenario(backend: BackendName, o: SocketsOptions): Promise<ScenarioResult[]> {
  const runs: SizeRun[] = [];
  for (const n of o.sizes) runs.push(await runSize(backend, n, o));
  return [...runs.map((r) => r.result), fitResult(backend, runs)];
}

async function runSize(backend: BackendName, n: number, o: SocketsOptions): Promise<SizeRun> {
  const failures: string[] = [];
  const jwtSecret = randomBytes(32).toString('base64url');
  const relaySpec: RelayChildSpec = { jwtSecret, org: ORG, maxConnections: Math.max(n + 100, 1000) };
  const relay = forkChild<RelayParentMessage, RelayChildMessage>('./relay-only-process.ts', relaySpec, [
    '--expose-gc',
    ...(process.env.BENCH_RELAY_EXEC_ARGV?.split(' ').filter(Boolean) ?? []),
  ]);
  const loads: BenchChild<LoadParentMessage, LoadChildMessage>[] = [];
  let nextId = 0;
  const ask = async <T extends RelayChildMessage['type']>(
    message: RelayParentMessage & { id: number },
    type: T,
  ): Promise<Extract<RelayChildMessage, { type: T }>> => {
    const reply = relay.next((m) => m.type === type && 'id' in m && m.id === message.id, 60_000);
    relay.post(message);
    return (await reply) as Extract<RelayChildMessage, { type: T }>;
  };
  try {
    const ready = await relay.next((m) => m.type === 'ready', 60_000);
    if (ready.type !== 'ready') throw new Error('relay did not start');
    const memory = async (): Promise<RelayMemory> =>
      (await ask({ type: 'memory', id: nextId++ }, 'memory')).sample;
    const idle = await memory();

    const sign = await createTokenSigner(parseAuthConfig({ JWT_SECRET: jwtSecret }));
    const tokens: string[] = [];
    for (let u = 0; u * SOCKETS_PER_USER < n; u++) {
      const { token } = await sign({ sub: `dispatcher-${u}`, org: ORG, role: 'dispatcher' }, 3600);
      for (let k = 0; k < SOCKETS_PER_USER && tokens.length < n; k++) tokens.push(token);
    }
    const openStarted = performance.now();
    for (let from = 0; from < n; from += o.socketsPerLoad) {
      const k = addressCounter++;
      const spec: LoadChildSpec = {
        relayUrl: ready.relayUrl,
        callId: ready.callId,
        tokens: tokens.slice(from, from + o.socketsPerLoad),
        localAddress: `127.2.${Math.floor(k / 250)}.${(k % 250) + 1}`,
        openConcurrency: OPEN_CONCURRENCY,
      };
      const load = forkChild<LoadParentMessage, LoadChildMessage>('./load-process.ts', {});
      load.post({ type: 'start', spec });
      loads.push(load);
    }
    const subscribed = await Promise.all(
      loads.map((l) => l.next((m) => m.type === 'subscribed', SUBSCRIBE_TIMEOUT_MS)),
    );
    const openSecs = (performance.now() - openStarted) / 1000;
    let live = 0;
    for (const s of subscribed) {
      if (s.type !== 'subscribed') continue;
      live += s.sockets;
      failures.push(...s.errors);
    }
    if (live < n) failures.push(`only ${live} of ${n} sockets subscribed`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loaded = await memory();
    // Profiling aid: BENCH_HEAP_SNAPSHOT_DIR=/tmp/x writes the relay's heap with N sockets subscribed.
    const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
    if (snapshotDir) await ask({ type: 'snapshot', id: nextId++, dir: snapshotDir }, 'snapshot');

    // Profiling aid: BENCH_CPU_PROFILE_DIR=/tmp/x profiles the relay over the measured segments only.
    const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
    const latency = new Samples();
    const allDelivered = new Samples();
    let cpuSecs = 0;
    let missing = 0;
    let duplicates = 0;
    // Segment 0 warms the path up (JIT, first buffers) and is not counted.
    for (let s = 0; s <= o.segments; s++) {
      if (s === 1 && profileDir) await ask({ type: 'profile-start', id: nextId++ }, 'profile');
      const meter = cpuMeter([ready.pid]);
      const appended = await ask({ type: 'append', id: nextId++, text: `bench segment ${s}` }, 'appended');
      const collected = await Promise.all(
        loads.map((l) => {
          const reply = l.next(
            (m) => m.type === 'collected' && m.seq === appended.seq,
            COLLECT_TIMEOUT_MS + 10_000,
          );
          l.post({ type: 'collect', seq: appended.seq, timeoutMs: COLLECT_TIMEOUT_MS });
          return reply;
        }),
      );
      const cpu = meter.stop();
      let last = 0;
      for (const c of collected) {
        if (c.type !== 'collected') continue;
        missing += c.missing;
        duplicates = Math.max(duplicates, c.duplicates);
        if (s === 0) continue;
        for (const at of c.receivedAt) {
          latency.add(at - appended.startedAt);
          last = Math.max(last, at - appended.startedAt);
        }
      }
      if (s > 0) {
        cpuSecs += cpu;
        allDelivered.add(last);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (profileDir) await ask({ type: 'profile-stop', id: nextId++, dir: profileDir }, 'profile');
    if (missing)
      failures.push(`${missing} (socket, segment) deliveries missing after ${COLLECT_TIMEOUT_MS} ms`);
    if (duplicates) failures.push(`${duplicates} duplicated deliveries`);
    const after = await memory();

    const rssDelta = loaded.rssBytes - idle.rssBytes;
    const heapDelta = loaded.heapUsedBytes - idle.heapUsedBytes;
    const servedDelta = after.rssBytes - idle.rssBytes;
    const summary = latency.summary();
    const cpuMsPerSegment = (cpuSecs * 1000) / o.segments;
    return {
      n,
      rssDeltaBytes: servedDelta,
      idleRssMiB: mib(idle.rssBytes),
      p99: summary.p99,
      cpuMsPerSegment,
      result: {
        scenario: 'sockets',
        backend,
        params: {
          sockets: n,
          relayBackend: 'memory',
          segments: o.segments,
          loadProcesses: loads.length,
          socketsPerUser: SOCKETS_PER_USER,
        },
        figures: {
          'relay idle (after GC)': memoryFigure(idle),
          'relay with N subscribed (after GC)': memoryFigure(loaded),
          'relay after the segments (after GC)': memoryFigure(after),
          'bytes per socket (RSS delta / N)': Math.round(rssDelta / n),
          'bytes per socket after the segments (RSS delta / N)': Math.round(servedDelta / n),
          'heap bytes per socket (heapUsed delta / N)': Math.round(heapDelta / n),
          'external+arrayBuffers bytes per socket': Math.round(
            (loaded.externalBytes - idle.externalBytes) / n,
          ),
          'open + subscribe all N (s)': round(openSecs, 1),
          'append → socket received, per socket ms': summary,
          'append → last socket received, per segment ms': allDelivered.summary(),
          'relay CPU per segment to all N (ms)': round(cpuMsPerSegment, 1),
          'relay CPU per socket delivery (µs)': round((cpuMsPerSegment * 1000) / n, 2),
          'deliveries per relay CPU-second': round(cpuSecs > 0 ? (n * o.segments) / cpuSecs : 0, 0),
        },
        failures,
      },
    };
  } finally {
    await Promise.all(
      loads.map(async (l) => {
        l.post({ type: 'close' });
        await l.exited(15_000);
      }),
    );
    relay.post({ type: 'stop' });
    await relay.exited(15_000);
  }
}

/** Straight lines through the sizes (least squares), read at the goal's 50k and inverted into a safe cap. */
function fitResult(backend: BackendName, runs: SizeRun[]): ScenarioResult {
  const goal = SOCKETS_GOAL;
  // Fitted on RSS after the deliveries (sockets open, after GC): it includes the send buffers' high-water mark.
  const rss = fitLine(runs.map((r) => [r.n, r.rssDeltaBytes]));
  const p99 = fitLine(runs.map((r) => [r.n, r.p99]));
  const cpu = fitLine(runs.map((r) => [r.n, r.cpuMsPerSegment]));
  const idle = runs.length ? runs.reduce((sum, r) => sum + r.idleRssMiB, 0) / runs.length : 0;
  const rssAtGoal = idle + mib(rss.at(goal.sockets));
  const p99AtGoal = round(p99.at(goal.sockets), 1);
  // One event loop writes every frame: the relay's CPU per segment is a floor under the time the last socket waits,
  // and unlike wall-clock latency it holds when other work shares the cores.
  const cpuAtGoal = round(cpu.at(goal.sockets), 1);
  const capByCpu = cpu.slope > 0 ? Math.floor((goal.p99Ms - cpu.intercept) / cpu.slope) : NO_GROWTH;
  const budgetBytes = (goal.memoryMiB * SOCKETS_MEMORY_BUDGET - idle) * 1024 * 1024;
  const capByMemory = rss.slope > 0 ? Math.floor((budgetBytes - rss.intercept) / rss.slope) : NO_GROWTH;
  const capByLatency = p99.slope > 0 ? Math.floor((goal.p99Ms - p99.intercept) / p99.slope) : NO_GROWTH;
  const largest = Math.max(0, ...runs.map((r) => r.n));
  return {
    scenario: 'sockets-fit',
    backend,
    params: { sizes: runs.map((r) => r.n).join('/'), goalSockets: goal.sockets },
    figures: {
      'largest size opened here': largest,
      'why not 50k here':
        'fd hard limit 20,000 per process (ulimit -Hn); prlimit/setrlimit refused (no CAP_SYS_RESOURCE): one process holds ≤ ~19,900 sockets',
      'fit RSS bytes per socket (slope)': Math.round(rss.slope),
      'fit p99 ms per 1k sockets (slope)': round(p99.slope * 1000, 2),
      'fit relay CPU ms per segment per 1k sockets': round(cpu.slope * 1000, 2),
      [`RSS at ${goal.sockets} sockets, extrapolated (goal ≤ ${goal.memoryMiB} MiB)`]: {
        MiB: round(rssAtGoal, 0),
        goal: goal.memoryMiB,
        met: rssAtGoal <= goal.memoryMiB ? 'yes' : 'no',
      },
      [`p99 append→socket at ${goal.sockets}, extrapolated (goal ≤ ${goal.p99Ms} ms)`]: {
        ms: p99AtGoal,
        goal: goal.p99Ms,
        met: p99AtGoal <= goal.p99Ms ? 'yes' : 'no',
      },
      [`sockets within ${Math.round(SOCKETS_MEMORY_BUDGET * 100)}% of ${goal.memoryMiB} MiB (fit)`]:
        capByMemory,
      [`sockets within p99 ${goal.p99Ms} ms (fit, wall clock)`]: capByLatency,
      [`relay CPU per segment at ${goal.sockets} (floor of the last delivery; goal ≤ ${goal.p99Ms} ms)`]: {
        ms: cpuAtGoal,
        goal: goal.p99Ms,
        met: cpuAtGoal <= goal.p99Ms ? 'yes' : 'no',
      },
      [`sockets whose segment costs ≤ ${goal.p99Ms} ms relay CPU (fit)`]: capByCpu,
    },
    failures: [],
  };
}

/** A fitted cost that did not grow with the sockets bounds nothing. */
const NO_GROWTH = 'no growth measured';

interface Line {
  slope: number;
  intercept: number;
  at(x: number): number;
}

function fitLine(points: Array<[number, number]>): Line {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / (n || 1);
  const my = points.reduce((s, [, y]) => s + y, 0) / (n || 1);
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  const slope = sxx > 0 ? sxy / sxx : n === 1 && points[0]![0] > 0 ? points[0]![1] / points[0]![0] : 0;
  const intercept = sxx > 0 ? my - slope * mx : 0;
  return { slope, intercept, at: (x) => intercept + slope * x };
}

function memoryFigure(m: RelayMemory): Record<string, number> {
  return {
    rssMiB: mib(m.rssBytes),
    heapUsedMiB: mib(m.heapUsedBytes),
    heapTotalMiB: mib(m.heapTotalBytes),
    externalMiB: mib(m.externalBytes),
    connections: m.connections,
  };
}
