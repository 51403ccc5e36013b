// Child entry: many cheap raw `ws` clients watching calls on one target; verifies every socket gets 1..n once, in order.
import { WebSocket, type RawData } from 'ws';
import type { ClientChildMessage, ClientParentMessage, ClientProcessSpec } from './fanout-client-protocol.ts';

/** Sockets being opened at once: more would overflow the server's accept backlog. */
const OPENING_AT_ONCE = 100;
const READY_TIMEOUT_MS = 120_000;
const PROBLEMS_LISTED = 10;

const spec = JSON.parse(process.argv[2] ?? '{}') as ClientProcessSpec;
const n = spec.sockets.length;
/** Next seq each socket expects. */
const next = new Int32Array(n).fill(1);
const sockets: WebSocket[] = [];
const problems: string[] = [];
let moreProblems = 0;
let deliveries = 0;
let lastDeliveryAt = 0;
let frameBytes = 0;
let subscribed = 0;
/** Frames that are neither events nor control (a relay sending more than the events would show here). */
let otherFrames = 0;
let expected: number[] | undefined;
let incomplete = 0;
let finished = false;

function send(message: ClientChildMessage): void {
  process.send?.(message);
}

function problem(text: string): void {
  if (problems.length < PROBLEMS_LISTED) problems.push(text);
  else moreProblems++;
}

/** One event frame for socket `i`: must be exactly the next seq of its call. */
function onEvent(i: number, seq: unknown, bytes: number): void {
  deliveries++;
  lastDeliveryAt = Date.now();
  frameBytes = bytes;
  const want = next[i]!;
  if (seq !== want) {
    problem(`socket ${i} call ${spec.calls[spec.sockets[i]!]}: got seq ${String(seq)}, expected ${want}`);
    if (typeof seq !== 'number' || seq < want) return;
  }
  next[i] = (seq as number) + 1;
  if (expected && !finished) {
    const last = expected[spec.sockets[i]!]!;
    if ((seq as number) === last) {
      if (--incomplete === 0) finish();
    } else if ((seq as number) > last) problem(`socket ${i}: seq ${String(seq)} past the last one (${last})`);
  }
}

function onSubscribed(): void {
  if (++subscribed !== n) return;
  clearTimeout(readyTimer);
  send({ type: 'ready', pid: process.pid });
}

function open(i: number): Promise<void> {
  const key = spec.calls[spec.sockets[i]!]!;
  const url =
    spec.protocol === 'bare-ws'
      ? `${spec.url}?call=${encodeURIComponent(key)}`
      : spec.protocol === 'socketio'
        ? `${spec.url}?EIO=4&transport=websocket`
        : spec.url;
  const ws = new WebSocket(url, {
    localAddress: spec.localAddress,
    perMessageDeflate: false,
    ...(spec.token ? { headers: { authorization: `Bearer ${spec.token}` } } : {}),
  });
  sockets[i] = ws;
  const onMessage = handlerFor(i, ws, key);
  ws.on('message', (data: RawData) => onMessage((data as Buffer).toString()));
  ws.on('error', (err) => problem(`socket ${i}: ${err.message}`));
  ws.on('close', (code) => {
    if (!finished) problem(`socket ${i} closed by the server (${code})`);
  });
  return new Promise((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });
}

function handlerFor(i: number, ws: WebSocket, key: string): (text: string) => void {
  switch (spec.protocol) {
    case 'relay':
      ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', callId: key })));
      return (text) => {
        const m = JSON.parse(text) as { type: string; seq?: number; callId?: string; code?: string };
        if (m.type === 'segment')
          onEvent(i, m.callId === key ? m.seq : `${m.seq} of ${m.callId}`, text.length);
        else if (m.type === 'subscribed') onSubscribed();
        else if (m.type === 'error') problem(`socket ${i}: relay error ${m.code}`);
        else if (m.type !== 'authenticated') otherFrames++;
      };
    case 'bare-ws':
      return (text) => {
        const m = JSON.parse(text) as { type: string; seq?: number };
        if (m.type === 'segment') onEvent(i, m.seq, text.length);
        else if (m.type === 'subscribed') onSubscribed();
        else otherFrames++;
      };
    case 'socketio':
      // Engine.IO 4 / Socket.IO 5 packets over a plain WebSocket: 0 open, 40 connect, 2 ping, 42 event, 43 ack.
      return (text) => {
        if (text === '2') ws.send('3');
        else if (text.startsWith('42')) {
          const [, m] = JSON.parse(text.slice(2)) as [string, { seq?: number }];
          onEvent(i, m.seq, text.length);
        } else if (text.startsWith('430')) onSubscribed();
        else if (text.startsWith('40')) ws.send(`420${JSON.stringify(['join', key])}`);
        else if (text.startsWith('0')) ws.send('40');
        else otherFrames++;
      };
  }
}

function finish(): void {
  if (finished) return;
  finished = true;
  clearTimeout(expiry);
  if (expected) {
    for (let i = 0; i < n; i++) {
      const last = expected[spec.sockets[i]!]!;
      if (next[i]! <= last) problem(`socket ${i}: missing seqs ${next[i]}..${last}`);
    }
  }
  send({
    type: 'done',
    deliveries,
    lastDeliveryAt,
    complete: n - incomplete,
    problems,
    moreProblems,
    frameBytes,
    otherFrames,
  });
}

let expiry: NodeJS.Timeout | undefined;
const readyTimer = setTimeout(() => {
  send({
    type: 'failed',
    message: `${n - subscribed} of ${n} sockets not subscribed; ${problems.join('; ')}`,
  });
}, READY_TIMEOUT_MS);

process.on('message', (message: ClientParentMessage) => {
  if (message.type === 'close') {
    finished = true;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  expected = message.lastSeq;
  incomplete = 0;
  for (let i = 0; i < n; i++) if (next[i]! <= expected[spec.sockets[i]!]!) incomplete++;
  if (incomplete === 0) finish();
  else expiry = setTimeout(finish, message.timeoutMs);
});
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  let cursor = 0;
  const opener = async (): Promise<void> => {
    while (cursor < n) await open(cursor++);
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, n) }, opener));
  if (subscribed < n && problems.length) {
    // Closed while opening: report it rather than waiting for the timeout.
    const closed = sockets.filter((ws) => ws.readyState !== WebSocket.OPEN).length;
    if (closed) send({ type: 'failed', message: `${closed} sockets failed to open: ${problems.join('; ')}` });
  }
}

main().catch((err: unknown) => send({ type: 'failed', message: String(err) }));
