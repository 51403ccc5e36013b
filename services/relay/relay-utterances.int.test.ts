// Latest utterances on the call list over a real relay and real ws clients: coalescing, org isolation, backpressure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import type { Backend } from '../../core/ports/backend.ts';
import type { LiveUtterance, UtterancesMessage } from '../../core/protocol/relay-messages.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  appendSegments,
  publishEvents,
  seedCall,
  startRelay,
  TestSocket,
  type RelayFixture,
} from './relay.test-kit.ts';

/** Long enough that a burst of publishes lands inside one interval even on a busy machine and the emulators. */
const INTERVAL_MS = 1500;
/** Enough for a wrongly delivered extra frame to arrive before we assert its absence. */
const settle = (ms = 2 * INTERVAL_MS) => new Promise((r) => setTimeout(r, ms));

const utterances = (s: TestSocket): LiveUtterance[] =>
  s.messages.flatMap((m) => (m.type === 'utterances' ? (m as UtterancesMessage).utterances : []));
const frames = (s: TestSocket) => s.messages.filter((m) => m.type === 'utterances').length;

let seq = 0;
const newCallId = (tag: string) =>
  `call_utt${tag}${(++seq).toString().padStart(4, '0')}${Date.now() % 100000}`;

async function publishPartial(backend: Backend, call: Call, text: string, at: number): Promise<void> {
  await backend.bus.publish({
    type: 'partial',
    orgId: call.orgId,
    partial: { kind: 'partial', callId: call.callId, speaker: 'driver', text },
    position: { stream: `TS${call.callId}:driver`, at },
  });
}

async function boardSocket(fx: RelayFixture, org = 'org-a', withUtterances = true): Promise<TestSocket> {
  const s = await TestSocket.open(fx.url, await fx.token({ org }));
  s.send(withUtterances ? { type: 'subscribe_calls', utterances: true } : { type: 'subscribe_calls' });
  await s.waitFor((m) => m.type === 'calls');
  return s;
}

