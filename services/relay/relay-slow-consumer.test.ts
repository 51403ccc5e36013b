// A socket that stops reading is closed with 4008 while the relay's memory stays bounded (and the test can tell).
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../core/domain/call-event.ts';
import { BACKLOG_DRAIN_TIMEOUT_MS } from './connection.ts';
import {
  appendSegments,
  publishEvents,
  range,
  seedCall,
  startRelay,
  TestSocket,
  type RelayFixture,
} from './relay.test-kit.ts';

const EVENT_TEXT_BYTES = 16 * 1024;
const EVENTS = 4000; // ~64 MiB pushed towards the stalled socket
/** Stated bound: retained heap + external growth while 64 MiB flow to a stalled socket with a 256 KiB ceiling. */
const MEMORY_BOUND_BYTES = 16 * 1024 * 1024;

// Measure retained memory, not garbage: collect before each sample.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Run {
  stalled: TestSocket;
  growthBytes: number;
  healthyLastSeq: number;
}

async function pushToStalledSocket(fx: RelayFixture): Promise<Run> {
  const callId = 'slow-call';
  const { call } = await seedCall(fx.backend, callId);
  const token = await fx.token();
  // Healthy subscriber: counts seqs without keeping frames, and paces the producer.
  const healthy = new WebSocket(`${fx.url}?token=${token}`);
  let healthyLastSeq = 0;
  healthy.on('message', (data) => {
    const text = String(data);
    const match = /"seq":(\d+)/.exec(text);
    if (match) healthyLastSeq = Number(match[1]);
  });
  await once(healthy, 'open');
  healthy.send(JSON.stringify({ type: 'subscribe', callId }));
  const stalled = await TestSocket.open(fx.url, token);
  stalled.send({ type: 'subscribe', callId });
  await stalled.waitFor((m) => m.type === 'subscribed');
  stalled.ws.pause();

  const usage = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const baseline = usage();
  let peak = baseline;
  const text = 'x'.repeat(EVENT_TEXT_BYTES);
  for (let seq = 1; seq <= EVENTS; seq++) {
    const event: CallEvent = {
      kind: 'segment',
      speaker: 'driver',
      text,
      source: 'twilio_realtime',
      callId,
      seq,
      dedupeKey: `k${seq}`,
      recordedAt: new Date().toISOString(),
    };
    await fx.backend.bus.publish({ type: 'event', event, call: { ...call, lastSeq: seq } });
    if (seq % 100 === 0) {
      while (healthyLastSeq < seq) await new Promise((r) => setTimeout(r, 2));
      peak = Math.max(peak, usage());
    }
  }
  healthy.terminate();
  stalled.ws.resume();
  return { stalled, growthBytes: peak - baseline, healthyLastSeq };
}

function report(label: string, run: Run): void {
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.info(
    `slow consumer, ${label}: heap+external grew ${mib(run.growthBytes)} MiB while ${mib(EVENTS * EVENT_TEXT_BYTES)} MiB were sent`,
  );
}

describe('slow consumer', () => {
  let fx: RelayFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('closes a socket that stops reading with 4008; memory stays under the stated bound', async () => {
    fx = await startRelay('memory', { maxBufferedBytes: 256 * 1024, ringSize: 8, closeGraceMs: 10_000 });
    const run = await pushToStalledSocket(fx);
    report('with ceiling', run);
    expect((await run.stalled.closed).code).toBe(4008);
    expect(run.healthyLastSeq).toBe(EVENTS);
    expect(run.growthBytes).toBeLessThan(MEMORY_BOUND_BYTES);
  });

  it('control: without the ceiling the same run exceeds the bound (the measurement can fail)', async () => {
    fx = await startRelay('memory', { maxBufferedBytes: 2 ** 30, ringSize: 8, closeGraceMs: 10_000 });
    const run = await pushToStalledSocket(fx);
    report('no ceiling (control)', run);
    expect(run.growthBytes).toBeGreaterThan(MEMORY_BOUND_BYTES);
    run.stalled.close();
  });
});

describe('backlog pacing', () => {
  it('replays a history far larger than the buffer ceiling without closing a reading client', async () => {
    const fx = await startRelay('memory', { maxBufferedBytes: 64 * 1024, backlogPageSize: 500 });
    try {
      const callId = 'long-call';
      await seedCall(fx.backend, callId);
      const long = 'y'.repeat(4096);
      await appendSegments(fx.backend, callId, 3000, () => long); // ~12 MiB of history
      const s = await TestSocket.open(fx.url, await fx.token());
      s.send({ type: 'subscribe', callId });
      await s.waitForSeq(callId, 3000, 20_000);
      expect(s.seqs(callId)).toEqual(range(1, 3000));
      expect(s.ws.readyState).toBe(WebSocket.OPEN);
      s.close();
    } finally {
      await fx.close();
    }
  });
});

describe('a slow reader beside a healthy one', () => {
  it("does not hold back the call's live events for other subscribers while its backlog waits to drain", async () => {
    const fx = await startRelay('memory', { maxBufferedBytes: 64 * 1024, backlogPageSize: 100, ringSize: 8 });
    try {
      const callId = 'shared-call';
      await seedCall(fx.backend, callId);
      const big = 'z'.repeat(8 * 1024);
      // ~24 MiB of history: far more than the kernel buffers a paused reader can absorb on loopback.
      const { call } = await appendSegments(fx.backend, callId, 3000, () => big);
      const token = await fx.token();
      const healthy = await TestSocket.open(fx.url, token);
      healthy.send({ type: 'subscribe', callId, afterSeq: 3000 });
      await healthy.waitFor((m) => m.type === 'subscribed');
      const feed = fx.relay.hub.feed(callId)!;
      const readsBefore = feed.stats.storeReads;

      const stalled = await TestSocket.open(fx.url, token);
      stalled.ws.pause();
      stalled.send({ type: 'subscribe', callId });
      // The stalled socket's backlog replay has started (its call read and a first page).
      while (feed.stats.storeReads < readsBefore + 2) await new Promise((r) => setTimeout(r, 5));

      const live = await appendSegments(fx.backend, callId, 1);
      const published = Date.now();
      await publishEvents(fx.backend, live.call, live.events);
      await healthy.waitForSeq(callId, 3001, 30_000);
      // Before the fix the live event waited behind the stalled replay until the relay gave up on that socket
      // (BACKLOG_DRAIN_TIMEOUT_MS); one event on loopback takes milliseconds, so the margin is the whole timeout.
      expect(Date.now() - published).toBeLessThan(BACKLOG_DRAIN_TIMEOUT_MS);
      expect(healthy.seqs(callId)).toEqual([3001]);
      expect(call.lastSeq).toBe(3000);
      stalled.close();
      healthy.close();
    } finally {
      await fx.close();
    }
  });
});
