// Scenario: the webhook → subscriber path at fixed rates over many calls, warm-up reported apart; on Google, against
// its floor (bare Firestore transaction + Pub/Sub publish, and an onSnapshot listener) in the same run, with the
// Firestore RPCs per stored event and the writes per second on the documents of one fast-talking call.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { WEBHOOK_PATHS } from '../../functions/webhooks/webhook-deps.ts';
import {
  statusParams,
  transcriptionParams,
  twilioRequest,
  uid,
} from '../../functions/webhooks/webhook.test-kit.ts';
import { uniqueProjectId, type BackendName } from '../../test/backends.ts';
import { startBaseline, type BaselineHandle } from '../baselines/baseline-handle.ts';
import type { FloorEvent, FloorSpec } from '../baselines/firestore-floor.ts';
import { atFixedRate, closedLoop } from '../load/pacing.ts';
import { SubscriberPool } from '../load/subscriber-pool.ts';
import { TwilioSender, type PostResult } from '../load/twilio-sender.ts';
import { cpuMeter } from '../process-cpu.ts';
import type { FirestoreStats } from '../stack/firestore-meter.ts';
import { startStack, type StackHandle } from '../stack/stack-handle.ts';
import { round, Samples, type LatencySummary } from '../stats.ts';
import type { Figure, ScenarioResult } from './scenario-result.ts';
import { storeGaps } from './segment-run.ts';

export interface PathOptions {
  /** Calls the webhooks are spread over (round-robin); one subscriber follows all of them. */
  calls: number;
  /** Webhooks/s of the low-rate run (the p99 goal against the floor is checked here). */
  lowRate: number;
  /** Webhooks/s of the high-rate run (the memory backend's p99 goal is checked here). */
  highRate: number;
  /** Open-loop seconds reported as warm-up, before the measured seconds. */
  warmupSecs: number;
  secs: number;
  /** Closed-loop ingest seconds of the throughput comparison (Google only). */
  throughputSecs: number;
  /** Webhooks in flight in the throughput comparison. */
  concurrency: number;
  /** Seconds of the fast-talking call whose documents' write rates are measured (Google only). */
  talkSecs: number;
}

/** Sizes of a run that ends in seconds (smoke mode). */
export const SMOKE_PATH: PathOptions = {
  calls: 3,
  lowRate: 10,
  highRate: 20,
  warmupSecs: 1,
  secs: 1,
  throughputSecs: 1,
  concurrency: 2,
  talkSecs: 3,
};

/** Goals of issue 13. */
const GOALS = {
  throughputVsFloor: 0.8,
  p99VsFloor: 1.5,
  memoryP99Ms: 10,
  hottestWritesPerSecond: 1,
};

const TEXT_PREFIX = 'bench ';

/** One open-loop run's measured figures. */
interface OpenRun {
  warmup: LatencySummary;
  warm: LatencySummary;
  http: LatencySummary;
  webhooks: number;
  cpuSeconds: number;
  maxLagMs: number;
  failures: string[];
}

/** Where the load goes and where deliveries come back: callrelay or one of its baselines. */
interface PathTarget {
  /** Base URL of the webhook receiver. */
  webhookUrl: string;
  pids: number[];
  /** Query for the webhooks of a call once its first webhook answered (callrelay: `callId=…`). */
  queryFor(callSid: string, callId: string): string | undefined;
  /** Subscribes to `callIds`; `onText` gets each delivered segment's text; resolves with the checker and closer. */
  subscribe(callIds: string[], onText: (text: string, at: number) => void): Promise<Consumer>;
}

interface Consumer {
  /** Extra server processes the consumer brings (baseline forwarders). */
  pids: number[];
  waitFor(lastSeq: ReadonlyMap<string, number>, timeoutMs: number): Promise<boolean>;
  problems(lastSeq: ReadonlyMap<string, number>): string[];
  close(): Promise<void>;
}

export async function pathScenarios(backend: BackendName, o: PathOptions): Promise<ScenarioResult[]> {
  return backend === 'memory' ? memoryPath(o) : googlePath(o);
}

async function memoryPath(o: PathOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const rate of [o.lowRate, o.highRate]) {
    const stack = await startStack('memory');
    try {
      const run = await openLoopRun(relayTarget(stack), o, rate);
      const figures: Record<string, Figure> = runFigures('callrelay', run);
      if (rate === o.highRate) {
        figures[`memory p99 warm ms (goal ≤ ${GOALS.memoryP99Ms})`] = goal(
          run.warm.p99,
          GOALS.memoryP99Ms,
          'max',
        );
      }
      results.push(result('path-latency', 'memory', o, rate, figures, run.failures));
    } finally {
      await stack.stop();
    }
  }
  return results;
}

