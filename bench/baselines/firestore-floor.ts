// Baseline child: the floor under callrelay's Google path. `ingest` does per webhook only the Firestore transaction
// and the Pub/Sub publish callrelay's ingest needs; `pubsub` forwards the topic to WebSocket clients; `snapshot` is
// the relay-less alternative, Firestore `onSnapshot` listeners forwarding new event documents to WebSocket clients.
import { Firestore, type Transaction } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { failBaseline, serveBaseline } from './baseline-handle.ts';

export interface FloorSpec {
  role: 'ingest' | 'pubsub' | 'snapshot';
  projectId: string;
  topic: string;
  /** ingest: publish after the commit (false when only `snapshot` consumes). */
  publish?: boolean;
  /** snapshot: the calls (CallSids) to listen to. */
  callIds?: string[];
}

/** What the consumers send each WebSocket client per stored event. */
export interface FloorEvent {
  callId: string;
  seq: number;
  text: string;
}

const CREDENTIALS = { client_email: 'emulator@callrelay.invalid', private_key: 'emulator' };

function firestore(projectId: string): Firestore {
  return new Firestore({
    projectId,
    ignoreUndefinedProperties: true,
    host: process.env.FIRESTORE_EMULATOR_HOST,
    ssl: false,
    credentials: CREDENTIALS,
  });
}

function pubsub(projectId: string): PubSub {
  return new PubSub({
    projectId,
    apiEndpoint: process.env.PUBSUB_EMULATOR_HOST,
    emulatorMode: true,
    credentials: CREDENTIALS,
  });
}

async function ingest(spec: FloorSpec): Promise<void> {
  const db = firestore(spec.projectId);
  const ps = pubsub(spec.projectId);
  // No batching linger, as callrelay publishes (the client's default waits 10 ms for more messages).
  const topic = ps.topic(spec.topic, { messageOrdering: true, batching: { maxMilliseconds: 0 } });
  await topic.create().catch((err: { code?: number }) => {
    if (err.code !== 6) throw err;
  });
  // One write at a time per call, as callrelay does: concurrent transactions on one document only abort each other.
  const lanes = new Map<string, Promise<unknown>>();
  const append = async (callId: string, dedupeKey: string, text: string): Promise<number> => {
    const callRef = db.collection('calls').doc(callId);
    const dedupeRef = callRef.collection('dedupe').doc(dedupeKey);
    return db.runTransaction(async (tx: Transaction) => {
      const [call, seen] = await tx.getAll(callRef, dedupeRef);
      const previous = seen?.data() as { seq: number } | undefined;
      if (previous) return previous.seq;
      const seq = ((call?.data() as { lastSeq?: number } | undefined)?.lastSeq ?? 0) + 1;
      tx.create(callRef.collection('events').doc(String(seq).padStart(10, '0')), { callId, seq, text });
      tx.create(dedupeRef, { seq });
      tx.set(callRef, { lastSeq: seq }, { merge: true });
      return seq;
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const callId = form.get('CallSid') ?? '';
    const dedupeKey = `${form.get('TranscriptionSid')}:${form.get('SequenceId')}`;
    const text =
      (JSON.parse(form.get('TranscriptionData') ?? '{}') as { transcript?: string }).transcript ?? '';
    const previous = lanes.get(callId) ?? Promise.resolve();
    const stored = previous.then(() => append(callId, dedupeKey, text));
    const tail = stored.catch(() => undefined);
    lanes.set(callId, tail);
    void tail.then(() => lanes.get(callId) === tail && lanes.delete(callId));
    const seq = await stored;
    if (spec.publish !== false) {
      const event: FloorEvent = { callId, seq, text };
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(event)), orderingKey: callId });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, callId, events: [{ outcome: 'appended', seq }] }));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(503);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  serveBaseline(`http://127.0.0.1:${port}`, async () => {
    server.close();
    await topic.flush();
    await Promise.all([ps.close(), db.terminate()]);
  });
}

async function forwarder(spec: FloorSpec): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const broadcast = (data: string): void => {
    for (const ws of wss.clients) ws.send(data);
  };
  let close: () => Promise<void>;
  if (spec.role === 'pubsub') {
    const ps = pubsub(spec.projectId);
    const topic = ps.topic(spec.topic);
    await topic.create().catch((err: { code?: number }) => {
      if (err.code !== 6) throw err;
    });
    const [subscription] = await topic.createSubscription(`${spec.topic}-floor-${process.pid}`, {
      enableMessageOrdering: true,
    });
    subscription.on('message', (m: { data: Buffer; ack(): void }) => {
      broadcast(m.data.toString());
      m.ack();
    });
    close = async () => {
      await subscription.close();
      await subscription.delete().catch(() => undefined);
      await ps.close();
    };
  } else {
    const db = firestore(spec.projectId);
    const stops = (spec.callIds ?? []).map((callId) =>
      db
        .collection('calls')
        .doc(callId)
        .collection('events')
        .onSnapshot((snap) => {
          for (const change of snap.docChanges()) {
            if (change.type === 'added') broadcast(JSON.stringify(change.doc.data() as FloorEvent));
          }
        }),
    );
    close = async () => {
      for (const stop of stops) stop();
      await db.terminate();
    };
  }
  const { port } = wss.address() as AddressInfo;
  serveBaseline(`ws://127.0.0.1:${port}`, async () => {
    wss.close();
    await close();
  });
}

const spec = JSON.parse(process.argv[2] ?? '{}') as FloorSpec;
(spec.role === 'ingest' ? ingest(spec) : forwarder(spec)).catch(failBaseline);
