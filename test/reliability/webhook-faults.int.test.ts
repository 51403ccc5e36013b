// Scenario 1: concurrent calls under duplicate, reordered and retried webhooks (bus down for a while) reach every
// subscriber exactly once, in order, with no gap, and store no duplicate segment.
import { afterEach, describe, expect, it } from 'vitest';
import { idempotentCallId } from '../../core/operations/call-dialer.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import { ORG, triggerBody } from '../../functions/api/api.test-kit.ts';
import type { ScriptName } from '../../simulator/index.ts';
import { BACKENDS, emulatorsAvailable } from '../backends.ts';
import {
  expectExactlyOnce,
  faultCounts,
  poll,
  sleep,
  startReliabilityStack,
  Subscriber,
  summary,
  waitForCatchUp,
  type ReliabilityStack,
} from './reliability-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());

/** One call per script, phone number → script; two `acknowledged` so most calls talk. */
const CALLS: Array<{ script: ScriptName; phone: string; finalStatus: string; transcript: boolean }> = [
  { script: 'acknowledged', phone: '+15550100001', finalStatus: 'completed', transcript: true },
  { script: 'cut-short', phone: '+15550100002', finalStatus: 'completed', transcript: true },
  { script: 'voicemail', phone: '+15550100003', finalStatus: 'completed', transcript: true },
  { script: 'busy', phone: '+15550100004', finalStatus: 'busy', transcript: false },
  { script: 'no-answer', phone: '+15550100005', finalStatus: 'no-answer', transcript: false },
  { script: 'acknowledged', phone: '+15550100006', finalStatus: 'completed', transcript: true },
];
/** Bus outage: long enough to fail several deliveries, shorter than Twilio's retry budget at speed 10 (0.7 s). */
const OUTAGE_MS = 250;

