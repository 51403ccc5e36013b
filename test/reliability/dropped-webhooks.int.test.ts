// Scenario 3: webhooks dropped by the provider (dropRate), the post-call transcript among them: the conversation
// fetch route reconciles it, live subscribers get it once, and the late webhook afterwards stores nothing twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import { triggerBody } from '../../functions/api/api.test-kit.ts';
import { elevenLabsSignature } from '../../simulator/signing.ts';
import { BACKENDS, emulatorsAvailable } from '../backends.ts';
import {
  expectExactlyOnce,
  faultCounts,
  startReliabilityStack,
  Subscriber,
  summary,
  waitForCatchUp,
  type ReliabilityStack,
} from './reliability-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
const CALLS = 4;
/** With this seed and rate, some post-call webhooks are dropped and some delivered (asserted below). */
const FAULTS = { dropRate: 0.3, duplicateRate: 0.2, seed: 3 };

describe.each(backends)('dropped webhooks on %s', (backend) => {
  let stack: ReliabilityStack | undefined;
  const subscribers: Subscriber[] = [];
  afterEach(async () => {
    for (const s of subscribers.splice(0)) s.close();
    await stack?.close();
    stack = undefined;
  });

  it('fetch reconciles a dropped post-call transcript; the late webhook stores nothing twice', async () => {
    const started = Date.now();
    const s = (stack = await startReliabilityStack(backend, {
      simulator: { speed: 20, script: 'acknowledged', faults: FAULTS },
    }));
    for (let i = 0; i < 2; i++) subscribers.push(new Subscriber(`sub${i}`, s.relayUrl, s.token));
    for (let i = 0; i < CALLS; i++) s.api.sim.failNext('twilio.create-call', { delayMs: 500 });
    const created = await Promise.all(
      Array.from({ length: CALLS }, () =>
        s.api.request('POST', '/driver_data/call-elevenlabs', { token: s.token, body: triggerBody() }),
      ),
    );
    const callIds = created.map((res) => {
      expect(res.status).toBe(201);
      return (res.body as { callId: string }).callId;
    });
    for (const sub of subscribers) for (const id of callIds) sub.subscribe(id);
    await s.api.settle();

    let fetchedStored = 0;
    let alreadyStored = 0;
    let lateReplays = 0;
    for (const callId of callIds) {
      const call = (await s.api.backend.store.getCall(callId)) as Call;
      const conversationId = s.api.sim.calls().find((c) => c.callSid === call.callSid)?.conversationId;
      expect(conversationId, 'conversation').toBeTruthy();
      const postCall = s.api.sim
        .deliveries()
        .find((d) => d.kind === 'elevenlabs' && d.conversationId === conversationId && !d.duplicate);
      expect(postCall, 'post-call delivery record').toBeDefined();
      const dropped = postCall!.outcome === 'dropped';
      const before = await s.stored(callId);
      expect(
        before.filter((e) => e.kind === 'transcript'),
        'transcripts before fetch',
      ).toHaveLength(dropped ? 0 : 1);

      const res = await s.api.request('POST', `/driver_data/conversations/${conversationId}/fetch`, {
        token: s.token,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        callId,
        status: 'done',
        reconciled: dropped ? 'stored' : 'already_stored',
      });
      const afterFetch = await s.stored(callId);
      const transcripts = afterFetch.filter((e) => e.kind === 'transcript');
      expect(transcripts, 'transcripts after fetch').toHaveLength(1);
      expect(transcripts[0]).toMatchObject({ source: dropped ? 'elevenlabs_fetch' : 'elevenlabs_webhook' });
      expect((await s.api.backend.store.getCall(callId))!.status).toBe('completed');
      if (dropped) {
        fetchedStored++;
        // The provider's webhook turns up late after all (a replay): a duplicate, nothing stored.
        const body = JSON.stringify(postCall!.payload);
        const late = await fetch(`${s.api.url}/webhooks/elevenlabs`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'elevenlabs-signature': elevenLabsSignature(
              'wsec_sim_secret',
              body,
              Math.floor(Date.now() / 1000),
            ),
          },
          body,
        });
        expect(late.status).toBe(200);
        lateReplays++;
      } else {
        alreadyStored++;
        expect(afterFetch, 'fetch after the webhook stores nothing').toEqual(before);
      }
      expect(await s.stored(callId), 'late webhook stores nothing').toEqual(afterFetch);
    }
    // Both paths were exercised: at least one post-call webhook dropped, at least one delivered.
    expect(fetchedStored, 'dropped post-call webhooks').toBeGreaterThan(0);
    expect(alreadyStored, 'delivered post-call webhooks').toBeGreaterThan(0);

    await waitForCatchUp(subscribers, s, callIds);
    let events = 0;
    for (const callId of callIds) {
      const stored = await s.stored(callId);
      events += stored.length;
      // Dropped Twilio callbacks are simply missing (Twilio does not resend them); what is stored stays gapless.
      for (const sub of subscribers) expectExactlyOnce(sub, callId, stored);
    }
    const faults = faultCounts(s.api.sim.deliveries());
    expect(faults.dropped, 'dropped webhooks').toBeGreaterThan(fetchedStored);
    summary('dropped webhooks', backend, {
      calls: callIds.length,
      events,
      webhooks: faults.deliveries,
      dropped: faults.dropped,
      duplicates: faults.duplicates,
      'post-call-dropped→fetch-stored': fetchedStored,
      'post-call-delivered→already_stored': alreadyStored,
      'late-replays-ignored': lateReplays,
      ms: Date.now() - started,
    });
  });
});
