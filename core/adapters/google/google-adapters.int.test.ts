// Runs the CallStore and EventBus contracts on the Firestore and Pub/Sub emulators, plus the multi-process cases.
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../../test/backends.ts';
import { AppError } from '../../support/errors.ts';
import { createLogger, type Logger } from '../../support/log.ts';
import {
  SteppingClock,
  describeCallStoreContract,
  segmentDraft,
  uid,
} from '../../ports/call-store.contract.ts';
import {
  SeqRecorder,
  describeEventBusContract,
  eventMessage,
  waitFor,
} from '../../ports/event-bus.contract.ts';
import { FirestoreCallStore } from './firestore-call-store.ts';
import { createFirestore, createPubSub } from './google-backend.ts';
import { PubSubEventBus } from './pubsub-event-bus.ts';
import { freePort } from '../../../test/emulators.ts';

const emulators = emulatorsAvailable();
const projectId = uniqueProjectId('demo-adapters');
const firestoreConfig = () => ({ projectId, firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST });
const pubsubConfig = () => ({ projectId, pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST });
const quietLogger = (lines: string[] = []): Logger =>
  createLogger({ sink: (line) => lines.push(line), level: 'DEBUG' });

describe.skipIf(!emulators)('Google adapters on the emulators', () => {
  describeCallStoreContract('firestore', async (clock) => {
    const db = createFirestore(firestoreConfig());
    return { store: new FirestoreCallStore(db, { clock }), close: () => db.terminate() };
  });

  describeEventBusContract('pubsub', async () => {
    const pubsub = createPubSub(pubsubConfig());
    const bus = new PubSubEventBus(pubsub, {
      topic: `bus-${randomUUID().slice(0, 8)}`,
      logger: quietLogger(),
    });
    await bus.ensureTopic();
    return {
      bus,
      brokenBus: async () => {
        const broken = new PubSubEventBus(pubsub, {
          topic: `missing-${randomUUID().slice(0, 8)}`,
          logger: quietLogger(),
        });
        return { bus: broken, repair: () => broken.ensureTopic() };
      },
      close: async () => {
        await bus.close();
        await pubsub.close();
      },
    };
  });

  describe('FirestoreCallStore across processes', () => {
    const WRITERS = 20;
    const clients: Firestore[] = [];
    let stores: FirestoreCallStore[];

    beforeAll(() => {
      // One Firestore client per simulated process: no shared channel, no shared in-process queueing.
      for (let i = 0; i < WRITERS; i++) clients.push(createFirestore(firestoreConfig()));
      stores = clients.map((db) => new FirestoreCallStore(db, { clock: new SteppingClock() }));
    });
    afterAll(async () => {
      await Promise.all(clients.map((db) => db.terminate()));
    });

    it(`keeps seq gapless with ${WRITERS} concurrent writers on one call`, { timeout: 180_000 }, async () => {
      const { call } = await stores[0]!.createCall({ callId: uid('race'), orgId: uid('org') });
      const perWriter = 2;
      const started = Date.now();
      const results = await Promise.all(
        stores.flatMap((store, w) =>
          Array.from({ length: perWriter }, (_, i) => store.append(call.callId, segmentDraft(`w${w}-${i}`))),
        ),
      );
      const elapsed = Date.now() - started;
      console.info(`[20-writer] ${WRITERS * perWriter} appends from ${WRITERS} clients in ${elapsed} ms`);
      const n = WRITERS * perWriter;
      const seqs = results.map((r) => (r.outcome === 'appended' ? r.event.seq : -1)).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const stored = await stores[1]!.eventsAfter(call.callId, 0);
      expect(stored.map((e) => e.seq)).toEqual(seqs);
      expect(new Set(stored.map((e) => e.dedupeKey)).size).toBe(n);
      expect((await stores[2]!.getCall(call.callId))?.lastSeq).toBe(n);
    });

    it(
      `stores one event when ${WRITERS} writers append the same dedupe key`,
      { timeout: 120_000 },
      async () => {
        const { call } = await stores[0]!.createCall({ callId: uid('dup'), orgId: uid('org') });
        const started = Date.now();
        const results = await Promise.all(
          stores.map((store) => store.append(call.callId, segmentDraft('same-delivery'))),
        );
        console.info(`[20-writer] ${WRITERS} same-key appends in ${Date.now() - started} ms`);
        expect(results.filter((r) => r.outcome === 'appended')).toHaveLength(1);
        expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(WRITERS - 1);
        const events = results.map((r) => (r.outcome === 'ignored' ? null : r.event));
        expect(new Set(events.map((e) => JSON.stringify(e))).size).toBe(1);
        expect(await stores[3]!.eventsAfter(call.callId, 0)).toHaveLength(1);
      },
    );

    it(
      `creates one call when ${WRITERS} processes resolve the same new CallSid`,
      { timeout: 60_000 },
      async () => {
        const callSid = uid('CA');
        const org = uid('org');
        const calls = await Promise.all(stores.map((store) => store.resolveCall({ callSid }, org)));
        expect(new Set(calls.map((c) => c.callId)).size).toBe(1);
        expect((await stores[0]!.listCalls(org, {}, { limit: 50 })).calls).toHaveLength(1);
      },
    );
  });

  describe('PubSubEventBus edges', () => {
    let pubsub: PubSub;
    beforeAll(() => {
      pubsub = createPubSub(pubsubConfig());
    });
    afterAll(async () => {
      await pubsub.close();
    });

    it('logs and acks a malformed message, then delivers the next one', async () => {
      const topic = `edge-${randomUUID().slice(0, 8)}`;
      const lines: string[] = [];
      const bus = new PubSubEventBus(pubsub, { topic, logger: quietLogger(lines) });
      await bus.ensureTopic();
      const rec = new SeqRecorder();
      const sub = await bus.subscribe('edge', (m) => rec.record(m));
      try {
        const raw = pubsub.topic(topic, { messageOrdering: true });
        await raw.publishMessage({ data: Buffer.from('{"type":"event"'), orderingKey: 'c1' });
        await raw.publishMessage({
          data: Buffer.from(JSON.stringify({ type: 'event', event: {} })),
          orderingKey: 'c1',
        });
        await bus.publish(eventMessage('c1', 1));
        await waitFor(() => rec.complete(['c1'], 1));
        expect(rec.received).toHaveLength(1);
        expect(lines.filter((l) => l.includes('malformed'))).toHaveLength(2);
      } finally {
        await sub.close();
        await bus.close();
      }
    });

    it('sets the attributes and ordering key subscribers route on', async () => {
      const topic = `attrs-${randomUUID().slice(0, 8)}`;
      const bus = new PubSubEventBus(pubsub, { topic, logger: quietLogger() });
      await bus.ensureTopic();
      const [sub] = await pubsub
        .topic(topic)
        .createSubscription(`${topic}-raw`, { enableMessageOrdering: true });
      try {
        const seen = new Promise<{ attributes: Record<string, string>; orderingKey: string | undefined }>(
          (resolve) =>
            sub.once(
              'message',
              (m: { attributes: Record<string, string>; orderingKey?: string; ack(): void }) => {
                m.ack();
                resolve({ attributes: m.attributes, orderingKey: m.orderingKey });
              },
            ),
        );
        await bus.publish(eventMessage('call-7', 4, 'org-7'));
        expect(await seen).toEqual({
          attributes: { type: 'event', callId: 'call-7', seq: '4', orgId: 'org-7' },
          orderingKey: 'call-7',
        });
      } finally {
        await sub.close();
        await sub.delete();
        await bus.close();
      }
    });

    it('deletes its subscription on close', async () => {
      const topic = `close-${randomUUID().slice(0, 8)}`;
      const bus = new PubSubEventBus(pubsub, { topic, logger: quietLogger() });
      await bus.ensureTopic();
      const sub = await bus.subscribe('gone', () => {});
      expect((await pubsub.subscription(`${topic}-gone`).exists())[0]).toBe(true);
      await sub.close();
      expect((await pubsub.subscription(`${topic}-gone`).exists())[0]).toBe(false);
      await bus.close();
    });

    it('fails a publish to an unreachable Pub/Sub with bus_unavailable within the publish timeout', async () => {
      const port = await freePort();
      const prev = process.env.PUBSUB_EMULATOR_HOST;
      delete process.env.PUBSUB_EMULATOR_HOST;
      const dead = createPubSub({ projectId, pubsubEmulatorHost: `127.0.0.1:${port}` });
      process.env.PUBSUB_EMULATOR_HOST = prev;
      const bus = new PubSubEventBus(dead, {
        topic: 'nowhere',
        logger: quietLogger(),
        publishTimeoutMs: 2_000,
      });
      const started = Date.now();
      try {
        const err: unknown = await bus.publish(eventMessage('c-dead', 1)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('bus_unavailable');
        expect(Date.now() - started).toBeLessThan(4_000);
      } finally {
        await dead.close();
      }
    });
  });
});