describe.each(backends)('webhook faults end to end on %s', (backend) => {
  let stack: ReliabilityStack | undefined;
  const subscribers: Subscriber[] = [];
  afterEach(async () => {
    for (const s of subscribers.splice(0)) s.close();
    await stack?.close();
    stack = undefined;
  });

  it('6 concurrent calls with duplicates, reordering and 5xx retries: exactly once, gapless, deduplicated', async () => {
    const started = Date.now();
    const s = (stack = await startReliabilityStack(backend, {
      proxyBus: true,
      simulator: {
        speed: 10,
        script: (ctx) => CALLS.find((c) => c.phone === ctx.to)?.script ?? 'acknowledged',
        faults: { duplicateRate: 0.35, reorder: true, seed: 11 },
      },
    }));
    for (let i = 0; i < 3; i++) subscribers.push(new Subscriber(`sub${i}`, s.relayUrl, s.token));

    // Each dial is held back 1 s by the provider, so every subscriber is in before the first provider webhook.
    for (const _ of CALLS) s.api.sim.failNext('twilio.create-call', { delayMs: 1000 });
    const callIds = CALLS.map((_, i) => idempotentCallId(ORG, `reliability-${i}`));
    const triggers = CALLS.map((c, i) =>
      s.api.request('POST', '/driver_data/call-elevenlabs', {
        token: s.token,
        headers: { 'idempotency-key': `reliability-${i}` },
        body: triggerBody({ phoneNumber: c.phone, driverName: `Driver ${i}` }),
      }),
    );
    await Promise.all(
      callIds.map(async (callId) => {
        await poll(async () => (await s.api.backend.store.getCall(callId)) ?? undefined, `call ${callId}`);
        for (const sub of subscribers) sub.subscribe(callId);
      }),
    );
    for (const sub of subscribers) {
      await sub.waitUntil(() => callIds.every((id) => (sub.snapshots.get(id)?.length ?? 0) > 0), 'snapshots');
      // Only `queued` (callrelay's own event) can precede the subscription: no provider event yet.
      for (const id of callIds)
        expect(sub.snapshots.get(id)![0], `${sub.name} subscribed late`).toBeLessThanOrEqual(1);
    }
    for (const res of await Promise.all(triggers)) expect(res.status).toBe(201);

    // Mid-call, the bus refuses publishes for OUTAGE_MS: webhooks answer 503 and the providers retry.
    await subscribers[0]!.waitUntil(
      () => callIds.reduce((n, id) => n + subscribers[0]!.lastSeq(id), 0) >= 15,
      '15 events before the outage',
    );
    s.busOutage.start();
    await sleep(OUTAGE_MS);
    s.busOutage.stop();

    await s.api.settle();
    await waitForCatchUp(subscribers, s, callIds);

    let events = 0;
    for (const [i, callId] of callIds.entries()) {
      const expected = CALLS[i]!;
      const stored = await s.stored(callId);
      events += stored.length;
      for (const sub of subscribers) expectExactlyOnce(sub, callId, stored);

      const call = (await s.api.backend.store.getCall(callId))!;
      expect(call.status, `${expected.script}: final status`).toBe(expected.finalStatus);
      expect(call.lastSeq).toBe(stored.length);
      const transcripts = stored.filter((e) => e.kind === 'transcript');
      expect(transcripts, `${expected.script}: transcripts`).toHaveLength(expected.transcript ? 1 : 0);
      if (expected.transcript)
        expect(transcripts[0]).toMatchObject({ conversationStatus: 'done', source: 'elevenlabs_webhook' });

      // Every final utterance the simulator delivered is stored once: duplicates and retries added nothing.
      const segments = stored.filter(
        (e): e is Extract<CallEvent, { kind: 'segment' }> => e.kind === 'segment',
      );
      const deliveredFinals = new Set(
        s.api.sim
          .deliveries()
          .filter(
            (d) =>
              d.callSid === call.callSid && d.kind === 'twilio-transcription' && d.outcome === 'delivered',
          )
          .map((d) => d.payload as Record<string, string>)
          .filter((p) => p.TranscriptionEvent === 'transcription-content' && p.Final === 'true')
          .map((p) => `${p.TranscriptionSid}:${p.SequenceId}`),
      );
      expect(segments, `${expected.script}: segments`).toHaveLength(deliveredFinals.size);
      const texts = segments.map((e) => `${e.speaker}:${e.text}`);
      expect(new Set(texts).size, `${expected.script}: duplicate segment text`).toBe(texts.length);
      const statuses = stored.flatMap((e) => (e.kind === 'call_status' ? [`${e.source}:${e.status}`] : []));
      expect(new Set(statuses).size, `${expected.script}: duplicate status`).toBe(statuses.length);
    }

    // The faults really happened (otherwise this run proves nothing).
    const faults = faultCounts(s.api.sim.deliveries());
    expect(faults.duplicates, 'duplicate deliveries').toBeGreaterThan(0);
    expect(faults.reordered, 'reordered status callbacks').toBeGreaterThan(0);
    expect(faults.retried, 'deliveries retried after a 5xx').toBeGreaterThan(0);
    expect(faults.deliveries - faults.duplicates, 'webhooks').toBeGreaterThan(60);
    if (backend === 'google') expect(s.busOutage.refused, 'publishes refused').toBeGreaterThan(0);
    const wire = subscribers.reduce(
      (n, sub) => n + sub.connections.reduce((m, c) => m + c.events.length, 0),
      0,
    );
    summary('webhook faults', backend, {
      calls: callIds.length,
      events,
      webhooks: faults.deliveries,
      duplicates: faults.duplicates,
      reordered: faults.reordered,
      'retried-5xx': faults.retried,
      'publishes-refused': backend === 'google' ? s.busOutage.refused : `${OUTAGE_MS}ms outage`,
      subscribers: subscribers.length,
      'frames-delivered': wire,
      ms: Date.now() - started,
    });
  });
});