async function googlePath(o: PathOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  let firestorePerEvent: Record<string, Figure> = {};
  for (const rate of [o.lowRate, o.highRate]) {
    const floor = await withFloor('pubsub', (t) => openLoopRun(t, o, rate));
    const snapshot = await withFloor('snapshot', (t) => openLoopRun(t, o, rate));
    const stack = await startStack('google', { split: true, meterFirestore: true });
    let relay: OpenRun;
    let stats: FirestoreStats;
    try {
      relay = await openLoopRun(relayTarget(stack), o, rate, () => void stack.firestoreStats(true));
      stats = await stack.firestoreStats(true);
    } finally {
      await stack.stop();
    }
    if (rate === o.lowRate) firestorePerEvent = perEvent(stats, relay.webhooks);
    const figures: Record<string, Figure> = {
      ...runFigures('callrelay', relay),
      ...runFigures('floor (Firestore tx + Pub/Sub)', floor),
      ...runFigures('onSnapshot listener', snapshot),
      [`callrelay p99 ÷ floor p99, warm${rate === o.lowRate ? ` (goal ≤ ${GOALS.p99VsFloor})` : ''}`]:
        rate === o.lowRate
          ? goal(ratio(relay.warm.p99, floor.warm.p99), GOALS.p99VsFloor, 'max')
          : ratio(relay.warm.p99, floor.warm.p99),
      'callrelay p99 ÷ onSnapshot p99, warm': ratio(relay.warm.p99, snapshot.warm.p99),
    };
    const failures = [...relay.failures, ...floor.failures.map((f) => `floor: ${f}`)];
    failures.push(...snapshot.failures.map((f) => `onSnapshot: ${f}`));
    results.push(result('path-latency', 'google', o, rate, figures, failures));
  }
  results.push(await throughputComparison(o), await fastTalkingCall(o, firestorePerEvent));
  return results;
}

/** Open loop: one warm-up segment per call (creates it), one subscriber on every call, then the paced webhooks. */
async function openLoopRun(
  target: PathTarget,
  o: PathOptions,
  rate: number,
  beforeLoad?: () => void,
): Promise<OpenRun> {
  const sender = new TwilioSender(target.webhookUrl, 64);
  const failures: string[] = [];
  const { callSids, callIds, queries, record, storedSeqs, lastSeq } = await createCalls(
    sender,
    target,
    o.calls,
  );
  const sentAt: number[] = [];
  const warmupCount = Math.floor(rate * o.warmupSecs);
  const warmup = new Samples();
  const warm = new Samples();
  const http = new Samples();
  const consumer = await target.subscribe(callIds, (text, at) => {
    if (!text.startsWith(TEXT_PREFIX)) return;
    const i = Number(text.slice(TEXT_PREFIX.length));
    const sent = sentAt[i];
    if (sent !== undefined) (i < warmupCount ? warmup : warm).add(at - sent);
  });
  beforeLoad?.();
  const cpu = cpuMeter([...target.pids, ...consumer.pids]);
  const nextSequenceId = new Array<number>(o.calls).fill(1);
  const run = await atFixedRate(rate, (o.warmupSecs + o.secs) * 1000, async (i) => {
    const c = i % o.calls;
    const result = await sender.sendSegment(
      callSids[c]!,
      nextSequenceId[c]!++,
      `${TEXT_PREFIX}${i}`,
      (at) => (sentAt[i] = at),
      queries[c],
    );
    http.add(result.durationMs);
    const problem = record(result);
    if (problem) failures.push(`webhook ${i}: ${problem}`);
  });
  if (!(await consumer.waitFor(lastSeq, 30_000)))
    failures.push('the subscriber did not catch up within 30 s');
  const cpuSeconds = cpu.stop();
  failures.push(...storeGaps(storedSeqs), ...consumer.problems(lastSeq));
  await consumer.close();
  sender.close();
  return {
    warmup: warmup.summary(),
    warm: warm.summary(),
    http: http.summary(),
    webhooks: run.sent,
    cpuSeconds,
    maxLagMs: run.maxLagMs,
    failures,
  };
}

