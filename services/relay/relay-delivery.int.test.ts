// Delivery guarantees of a real relay with real ws clients, on the memory backend and on the emulators.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallsMessage,
  CallUpdatedMessage,
  ErrorMessage,
  SubscribedMessage,
} from '../../core/protocol/relay-messages.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  appendSegments,
  publishEvents,
  range,
  seedCall,
  startRelay,
  TestSocket,
  type RelayFixture,
} from './relay.test-kit.ts';

const newId = () => `call-${randomUUID().slice(0, 8)}`;
/** Enough for a wrongly delivered extra message to arrive before we assert its absence. */
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe.each(BACKENDS)('relay delivery (%s backend)', (backendName) => {
  const skip = backendName === 'google' && !emulatorsAvailable();
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  const open = async (claims?: { org?: string }) => {
    const socket = await TestSocket.open(fx.url, await fx.token(claims));
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    if (!skip) fx = await startRelay(backendName, { ringSize: 4 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await fx?.close();
  });

  it.skipIf(skip)('subscribe without afterSeq: snapshot, the whole history, then live events', async () => {
    const callId = newId();
    await seedCall(fx.backend, callId, { count: 5 });
    const s = await open();
    s.send({ type: 'subscribe', callId });
    const subscribed = await s.waitFor<SubscribedMessage>((m) => m.type === 'subscribed');
    expect(subscribed).toMatchObject({ callId, lastSeq: 5, call: { callId, orgId: 'org-a', lastSeq: 5 } });
    await s.waitForSeq(callId, 5);
    const live = await appendSegments(fx.backend, callId, 2);
    await publishEvents(fx.backend, live.call, live.events);
    await s.waitForSeq(callId, 7);
    await settle();
    expect(s.seqs(callId)).toEqual(range(1, 7));
    const types = s.messages.map((m) => m.type);
    expect(types.indexOf('subscribed')).toBeLessThan(types.indexOf('segment'));
    expect(s.messages.find((m) => m.type === 'segment')).toMatchObject({
      callId,
      seq: 1,
      speaker: 'driver',
      text: 'line 1',
    });
    expect(s.messages.find((m) => m.type === 'segment')).not.toHaveProperty('dedupeKey');
  });

  it.skipIf(skip)(
    'subscribe with afterSeq returns exactly the missing events (ring and store paths)',
    async () => {
      const callId = newId();
      await seedCall(fx.backend, callId, { count: 10 });
      // Fresh feed: read from the store.
      const a = await open();
      a.send({ type: 'subscribe', callId, afterSeq: 3 });
      await a.waitForSeq(callId, 10);
      // Same feed, ring of 4 covers seq 7..10: afterSeq 8 needs no store read.
      const b = await open();
      const readsBefore = fx.relay.hub.feed(callId)!.stats.storeReads;
      b.send({ type: 'subscribe', callId, afterSeq: 8 });
      await b.waitForSeq(callId, 10);
      // b's subscribe read only the call snapshot, no events.
      expect(fx.relay.hub.feed(callId)!.stats.storeReads - readsBefore).toBe(1);
      // afterSeq older than the ring: falls back to the store.
      const c = await open();
      c.send({ type: 'subscribe', callId, afterSeq: 1 });
      await c.waitForSeq(callId, 10);
      // afterSeq at the head: nothing but the snapshot.
      const d = await open();
      d.send({ type: 'subscribe', callId, afterSeq: 10 });
      await d.waitFor((m) => m.type === 'subscribed');
      await settle();
      expect(a.seqs(callId)).toEqual(range(4, 10));
      expect(b.seqs(callId)).toEqual([9, 10]);
      expect(c.seqs(callId)).toEqual(range(2, 10));
      expect(d.seqs(callId)).toEqual([]);
    },
  );

  it.skipIf(skip)("refuses another org's call and a missing call with the same forbidden error", async () => {
    const foreign = newId();
    await seedCall(fx.backend, foreign, { orgId: 'org-b', count: 2 });
    const s = await open({ org: 'org-a' });
    s.send({ type: 'subscribe', callId: foreign });
    s.send({ type: 'subscribe', callId: 'call-does-not-exist' });
    const e1 = await s.waitFor<ErrorMessage>((m) => m.type === 'error' && m.callId === foreign);
    const e2 = await s.waitFor<ErrorMessage>((m) => m.type === 'error' && m.callId === 'call-does-not-exist');
    expect(e1.code).toBe('forbidden');
    expect({ ...e2, callId: foreign }).toEqual(e1);
    const more = await appendSegments(fx.backend, foreign, 1);
    await publishEvents(fx.backend, more.call, more.events);
    await settle();
    expect(s.messages.some((m) => m.type === 'subscribed' || 'seq' in m)).toBe(false);
  });

  it.skipIf(skip)('fills a gap on the bus from the store (publishes 1,2,4,5 of 1..5)', async () => {
    const callId = newId();
    await seedCall(fx.backend, callId);
    const s = await open();
    s.send({ type: 'subscribe', callId });
    await s.waitFor((m) => m.type === 'subscribed');
    const { call, events } = await appendSegments(fx.backend, callId, 5);
    await publishEvents(
      fx.backend,
      call,
      events.filter((e) => e.seq !== 3),
    );
    await s.waitForSeq(callId, 5);
    await settle();
    expect(s.seqs(callId)).toEqual(range(1, 5));
    expect(fx.relay.hub.feed(callId)!.stats.gapsFilled).toBe(1);
  });

  it.skipIf(skip)('delivers a duplicated bus message once', async () => {
    const callId = newId();
    await seedCall(fx.backend, callId);
    const s = await open();
    s.send({ type: 'subscribe', callId });
    await s.waitFor((m) => m.type === 'subscribed');
    const { call, events } = await appendSegments(fx.backend, callId, 3);
    const [e1, e2, e3] = events;
    await publishEvents(fx.backend, call, [e1!, e2!, e2!, e3!, e1!]);
    await s.waitForSeq(callId, 3);
    await settle();
    expect(s.seqs(callId)).toEqual([1, 2, 3]);
    expect(fx.relay.hub.feed(callId)!.stats.duplicatesDropped).toBe(2);
  });

  it.skipIf(skip)(
    'has no gap or repeat when subscribing while events are being appended and published',
    async () => {
      const callId = newId();
      await seedCall(fx.backend, callId, { count: 3 });
      const total = 40;
      const writer = (async () => {
        for (let i = 0; i < total - 3; i++) {
          const { call, events } = await appendSegments(fx.backend, callId, 1);
          await publishEvents(fx.backend, call, events);
        }
      })();
      const subs = await Promise.all([open(), open(), open()]);
      subs.forEach((s, i) => s.send({ type: 'subscribe', callId, ...(i === 1 ? { afterSeq: 2 } : {}) }));
      await writer;
      await Promise.all(subs.map((s) => s.waitForSeq(callId, total, 15_000)));
      await settle();
      expect(subs[0]!.seqs(callId)).toEqual(range(1, total));
      expect(subs[1]!.seqs(callId)).toEqual(range(3, total));
      expect(subs[2]!.seqs(callId)).toEqual(range(1, total));
    },
  );

  it.skipIf(skip)(
    'keeps live events flowing after back-to-back subscribes, and after unsubscribe + subscribe, of one call',
    async () => {
      const restarted = newId();
      const returned = newId();
      await seedCall(fx.backend, restarted, { count: 3 });
      await seedCall(fx.backend, returned, { count: 3 });
      const s = await open();
      // The second subscribe is sent while the first one's backlog is still being read.
      s.send({ type: 'subscribe', callId: restarted });
      s.send({ type: 'subscribe', callId: restarted, afterSeq: 3 });
      s.send({ type: 'subscribe', callId: returned });
      s.send({ type: 'unsubscribe', callId: returned });
      s.send({ type: 'subscribe', callId: returned, afterSeq: 3 });
      await s.waitFor(() => s.messages.filter((m) => m.type === 'subscribed').length === 4);
      await settle(100);
      for (const callId of [restarted, returned]) {
        const live = await appendSegments(fx.backend, callId, 2);
        await publishEvents(fx.backend, live.call, live.events);
      }
      await s.waitForSeq(restarted, 5);
      await s.waitForSeq(returned, 5);
      await settle();
      // The second subscribe continues from max(afterSeq 3, what the first had sent): whatever part of 1..3 the first
      // replay got out before it was superseded, then 4 and 5; never a duplicate, never out of order.
      const seqs = s.seqs(restarted);
      expect(seqs.slice(-2)).toEqual([4, 5]);
      expect(seqs).toEqual(range(1, seqs.length - 2).concat([4, 5]));
      expect(s.seqs(returned).slice(-2)).toEqual([4, 5]);
    },
  );

  it.skipIf(skip)("forwards partials of subscribed calls without seq, only for the call's org", async () => {
    const callId = newId();
    await seedCall(fx.backend, callId);
    const s = await open();
    s.send({ type: 'subscribe', callId });
    await s.waitFor((m) => m.type === 'subscribed');
    const partial = { kind: 'partial', callId, speaker: 'driver', text: 'I am at the' } as const;
    await fx.backend.bus.publish({
      type: 'partial',
      partial: { ...partial, text: 'spoofed' },
      orgId: 'org-b',
    });
    await fx.backend.bus.publish({ type: 'partial', partial, orgId: 'org-a' });
    const got = await s.waitFor((m) => m.type === 'partial');
    expect(got).toEqual({ type: 'partial', callId, speaker: 'driver', text: 'I am at the' });
    await settle();
    expect(s.messages.filter((m) => m.type === 'partial')).toHaveLength(1);
  });

  it.skipIf(skip)(
    'subscribe_calls: org snapshot then call_updated for the org only, phone numbers stripped',
    async () => {
      const mine = newId();
      const theirs = newId();
      await fx.backend.store.createCall({
        callId: mine,
        orgId: 'org-calls',
        driver: { id: 'd', name: 'D', phoneNumber: '+15550100' },
      });
      await seedCall(fx.backend, theirs, { orgId: 'org-other' });
      const s = await open({ org: 'org-calls' });
      s.send({ type: 'subscribe_calls' });
      const snapshot = await s.waitFor<CallsMessage>((m) => m.type === 'calls');
      expect(snapshot.calls.map((c) => c.callId)).toEqual([mine]);
      expect(snapshot.calls[0]!.driver).toEqual({ id: 'd', name: 'D' });
      const a = await appendSegments(fx.backend, mine, 1);
      const b = await appendSegments(fx.backend, theirs, 1);
      await publishEvents(fx.backend, b.call, b.events);
      await publishEvents(fx.backend, a.call, a.events);
      const update = await s.waitFor<CallUpdatedMessage>((m) => m.type === 'call_updated');
      expect(update.call).toMatchObject({ callId: mine, lastSeq: 1 });
      expect(JSON.stringify(update)).not.toContain('+15550100');
      await settle();
      expect(s.messages.filter((m) => m.type === 'call_updated')).toHaveLength(1);
    },
  );
});
