// Scenario: relay fan-out against a bare `ws` broadcast and a Socket.IO room broadcast, same clients, same load, one run.
import { uid } from '../../functions/webhooks/webhook.test-kit.ts';
import type { BackendName } from '../../test/backends.ts';
import { startBaseline, type BaselineName } from '../baselines/broadcast-handle.ts';
import { openFanoutClients } from '../load/fanout-clients.ts';
import type { ClientProtocol } from '../load/fanout-client-protocol.ts';
import { TwilioSender } from '../load/twilio-sender.ts';
import { cpuMeter } from '../process-cpu.ts';
import { startStack } from '../stack/stack-handle.ts';
import { round } from '../stats.ts';
import type { Figure, ScenarioResult } from './scenario-result.ts';
import { storeGaps } from './segment-run.ts';

export interface FanoutCompareOptions {
  /** Shape (a): sockets watching one busy call, and the webhooks posted to it (0 skips the shape). */
  oneCallWatchers: number;
  oneCallPosts: number;
  /** Shape (b): calls × watchers per call, and the webhooks spread round-robin over the calls (0 skips it). */
  manyCalls: number;
  manyWatchers: number;
  manyPosts: number;
  /** Webhooks in flight at once (closed loop), the same for every target. */
  concurrency: number;
  /** Client processes the sockets are spread over. */
  clientProcesses: number;
  /**
   * Rounds per shape, each running relay, bare ws and Socket.IO back to back: on a shared machine the figures are
   * pooled over the rounds (deliveries ÷ CPU seconds of all rounds) and every round's ratio is listed too.
   */
  rounds: number;
  /** When set, the relay's stack child runs with `--cpu-prof` and writes its profile here. */
  profileDir?: string;
}

/** Smoke size: every path (both shapes, three targets, checks) in a few seconds. */
export const SMOKE_FANOUT_COMPARE: FanoutCompareOptions = {
  oneCallWatchers: 20,
  oneCallPosts: 10,
  manyCalls: 3,
  manyWatchers: 4,
  manyPosts: 12,
  concurrency: 4,
  clientProcesses: 1,
  rounds: 1,
};

/** Goals of issue 13: relay ≥ 85% of bare ws, and ahead of Socket.IO. */
const GOAL_VS_BARE_WS = 0.85;
const GOAL_VS_SOCKETIO = 1;
const DRAIN_TIMEOUT_MS = 60_000;

type Target = 'relay' | BaselineName;
const TARGETS: readonly Target[] = ['relay', 'bare-ws', 'socketio'];

interface Shape {
  name: string;
  calls: number;
  watchers: number;
  posts: number;
}

interface TargetRun {
  webhooks: number;
  deliveries: number;
  cpuSeconds: number;
  windowMs: number;
  frameBytes: number;
  otherFrames: number;
  failures: string[];
}

export async function fanoutCompareScenarios(
  backend: BackendName,
  o: FanoutCompareOptions,
): Promise<ScenarioResult[]> {
  const shapes: Shape[] = [
    { name: 'fanout-compare-one-call', calls: 1, watchers: o.oneCallWatchers, posts: o.oneCallPosts },
    { name: 'fanout-compare-many-calls', calls: o.manyCalls, watchers: o.manyWatchers, posts: o.manyPosts },
  ];
  const results: ScenarioResult[] = [];
  for (const shape of shapes) {
    if (shape.posts === 0) continue;
    const rounds: Array<Map<Target, TargetRun>> = [];
    for (let r = 0; r < o.rounds; r++) {
      const runs = new Map<Target, TargetRun>();
      for (const target of TARGETS) runs.set(target, await runTarget(target, backend, shape, o));
      rounds.push(runs);
    }
    results.push(report(shape, backend, o, rounds));
  }
  return results;
}

function report(
  shape: Shape,
  backend: BackendName,
  o: FanoutCompareOptions,
  rounds: ReadonlyArray<ReadonlyMap<Target, TargetRun>>,
): ScenarioResult {
  const perCpu = (r: TargetRun): number => (r.cpuSeconds > 0 ? r.deliveries / r.cpuSeconds : 0);
  const perSec = (r: TargetRun): number => (r.windowMs > 0 ? r.deliveries / (r.windowMs / 1000) : 0);
  const pooled = new Map<Target, TargetRun>(
    TARGETS.map((t) => [t, pool(rounds.map((runs) => runs.get(t)!))]),
  );
  const figures: Record<string, Figure> = {};
  for (const [target, r] of pooled) {
    figures[target] = {
      webhooks: r.webhooks,
      deliveries: r.deliveries,
      'server CPU s': round(r.cpuSeconds, 2),
      'deliveries/CPU-s': Math.round(perCpu(r)),
      'deliveries/s': Math.round(perSec(r)),
      'frame bytes': r.frameBytes,
      'other frames': r.otherFrames,
    };
  }
  const ratio = (runs: ReadonlyMap<Target, TargetRun>, metric: (r: TargetRun) => number, other: Target) => {
    const base = metric(runs.get(other)!);
    return base > 0 ? round(metric(runs.get('relay')!) / base, 3) : 0;
  };
  const goal = (metric: (r: TargetRun) => number, other: Target, target: number, strict: boolean) => {
    const value = ratio(pooled, metric, other);
    return {
      ratio: value,
      goal: target,
      met: (strict ? value > target : value >= target) ? 'yes' : 'no',
      ...(rounds.length > 1 ? { rounds: rounds.map((runs) => ratio(runs, metric, other)).join(' ') } : {}),
    };
  };
  figures['relay/bare ws per CPU-s (goal ≥ 0.85)'] = goal(perCpu, 'bare-ws', GOAL_VS_BARE_WS, false);
  figures['relay/Socket.IO per CPU-s (goal > 1)'] = goal(perCpu, 'socketio', GOAL_VS_SOCKETIO, true);
  figures['relay/bare ws deliveries/s (goal ≥ 0.85)'] = goal(perSec, 'bare-ws', GOAL_VS_BARE_WS, false);
  figures['relay/Socket.IO deliveries/s (goal > 1)'] = goal(perSec, 'socketio', GOAL_VS_SOCKETIO, true);
  return {
    scenario: shape.name,
    backend,
    params: {
      calls: shape.calls,
      watchersPerCall: shape.watchers,
      sockets: shape.calls * shape.watchers,
      webhooks: shape.posts,
      concurrency: o.concurrency,
      clientProcesses: o.clientProcesses,
      rounds: rounds.length,
    },
    figures,
    failures: rounds.flatMap((runs, i) =>
      [...runs].flatMap(([target, r]) => r.failures.map((f) => `round ${i + 1} ${target}: ${f}`)),
    ),
  };
}