/** Sends each call's first segment (sequence 0) one by one; the answers name the calls. */
async function createCalls(sender: TwilioSender, target: PathTarget, calls: number) {
  const callSids = Array.from({ length: calls }, () => uid('CA'));
  const storedSeqs = new Map<string, number[]>();
  const lastSeq = new Map<string, number>();
  const record = (result: PostResult): string | undefined => {
    if (result.status !== 200 || result.callId === undefined || result.seq === undefined)
      return `HTTP ${result.status} after ${result.attempts} attempt(s)`;
    lastSeq.set(result.callId, Math.max(lastSeq.get(result.callId) ?? 0, result.seq));
    storedSeqs.set(result.callId, [...(storedSeqs.get(result.callId) ?? []), result.seq]);
    return undefined;
  };
  const callIds: string[] = [];
  for (const sid of callSids) {
    const result = await sender.sendSegment(sid, 0, 'warm-up');
    const problem = record(result);
    if (problem || !result.callId) throw new Error(`creating call ${sid}: ${problem}`);
    callIds.push(result.callId);
  }
  const queries = callSids.map((sid, i) => target.queryFor(sid, callIds[i]!));
  return { callSids, callIds, queries, record, storedSeqs, lastSeq };
}

/** callrelay: webhooks to the functions server with `?callId=`, one RelayClient following every call. */
function relayTarget(stack: StackHandle): PathTarget {
  return {
    webhookUrl: stack.apiUrl,
    pids: stack.pids,
    queryFor: (_sid, callId) => `callId=${callId}`,
    subscribe: async (callIds, onText) => {
      const pool = await SubscriberPool.open(
        stack.relayUrl,
        stack.token,
        { clients: 1, callIds, callsPerClient: callIds.length },
        (event, at) => {
          if (event.type === 'segment') onText(event.text, at);
        },
      );
      return {
        pids: [],
        waitFor: (lastSeq, ms) => pool.waitForAll(lastSeq, ms),
        problems: (lastSeq) => [...pool.check(lastSeq).problems, ...pool.errors],
        close: async () => pool.close(),
      };
    },
  };
}

/** Runs `fn` against a fresh floor: the ingest child plus its consumer (Pub/Sub forwarder or onSnapshot listener). */
async function withFloor<T>(
  consumer: 'pubsub' | 'snapshot',
  fn: (target: PathTarget) => Promise<T>,
): Promise<T> {
  const projectId = uniqueProjectId('demo-floor');
  const base = { projectId, topic: 'floor-events' };
  const ingest = await startBaseline('./firestore-floor.ts', {
    ...base,
    role: 'ingest',
    publish: consumer === 'pubsub',
  } satisfies FloorSpec);
  const forwarders: BaselineHandle[] = [];
  try {
    return await fn({
      webhookUrl: ingest.url,
      pids: [ingest.pid],
      queryFor: () => undefined,
      subscribe: async (callIds, onText) => {
        const forwarder = await startBaseline('./firestore-floor.ts', {
          ...base,
          role: consumer,
          callIds,
        } satisfies FloorSpec);
        forwarders.push(forwarder);
        return floorConsumer(forwarder, onText);
      },
    });
  } finally {
    for (const f of forwarders) await f.stop();
    await ingest.stop();
  }
}

/** A bare `ws` client of a floor forwarder, with the same exactly-once, in-order check as the relay clients. */
async function floorConsumer(
  forwarder: BaselineHandle,
  onText: (text: string, at: number) => void,
): Promise<Consumer> {
  const seqs = new Map<string, number[]>();
  const ws = new WebSocket(forwarder.url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data: Buffer) => {
    const at = performance.now();
    const event = JSON.parse(data.toString()) as FloorEvent;
    seqs.set(event.callId, [...(seqs.get(event.callId) ?? []), event.seq]);
    onText(event.text, at);
  });
  // The Pub/Sub forwarder only sees what is published after it subscribed: from seq 2 on (the warm-up is seq 1).
  const last = (callId: string): number => {
    const s = seqs.get(callId);
    return s?.[s.length - 1] ?? 0;
  };
  return {
    pids: [forwarder.pid],
    waitFor: async (lastSeq, ms) => {
      const deadline = Date.now() + ms;
      const done = (): boolean => [...lastSeq].every(([callId, seq]) => last(callId) >= seq);
      while (!done()) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    problems: (lastSeq) => {
      const problems: string[] = [];
      for (const [callId, expected] of lastSeq) {
        const got = (seqs.get(callId) ?? []).filter((s) => s > 1);
        const inOrder = got.every((s, i) => i === 0 || s === got[i - 1]! + 1);
        if (!inOrder || got.length !== expected - 1)
          problems.push(`call ${callId}: ${got.length} of ${expected - 1} events, in order: ${inOrder}`);
      }
      return problems;
    },
    close: async () => {
      ws.close();
    },
  };
}

