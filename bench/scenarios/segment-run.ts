// The live loop shared by the latency and fan-out scenarios: signed segment webhooks in, relay clients out, timed.
import { uid } from '../../functions/webhooks/webhook.test-kit.ts';
import { atFixedRate, closedLoop } from '../load/pacing.ts';
import { SubscriberPool } from '../load/subscriber-pool.ts';
import { TwilioSender, type PostResult } from '../load/twilio-sender.ts';
import type { StackHandle } from '../stack/stack-handle.ts';
import { Samples, type LatencySummary } from '../stats.ts';

export type LoadShape =
  { kind: 'rate'; perSec: number; secs: number } | { kind: 'closed'; concurrency: number; secs: number };

export interface SegmentRunOptions {
  clients: number;
  calls: number;
  callsPerClient: number;
  load: LoadShape;
  /** How long subscribers may take to catch up after the last webhook was answered. */
  drainTimeoutMs: number;
}

export interface SegmentRunResult {
  subscriptions: number;
  webhooks: number;
  sendElapsedMs: number;
  /** Open-loop only: how far the generator fell behind its schedule. */
  maxLagMs?: number;
  /** POST sent → segment delivered by the client library, per (segment, subscriber). */
  delivery: LatencySummary;
  /** POST sent → HTTP response read (including retries). */
  http: LatencySummary;
  /** Segment deliveries of the measured webhooks (warm-up backlog excluded). */
  deliveries: number;
  /** First measured POST → last delivery. */
  deliveryWindowMs: number;
  statuses: Record<string, number>;
  retries: number;
  reconnects: number;
  failures: string[];
  /** Open subscribers, for callers that sample memory before closing them. */
  pool: SubscriberPool;
  sender: TwilioSender;
}

const TEXT_PREFIX = 'bench ';

/** Creates the calls with one warm-up segment each, subscribes the clients, runs the load, then checks delivery. */
export async function runSegmentLoad(
  stack: StackHandle,
  options: SegmentRunOptions,
): Promise<SegmentRunResult> {
  const concurrency = options.load.kind === 'closed' ? options.load.concurrency : 64;
  const sender = new TwilioSender(stack.apiUrl, concurrency);
  const failures: string[] = [];
  const callSids = Array.from({ length: options.calls }, () => uid('CA'));
  const lastSeq = new Map<string, number>();
  const storedSeqs = new Map<string, number[]>();
  const callIdBySid = new Map<string, string>();
  const record = (callSid: string, result: PostResult, what: string): void => {
    if (result.status !== 200 || result.callId === undefined || result.seq === undefined) {
      failures.push(`${what}: HTTP ${result.status} after ${result.attempts} attempt(s)`);
      return;
    }
    callIdBySid.set(callSid, result.callId);
    lastSeq.set(result.callId, Math.max(lastSeq.get(result.callId) ?? 0, result.seq));
    const seqs = storedSeqs.get(result.callId) ?? [];
    seqs.push(result.seq);
    storedSeqs.set(result.callId, seqs);
  };

  for (const sid of callSids) record(sid, await sender.sendSegment(sid, 0, 'warmup'), `warm-up ${sid}`);
  const callIds = callSids.flatMap((sid) => callIdBySid.get(sid) ?? []);
  if (callIds.length !== callSids.length) throw new Error(`warm-up failed: ${failures.join('; ')}`);

  const sentAt: number[] = [];
  const delivery = new Samples();
  const http = new Samples();
  const pool = await SubscriberPool.open(
    stack.relayUrl,
    stack.token,
    { clients: options.clients, callIds, callsPerClient: options.callsPerClient },
    (event, receivedAt) => {
      if (event.type !== 'segment' || !event.text.startsWith(TEXT_PREFIX)) return;
      const sent = sentAt[Number(event.text.slice(TEXT_PREFIX.length))];
      if (sent !== undefined) delivery.add(receivedAt - sent);
    },
  );

  const nextSequenceId = new Array<number>(callSids.length).fill(1);
  const task = async (i: number): Promise<void> => {
    const c = i % callSids.length;
    const sid = callSids[c]!;
    const sequenceId = nextSequenceId[c]!++;
    const result = await sender.sendSegment(sid, sequenceId, `${TEXT_PREFIX}${i}`, (at) => (sentAt[i] = at));
    http.add(result.durationMs);
    record(sid, result, `webhook ${i}`);
  };
  const load = options.load;
  const run: { sent: number; elapsedMs: number; maxLagMs?: number } =
    load.kind === 'rate'
      ? await atFixedRate(load.perSec, load.secs * 1000, task)
      : await closedLoop(load.concurrency, load.secs * 1000, task);

  const caughtUp = await pool.waitForAll(lastSeq, options.drainTimeoutMs);
  if (!caughtUp) failures.push(`subscribers did not catch up within ${options.drainTimeoutMs} ms`);
  failures.push(...storeGaps(storedSeqs), ...pool.check(lastSeq).problems, ...pool.errors);
  const firstSent = sentAt.find((t) => t !== undefined) ?? 0;
  return {
    subscriptions: pool.subscriptionCount,
    webhooks: run.sent,
    sendElapsedMs: run.elapsedMs,
    ...(run.maxLagMs !== undefined ? { maxLagMs: run.maxLagMs } : {}),
    delivery: delivery.summary(),
    http: http.summary(),
    deliveries: delivery.count,
    deliveryWindowMs: Math.max(0, pool.lastDeliveryAt - firstSent),
    statuses: Object.fromEntries(sender.statuses),
    retries: sender.retries,
    reconnects: pool.reconnects,
    failures,
    pool,
    sender,
  };
}

/** The seqs the webhooks were stored as must be 1..n per call, each once: the store itself is gapless. */
export function storeGaps(storedSeqs: ReadonlyMap<string, number[]>): string[] {
  const problems: string[] = [];
  for (const [callId, seqs] of storedSeqs) {
    const unique = new Set(seqs);
    const max = seqs.reduce((a, b) => Math.max(a, b), 0);
    if (unique.size !== seqs.length)
      problems.push(`store ${callId}: ${seqs.length - unique.size} webhooks got a seq twice`);
    if (unique.size !== max)
      problems.push(`store ${callId}: seqs up to ${max} but only ${unique.size} distinct`);
  }
  return problems;
}
