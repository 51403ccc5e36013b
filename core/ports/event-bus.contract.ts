// The EventBus contract as one vitest suite, run against every adapter (memory always, Pub/Sub on the emulator).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../domain/call.ts';
import type { CallEvent } from '../domain/call-event.ts';
import { AppError } from '../support/errors.ts';
import type { BusMessage, BusRoute, BusSubscription, EventBus } from './event-bus.ts';

export interface EventBusFixture {
  bus: EventBus;
  /**
   * A bus whose publishes really fail (memory: the `failPublishes` seam; Pub/Sub: a topic that does not exist), and
   * `repair()` that makes the same bus instance work again (clear the seam; create the topic).
   */
  brokenBus(): Promise<{ bus: EventBus; repair(): Promise<void> }>;
  close?: () => Promise<void>;
}

/** How long to wait for deliveries; the emulator needs a moment, memory is immediate. */
const DELIVERY_TIMEOUT_MS = 20_000;

export async function waitFor(check: () => boolean, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function eventMessage(callId: string, seq: number, orgId = 'org-bus'): BusMessage {
  const event: CallEvent = {
    kind: 'segment',
    speaker: 'driver',
    text: `line ${seq}`,
    source: 'twilio_realtime',
    callId,
    seq,
    dedupeKey: `k:${callId}:${seq}`,
    recordedAt: '2030-01-01T00:00:00.000Z',
  };
  const call: Call = {
    callId,
    orgId,
    triggers: [],
    status: 'in-progress',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    lastSeq: seq,
  };
  return { type: 'event', event, call };
}

/**
 * Collects what a subscriber sees and checks the relay's invariant per call: each seq is either a duplicate of one
 * already seen or exactly the next one, never a jump ahead.
 */
export class SeqRecorder {
  readonly received: BusMessage[] = [];
  readonly lastSeq = new Map<string, number>();
  readonly violations: string[] = [];

  record(message: BusMessage): void {
    this.received.push(message);
    if (message.type !== 'event') return;
    const { callId, seq } = message.event;
    const last = this.lastSeq.get(callId) ?? 0;
    if (seq > last + 1) this.violations.push(`${callId}: got ${seq} after ${last}`);
    if (seq === last + 1) this.lastSeq.set(callId, seq);
  }

  complete(callIds: string[], n: number): boolean {
    return callIds.every((id) => this.lastSeq.get(id) === n);
  }
}

const subscriberName = (): string => `t${randomUUID().slice(0, 12)}`;

/** Registers the EventBus contract suite for one adapter. */
export function describeEventBusContract(name: string, makeBus: () => Promise<EventBusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: EventBusFixture;
    let bus: EventBus;
    const open: BusSubscription[] = [];

    beforeAll(async () => {
      fixture = await makeBus();
      bus = fixture.bus;
    });
    afterAll(async () => {
      await Promise.all(open.map((s) => s.close()));
      await fixture?.close?.();
    });

    async function subscribe(handler: (m: BusMessage) => Promise<void> | void): Promise<BusSubscription> {
      const sub = await bus.subscribe(subscriberName(), handler);
      open.push(sub);
      return sub;
    }

    it('delivers each call in publish order to every subscriber (3 calls x 30 events, interleaved)', async () => {
      const recorders = [new SeqRecorder(), new SeqRecorder()];
      for (const rec of recorders) {
        // Uneven handler latency: a bus that runs handlers concurrently would reorder.
        await subscribe(async (m) => {
          await sleep(Math.floor(Math.random() * 4));
          rec.record(m);
        });
      }
      const callIds = [0, 1, 2].map((i) => `order${i}_${randomUUID().slice(0, 8)}`);
      const publishes: Promise<void>[] = [];
      for (let seq = 1; seq <= 30; seq++)
        for (const id of callIds) publishes.push(bus.publish(eventMessage(id, seq)));
      await Promise.all(publishes);
      for (const rec of recorders) {
        await waitFor(() => rec.complete(callIds, 30));
        expect(rec.violations).toEqual([]);
      }
    });

    it('carries partials and the call snapshot intact', async () => {
      const rec = new SeqRecorder();
      await subscribe((m) => rec.record(m));
      const callId = `partial_${randomUUID().slice(0, 8)}`;
      const partial: BusMessage = {
        type: 'partial',
        orgId: 'org-p',
        partial: { kind: 'partial', callId, speaker: 'agent', text: 'hel', stability: 0.5 },
      };
      const event = eventMessage(callId, 1, 'org-p');
      await bus.publish(partial);
      await bus.publish(event);
      await waitFor(() => rec.received.length >= 2);
      expect(rec.received.slice(0, 2)).toEqual([partial, event]);
    });

    it("drops what the subscriber's interest check refuses, before decoding, and delivers the rest in order", async () => {
      const wanted = new SeqRecorder();
      const all = new SeqRecorder();
      const routes: BusRoute[] = [];
      const orgA = `org-a-${randomUUID().slice(0, 6)}`;
      const orgB = `org-b-${randomUUID().slice(0, 6)}`;
      const sub = await bus.subscribe(subscriberName(), (m) => wanted.record(m), {
        wants: (route) => {
          if (route.orgId === orgA || route.orgId === orgB) routes.push(route);
          return route.orgId === orgA;
        },
      });
      open.push(sub);
      await subscribe((m) => all.record(m));
      const callA = `wantA_${randomUUID().slice(0, 8)}`;
      const callB = `wantB_${randomUUID().slice(0, 8)}`;
      const partialB: BusMessage = {
        type: 'partial',
        orgId: orgB,
        partial: { kind: 'partial', callId: callB, speaker: 'driver', text: 'hm', stability: 0.5 },
      };
      for (let seq = 1; seq <= 10; seq++) {
        await bus.publish(eventMessage(callA, seq, orgA));
        await bus.publish(eventMessage(callB, seq, orgB));
      }
      await bus.publish(partialB);
      await waitFor(() => wanted.complete([callA], 10) && all.complete([callA, callB], 10));
      await waitFor(() => all.received.some((m) => m.type === 'partial'));
      expect(wanted.violations).toEqual([]);
      expect(wanted.received.every((m) => m.type === 'event' && m.call.orgId === orgA)).toBe(true);
      // The check sees each message's route (type, org, call) without the body.
      expect(routes).toContainEqual({ type: 'event', orgId: orgB, callId: callB });
      expect(routes).toContainEqual({ type: 'partial', orgId: orgB, callId: callB });
      expect(routes).toContainEqual({ type: 'event', orgId: orgA, callId: callA });
    });

    it('redelivers a message whose handler threw, keeping the call in order', async () => {
      const rec = new SeqRecorder();
      let failures = 0;
      await subscribe((m) => {
        if (m.type === 'event' && m.event.seq === 3 && failures === 0) {
          failures++;
          throw new Error('transient handler failure');
        }
        rec.record(m);
      });
      const callId = `redeliver_${randomUUID().slice(0, 8)}`;
      await Promise.all([1, 2, 3, 4, 5].map((seq) => bus.publish(eventMessage(callId, seq))));
      await waitFor(() => rec.complete([callId], 5));
      expect(failures).toBe(1);
      expect(rec.violations).toEqual([]);
    });

    it('stops delivering to a closed subscription', async () => {
      const rec = new SeqRecorder();
      const sub = await subscribe((m) => rec.record(m));
      const callId = `closed_${randomUUID().slice(0, 8)}`;
      await bus.publish(eventMessage(callId, 1));
      await waitFor(() => rec.received.length === 1);
      await sub.close();
      await bus.publish(eventMessage(callId, 2));
      await sleep(500);
      expect(rec.received).toHaveLength(1);
    });

    it("keeps a consumer group's messages while no consumer is attached and delivers them in order to the next", async () => {
      const group = subscriberName();
      const first = new SeqRecorder();
      const firstConsumer = await bus.consume(group, (m) => first.record(m));
      const callId = `group_${randomUUID().slice(0, 8)}`;
      await bus.publish(eventMessage(callId, 1));
      await waitFor(() => first.received.length === 1);
      await firstConsumer.close();
      // Published while the group has no consumer (a worker restarting): kept, not lost.
      await Promise.all([2, 3, 4].map((seq) => bus.publish(eventMessage(callId, seq))));
      const seqs: number[] = [];
      open.push(
        await bus.consume(group, (m) => {
          if (m.type === 'event') seqs.push(m.event.seq);
        }),
      );
      await waitFor(() => seqs.includes(4));
      // At least once and in order: duplicates may repeat a seq, but never go back past a later one.
      expect([...new Set(seqs)]).toEqual([2, 3, 4]);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(first.received).toHaveLength(1);
    });

    it('refuses a second consumer of one group on the same bus', async () => {
      const group = subscriberName();
      open.push(await bus.consume(group, () => {}));
      await expect(bus.consume(group, () => {})).rejects.toThrow(TypeError);
    });

    it('rejects a duplicate subscriber name', async () => {
      const name = subscriberName();
      open.push(await bus.subscribe(name, () => {}));
      await expect(bus.subscribe(name, () => {})).rejects.toThrow(TypeError);
    });

    it('fails a publish with bus_unavailable and keeps that call publishable afterwards', async () => {
      const broken = await fixture.brokenBus();
      const callId = `broken_${randomUUID().slice(0, 8)}`;
      const err: unknown = await broken.bus.publish(eventMessage(callId, 1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('bus_unavailable');

      await broken.repair();
      const rec = new SeqRecorder();
      const sub = await broken.bus.subscribe(subscriberName(), (m) => rec.record(m));
      open.push(sub);
      await broken.bus.publish(eventMessage(callId, 1));
      await broken.bus.publish(eventMessage(callId, 2));
      await waitFor(() => rec.complete([callId], 2));
    });
  });
}