/** Closed-loop ingest over all calls: callrelay's webhooks/s against the floor's, and per server CPU-second. */
async function throughputComparison(o: PathOptions): Promise<ScenarioResult> {
  const measure = async (target: PathTarget) => {
    const sender = new TwilioSender(target.webhookUrl, o.concurrency);
    const { callSids, queries, record, storedSeqs } = await createCalls(sender, target, o.calls);
    const failures: string[] = [];
    const next = new Array<number>(o.calls).fill(1);
    const cpu = cpuMeter(target.pids);
    let accepted = 0;
    const run = await closedLoop(o.concurrency, o.throughputSecs * 1000, async (i) => {
      const c = i % o.calls;
      const result = await sender.sendSegment(callSids[c]!, next[c]!++, `load ${i}`, undefined, queries[c]);
      const problem = record(result);
      if (problem) failures.push(`webhook ${i}: ${problem}`);
      else accepted++;
    });
    const cpuSeconds = cpu.stop();
    sender.close();
    failures.push(...storeGaps(storedSeqs));
    return { perSec: accepted / (run.elapsedMs / 1000), perCpuSecond: accepted / cpuSeconds, failures };
  };
  const floor = await withFloor('pubsub', measure);
  const stack = await startStack('google', { split: true });
  let relay: Awaited<ReturnType<typeof measure>>;
  try {
    relay = await measure(relayTarget(stack));
  } finally {
    await stack.stop();
  }
  return {
    scenario: 'path-throughput',
    backend: 'google',
    params: { calls: o.calls, concurrency: o.concurrency, secs: o.throughputSecs },
    figures: {
      'callrelay webhooks/s': round(relay.perSec, 1),
      'floor webhooks/s': round(floor.perSec, 1),
      [`callrelay ÷ floor webhooks/s (goal ≥ ${GOALS.throughputVsFloor})`]: goal(
        ratio(relay.perSec, floor.perSec),
        GOALS.throughputVsFloor,
        'min',
      ),
      'callrelay webhooks per server CPU-second': round(relay.perCpuSecond, 1),
      'floor webhooks per server CPU-second': round(floor.perCpuSecond, 1),
      'callrelay ÷ floor per CPU-second': ratio(relay.perCpuSecond, floor.perCpuSecond),
    },
    failures: [...relay.failures, ...floor.failures.map((f) => `floor: ${f}`)],
  };
}

/**
 * One realistic fast-talking call on the split Google stack: status callbacks (5 s of ringing), then both tracks
 * speaking at once, each with a partial every ~400 ms and a final every 1.5–3 s, then `completed`. Counts the
 * writes on each document.
 */