/** Sums of several rounds of one target (deliveries, CPU seconds and delivery windows add up). */
function pool(runs: TargetRun[]): TargetRun {
  return runs.reduce((a, b) => ({
    webhooks: a.webhooks + b.webhooks,
    deliveries: a.deliveries + b.deliveries,
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    windowMs: a.windowMs + b.windowMs,
    frameBytes: Math.max(a.frameBytes, b.frameBytes),
    otherFrames: a.otherFrames + b.otherFrames,
    failures: [],
  }));
}

/** One target, fresh process: clients subscribe, `posts` webhooks at `concurrency`, until every socket has all. */
async function runTarget(
  target: Target,
  backend: BackendName,
  shape: Shape,
  o: FanoutCompareOptions,
): Promise<TargetRun> {
  const sockets = shape.calls * shape.watchers;
  const server =
    target === 'relay'
      ? await startStack(backend, {
          relay: { maxConnections: sockets, maxSocketsPerUser: sockets, maxSocketsPerOrg: sockets },
          ...(o.profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] } : {}),
        })
      : await startBaseline(target);
  const httpUrl = 'apiUrl' in server ? server.apiUrl : server.httpUrl;
  const sender = new TwilioSender(httpUrl, o.concurrency);
  const failures: string[] = [];
  try {
    const callSids = Array.from({ length: shape.calls }, () => uid('CA'));
    const nextSequenceId = new Array<number>(shape.calls).fill(1);
    // The relay routes by callId, which the call's first webhook creates: one warm-up segment per call, replayed
    // to every socket as backlog (seq 1) and not counted. The baselines key calls by CallSid and need none.
    let keys = callSids;
    let warmUpSeqs = 0;
    const storedSeqs = new Map<string, number[]>();
    if (target === 'relay') {
      keys = [];
      for (let c = 0; c < shape.calls; c++) {
        const warm = await sender.sendSegment(callSids[c]!, nextSequenceId[c]!++, 'warm-up');
        if (warm.callId === undefined) throw new Error(`warm-up webhook failed: HTTP ${warm.status}`);
        keys.push(warm.callId);
        storedSeqs.set(warm.callId, warm.seq === undefined ? [] : [warm.seq]);
      }
      warmUpSeqs = 1;
    }
    const index = new Map(keys.map((k, i) => [k, i]));
    const clients = await openFanoutClients({
      protocol: target satisfies ClientProtocol,
      url: 'relayUrl' in server ? server.relayUrl : server.wsUrl,
      ...('token' in server ? { token: server.token } : {}),
      calls: keys,
      watchers: shape.watchers,
      processes: o.clientProcesses,
    });
    try {
      const lastSeq = new Array<number>(shape.calls).fill(warmUpSeqs);
      const meter = cpuMeter([server.pid]);
      const firstPostAt = Date.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < shape.posts) {
          const i = next++;
          const c = i % shape.calls;
          const result = await sender.sendSegment(
            callSids[c]!,
            nextSequenceId[c]!++,
            `fan-out ${i} of the run`,
          );
          const k = result.callId === undefined ? undefined : index.get(result.callId);
          if (result.status !== 200 || k === undefined || result.seq === undefined) {
            failures.push(`webhook ${i}: HTTP ${result.status} after ${result.attempts} attempt(s)`);
            continue;
          }
          lastSeq[k] = Math.max(lastSeq[k]!, result.seq);
          const seqs = storedSeqs.get(keys[k]!) ?? [];
          seqs.push(result.seq);
          storedSeqs.set(keys[k]!, seqs);
        }
      };
      await Promise.all(Array.from({ length: o.concurrency }, worker));
      const seen = await clients.expect(lastSeq, DRAIN_TIMEOUT_MS);
      const cpuSeconds = meter.stop();
      failures.push(...storeGaps(storedSeqs), ...seen.problems);
      if (seen.complete !== sockets)
        failures.push(`${sockets - seen.complete} sockets did not get every event`);
      return {
        webhooks: shape.posts,
        deliveries: seen.deliveries - warmUpSeqs * sockets,
        cpuSeconds,
        windowMs: Math.max(0, seen.lastDeliveryAt - firstPostAt),
        frameBytes: seen.frameBytes,
        otherFrames: seen.otherFrames,
        failures,
      };
    } finally {
      clients.close();
    }
  } finally {
    sender.close();
    await server.stop();
  }
}
