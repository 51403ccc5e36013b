// Scenario 4: a subscriber that stops reading during a live call is closed with 4008, reconnects and resumes from
// its last seq; the healthy subscribers on the same call keep one connection and get every event once.
import { afterEach, describe, expect, it } from 'vitest';
import { triggerBody } from '../../functions/api/api.test-kit.ts';
import { twilioSignature } from '../../simulator/signing.ts';
import { BACKENDS, emulatorsAvailable } from '../backends.ts';
import {
  expectExactlyOnce,
  poll,
  startReliabilityStack,
  Subscriber,
  summary,
  waitForCatchUp,
  type ReliabilityStack,
} from './reliability-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
/** Large final segments sent through the real Twilio transcription webhook: ~12 MiB, well past kernel buffers. */
const BULK_SEGMENTS = 200;
const SEGMENT_BYTES = 60 * 1024;

describe.each(backends)('slow consumer on %s', (backend) => {
  let stack: ReliabilityStack | undefined;
  const subscribers: Subscriber[] = [];
  afterEach(async () => {
    for (const s of subscribers.splice(0)) s.close();
    await stack?.close();
    stack = undefined;
  });

  it('is closed with 4008, reconnects and resumes; the healthy ones are unaffected', async () => {
    const started = Date.now();
    const s = (stack = await startReliabilityStack(backend, {
      simulator: { speed: 10, script: 'acknowledged' },
      // A small ceiling; the close frame waits for the stalled reader long enough for it to see 4008.
      relay: { maxBufferedBytes: 256 * 1024, closeGraceMs: 30_000 },
    }));
    const healthy = [
      new Subscriber('healthy0', s.relayUrl, s.token),
      new Subscriber('healthy1', s.relayUrl, s.token),
    ];
    const slow = new Subscriber('slow', s.relayUrl, s.token);
    subscribers.push(...healthy, slow);
    s.api.sim.failNext('twilio.create-call', { delayMs: 300 });
    const res = await s.api.request('POST', '/driver_data/call-elevenlabs', {
      token: s.token,
      body: triggerBody(),
    });
    expect(res.status).toBe(201);
    const callId = (res.body as { callId: string }).callId;
    for (const sub of subscribers) sub.subscribe(callId);
    await slow.waitUntil(() => slow.lastSeq(callId) >= 1, 'first event');
    slow.opened[0]!.socket.pause(); // stops reading: the relay's send buffer for it grows

    // During the call, a burst of large segments arrives through the signed transcription webhook.
    const first = await poll(
      async () =>
        s.api.sim.deliveries().find((d) => d.kind === 'twilio-transcription' && d.outcome === 'delivered'),
      'a transcription webhook',
    );
    const text = 'reefer reading '.repeat(Math.ceil(SEGMENT_BYTES / 15)).slice(0, SEGMENT_BYTES);
    const base = first.payload as Record<string, string>;
    for (let i = 1; i <= BULK_SEGMENTS; i++) {
      const params = {
        AccountSid: base.AccountSid!,
        CallSid: base.CallSid!,
        TranscriptionSid: 'GTbulk0000000000000000000000000000',
        Timestamp: new Date().toISOString(),
        SequenceId: String(i),
        TranscriptionEvent: 'transcription-content',
        LanguageCode: 'en-US',
        Track: 'inbound_track',
        TranscriptionData: JSON.stringify({ transcript: `${i} ${text}`, confidence: 0.9 }),
        Final: 'true',
      };
      const hook = await fetch(first.url.replace(/^https:\/\/hooks\.callrelay\.test/, s.api.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(s.api.config.twilio.authToken, first.url, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(hook.status).toBe(200);
    }
    await s.api.settle();
    await waitForCatchUp(healthy, s, [callId]);
    slow.opened[0]!.socket.resume(); // reads what was buffered, then the close frame
    await waitForCatchUp([slow], s, [callId], 30_000);

    const stored = await s.stored(callId);
    expect(stored.length).toBeGreaterThan(BULK_SEGMENTS);
    expect(
      stored.some((e) => e.kind === 'transcript'),
      'post-call transcript',
    ).toBe(true);
    for (const sub of subscribers) expectExactlyOnce(sub, callId, stored);
    expect(slow.opened[0]!.closeCode, 'slow consumer close code').toBe(4008);
    expect(slow.opened.length, 'slow consumer reconnected').toBeGreaterThanOrEqual(2);
    const resumedAt = slow.opened[1]!.events[0]?.seq ?? 0;
    expect(resumedAt, 'resumed after its last seq, not from the start').toBeGreaterThan(1);
    for (const h of healthy) {
      expect(h.opened, `${h.name} connections`).toHaveLength(1);
      expect(h.opened[0]!.closeCode, `${h.name} never closed`).toBeNull();
    }
    summary('slow consumer', backend, {
      calls: 1,
      events: stored.length,
      'bulk-webhooks': BULK_SEGMENTS,
      'bulk-MiB': ((BULK_SEGMENTS * SEGMENT_BYTES) / 2 ** 20).toFixed(1),
      'slow-close': slow.opened[0]!.closeCode ?? 'none',
      'slow-read-before-close': slow.opened[0]!.events.length,
      'slow-resumed-at-seq': resumedAt,
      'healthy-reconnects': healthy.reduce((n, h) => n + h.opened.length - 1, 0),
      ms: Date.now() - started,
    });
  });
});