describe.each(BACKENDS)('relay latest utterances (%s backend)', (backendName) => {
  const skip = backendName === 'google' && !emulatorsAvailable();
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  const track = (s: TestSocket) => (sockets.push(s), s);

  beforeAll(async () => {
    if (!skip)
      fx = await startRelay(backendName, { utteranceIntervalMs: INTERVAL_MS, maxBufferedBytes: 256 * 1024 });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await fx?.close();
  });

  it.skipIf(skip)(
    'coalesces a burst of partials per call (latest wins), then the final segment',
    async () => {
      const a = await seedCall(fx.backend, newCallId('a'));
      const b = await seedCall(fx.backend, newCallId('b'));
      const s = track(await boardSocket(fx));
      const started = Date.now();
      for (let i = 1; i <= 20; i++) {
        await publishPartial(fx.backend, a.call, `a words ${i}`, i);
        await publishPartial(fx.backend, b.call, `b words ${i}`, i);
      }
      await s.waitFor(
        (m) => m.type === 'utterances' && m.utterances.some((u) => u.text === 'a words 20'),
        20_000,
      );
      await s.waitFor(() => utterances(s).some((u) => u.text === 'b words 20'), 20_000);
      const elapsed = Date.now() - started;
      // One frame per interval at most (plus the first, which may leave at once), each with one entry per call.
      expect(frames(s)).toBeLessThanOrEqual(2 + Math.ceil(elapsed / INTERVAL_MS));
      expect(frames(s)).toBeLessThan(40);
      for (const m of s.messages) {
        if (m.type !== 'utterances') continue;
        const ids = m.utterances.map((u) => u.callId);
        expect(new Set(ids).size).toBe(ids.length);
      }
      // Words of one call never step back.
      for (const call of [a.call, b.call]) {
        const numbers = utterances(s)
          .filter((u) => u.callId === call.callId)
          .map((u) => Number(u.text.split(' ').pop()));
        expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
      }
      // The stored segment follows as a final utterance; its redelivery does not show again.
      const { call, events } = await appendSegments(fx.backend, a.call.callId, 1, () => 'final words');
      await publishEvents(fx.backend, call, events);
      const final = await s.waitFor<UtterancesMessage>(
        (m) => m.type === 'utterances' && m.utterances.some((u) => u.final),
        20_000,
      );
      expect(final.utterances.find((u) => u.final)).toMatchObject({
        callId: a.call.callId,
        text: 'final words',
        final: true,
        seq: events[0]!.seq,
        speaker: 'driver',
      });
      const before = frames(s);
      await publishEvents(fx.backend, call, events);
      await publishPartial(fx.backend, a.call, 'a words 3', 3); // a replayed partial
      await settle();
      expect(frames(s)).toBe(before);
    },
  );

  it.skipIf(skip)("reaches only sockets of the call's org that asked for utterances", async () => {
    const a = await seedCall(fx.backend, newCallId('i'), { orgId: 'org-a' });
    const mine = track(await boardSocket(fx, 'org-a'));
    const plain = track(await boardSocket(fx, 'org-a', false));
    const other = track(await boardSocket(fx, 'org-b'));
    await publishPartial(fx.backend, a.call, 'only for org a', 1);
    // A call started after the snapshot: known as org-a's from its first durable event on.
    const later = await seedCall(fx.backend, newCallId('j'), { orgId: 'org-a' });
    await publishPartial(fx.backend, later.call, 'before any event', 1);
    const first = await appendSegments(fx.backend, later.call.callId, 1, () => 'first segment');
    await publishEvents(fx.backend, first.call, first.events);
    await publishPartial(fx.backend, later.call, 'after its event', 2);
    // A partial whose bus org differs from the socket's never reaches it, whatever the call id.
    await fx.backend.bus.publish({
      type: 'partial',
      orgId: 'org-b',
      partial: { kind: 'partial', callId: a.call.callId, speaker: 'driver', text: 'spoofed' },
    });
    await mine.waitFor(() => utterances(mine).some((u) => u.text === 'only for org a'), 20_000);
    await mine.waitFor(() => utterances(mine).some((u) => u.text === 'after its event'), 20_000);
    await settle();
    expect(utterances(mine).map((u) => u.text)).not.toContain('spoofed');
    expect(utterances(mine).map((u) => u.text)).not.toContain('before any event');
    expect(frames(plain)).toBe(0);
    expect(utterances(other).map((u) => u.text)).not.toContain('only for org a');
    expect(JSON.stringify(other.messages)).not.toContain(a.call.callId);
    // Org state lives only while a socket wants it.
    expect(fx.relay.hub.utteranceOrgCount).toBeGreaterThan(0);
  });

  it.skipIf(skip)(
    'a socket that stops reading is not sent more: it is not closed, and gets the latest words',
    async () => {
      // A fast relay, so frames are not coalesced away by the interval and the stalled socket really backs up.
      const fast = await startRelay(
        backendName,
        { utteranceIntervalMs: 10, maxBufferedBytes: 256 * 1024 },
        { backend: fx.backend },
      );
      try {
        const calls = await Promise.all([1, 2, 3, 4].map((i) => seedCall(fx.backend, newCallId(`p${i}`))));
        const s = track(await boardSocket(fast));
        s.ws.pause();
        // ~24 MiB of words towards a socket with a 256 KiB ceiling, one frame's worth every ~12 ms: without
        // backpressure the relay would queue it all and close the socket with 4008.
        const filler = 'x'.repeat(32 * 1024);
        const ROUNDS = 192;
        for (let i = 1; i <= ROUNDS; i++) {
          await Promise.all(calls.map(({ call }) => publishPartial(fx.backend, call, `${i} ${filler}`, i)));
          await new Promise((r) => setTimeout(r, 12));
        }
        s.ws.resume();
        for (const { call } of calls) {
          await s.waitFor(
            () => utterances(s).some((u) => u.callId === call.callId && u.text.startsWith(`${ROUNDS} `)),
            30_000,
          );
        }
        expect(s.ws.readyState).toBe(s.ws.OPEN);
      } finally {
        await fast.close();
      }
    },
    120_000,
  );
});