async function fastTalkingCall(
  o: PathOptions,
  firestorePerEvent: Record<string, Figure>,
): Promise<ScenarioResult> {
  const stack = await startStack('google', { split: true, meterFirestore: true });
  const failures: string[] = [];
  let stats: FirestoreStats;
  let finals = 0;
  let partials = 0;
  try {
    const sender = new TwilioSender(stack.apiUrl, 16);
    const callSid = uid('CA');
    const check = (r: PostResult, what: string): void => {
      if (r.status !== 200) failures.push(`${what}: HTTP ${r.status}`);
    };
    const status = async (s: string, n: number, query?: string) => {
      const r = await sender.sendSigned(
        twilioRequest(WEBHOOK_PATHS.twilioStatus, statusParams(callSid, s, n), query ? { query } : {}),
      );
      check(r, `status ${s}`);
      return r;
    };
    await stack.firestoreStats(true);
    const first = await status('initiated', 0);
    if (!first.callId) throw new Error('the first status callback named no call');
    const query = `callId=${first.callId}`;
    // Twilio's progress callbacks: ringing about a second after initiated, answered after a few rings.
    // (Shorter in smoke-sized runs.)
    await sleep(Math.min(1000, o.talkSecs * 100));
    await status('ringing', 1, query);
    await sleep(Math.min(4000, o.talkSecs * 400));
    await status('in-progress', 2, query);
    let sequenceId = 0;
    const deadline = performance.now() + o.talkSecs * 1000;
    const speaker = async (track: string): Promise<void> => {
      while (performance.now() < deadline) {
        const finalAt = performance.now() + 1500 + Math.random() * 1500;
        while (performance.now() < finalAt - 400) {
          await sleep(400);
          const params = transcriptionParams(callSid, ++sequenceId, { final: false, track, text: 'so I' });
          check(
            await sender.sendSigned(twilioRequest(WEBHOOK_PATHS.twilioTranscription, params, { query })),
            'partial',
          );
          partials++;
        }
        await sleep(Math.max(0, finalAt - performance.now()));
        const params = transcriptionParams(callSid, ++sequenceId, {
          final: true,
          track,
          text: 'so I am here',
        });
        check(
          await sender.sendSigned(twilioRequest(WEBHOOK_PATHS.twilioTranscription, params, { query })),
          'final',
        );
        finals++;
      }
    };
    await Promise.all([speaker('inbound_track'), speaker('outbound_track')]);
    await status('completed', 3, query);
    stats = await stack.firestoreStats(true);
    sender.close();
  } finally {
    await stack.stop();
  }
  const hottest = stats.hottest[0];
  return {
    scenario: 'path-firestore',
    backend: 'google',
    params: { talkSecs: o.talkSecs },
    figures: {
      ...firestorePerEvent,
      'fast-talking call: finals, partials, status callbacks': { finals, partials, statuses: 4 },
      // Hottest first, so each document role keeps its hottest document's figure.
      'fast-talking call: most writes in any 1 s, per document': Object.fromEntries(
        stats.hottest.map((h) => [docPattern(h.doc), h.maxPerSecond] as const).reverse(),
      ),
      [`hottest document writes/s, max over 1 s windows (goal ≤ ${GOALS.hottestWritesPerSecond})`]: goal(
        hottest?.maxPerSecond ?? 0,
        GOALS.hottestWritesPerSecond,
        'max',
      ),
      'hottest document writes/s, max over 5 s windows': hottest?.sustainedPerSecond ?? 0,
      'hottest document writes/s, whole call': round(
        (hottest?.writes ?? 0) / (o.talkSecs + Math.min(5, o.talkSecs / 2)),
        2,
      ),
    },
    failures,
  };
}

/** Firestore work per stored event of a run (RPCs by method, documents read and written). */
function perEvent(stats: FirestoreStats, events: number): Record<string, Figure> {
  const per = (n: number): number => round(n / Math.max(1, events), 2);
  return {
    'Firestore RPCs per stored event (low-rate run)': Object.fromEntries(
      Object.entries(stats.rpcs).map(([method, n]) => [method, per(n)]),
    ),
    'Firestore documents per stored event': {
      read: per(stats.documentsRead),
      written: per(stats.documentsWritten),
      rpcs: per(Object.values(stats.rpcs).reduce((a, b) => a + b, 0)),
    },
  };
}

function runFigures(name: string, run: OpenRun): Record<string, Figure> {
  return {
    [`${name}: webhook→subscriber ms, warm-up`]: run.warmup,
    [`${name}: webhook→subscriber ms, warm`]: run.warm,
    [`${name}: webhook HTTP ms`]: run.http,
    [`${name}: server CPU s`]: round(run.cpuSeconds, 2),
    [`${name}: webhooks per server CPU-second`]: round(run.webhooks / Math.max(0.01, run.cpuSeconds), 1),
  };
}

function result(
  scenario: string,
  backend: BackendName,
  o: PathOptions,
  rate: number,
  figures: Record<string, Figure>,
  failures: string[],
): ScenarioResult {
  return {
    scenario,
    backend,
    params: { calls: o.calls, subscribers: 1, rate, warmupSecs: o.warmupSecs, secs: o.secs },
    figures,
    failures,
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b, 3) : 0;
}

/** `{ value, goal, met }` where `max` means the value must not exceed the goal and `min` that it must reach it. */
function goal(value: number, target: number, kind: 'max' | 'min'): Record<string, number | string> {
  const met = kind === 'max' ? value <= target : value >= target;
  return { value, goal: target, met: met ? 'yes' : 'no' };
}

/** `calls/abc/dedupe/f00…` → `calls/{call}/dedupe/{hash}`: the document's role, not its id. */
function docPattern(doc: string): string {
  return doc
    .replace(/^calls\/[^/]+/, 'calls/{call}')
    .replace(/\/(dedupe|events)\/[^/]+$/, '/$1/{id}')
    .replace(/^(providerIds|audit)\/[^/]+$/, '$1/{id}');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
