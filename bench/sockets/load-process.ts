// Child process of the `sockets` scenario: many authenticated raw `ws` sockets subscribed to one call, timing deliveries.
import { WebSocket } from 'ws';
import { assertNever } from '../../core/support/assert-never.ts';
import type { LoadChildMessage, LoadChildSpec, LoadParentMessage } from './protocol.ts';

function send(message: LoadChildMessage): void {
  process.send?.(message);
}

const SUBSCRIBE_TIMEOUT_MS = 120_000;
/** Segment frames are recognized by this and their seq read by `SEQ`; nothing else is parsed. */
const SEGMENT_TYPE = '"type":"segment"';
const SEQ = /"seq":(\d+)/;

/**
 * Raw `ws` rather than the client library: the load process should spend as little as possible per frame, since
 * its CPU is on the same two cores as the relay's. Each socket reads only the seq of segment frames.
 */
async function main(spec: LoadChildSpec): Promise<void> {
  const n = spec.tokens.length;
  const sockets: WebSocket[] = [];
  /** seq → receive time per socket (NaN = not yet). */
  const received = new Map<number, Float64Array>();
  const counts = new Map<number, number>();
  let duplicates = 0;
  const errors: string[] = [];
  const waiters = new Map<number, () => void>();

  const onSegment = (index: number, seq: number, at: number): void => {
    let times = received.get(seq);
    if (!times) {
      times = new Float64Array(n).fill(Number.NaN);
      received.set(seq, times);
    }
    if (!Number.isNaN(times[index]!)) {
      duplicates++;
      return;
    }
    times[index] = at;
    const count = (counts.get(seq) ?? 0) + 1;
    counts.set(seq, count);
    if (count === n) waiters.get(seq)?.();
  };

  const open = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(spec.relayUrl, {
        headers: { Authorization: `Bearer ${spec.tokens[index]}` },
        localAddress: spec.localAddress,
        skipUTF8Validation: true,
      });
      sockets[index] = ws;
      let done = false;
      const finish = (error?: string): void => {
        if (done) return;
        done = true;
        if (error) errors.push(`socket ${index}: ${error}`);
        resolve();
      };
      ws.on('error', (err) => finish(err.message));
      ws.on('unexpected-response', (_req, res) => finish(`HTTP ${res.statusCode}`));
      ws.on('close', (code) => finish(`closed ${code}`));
      ws.on('message', (data: Buffer) => {
        const at = performance.timeOrigin + performance.now();
        const text = data.toString('latin1');
        if (text.includes(SEGMENT_TYPE)) {
          const m = SEQ.exec(text);
          if (m) onSegment(index, Number(m[1]), at);
          return;
        }
        if (text.includes('"type":"authenticated"'))
          ws.send(JSON.stringify({ type: 'subscribe', callId: spec.callId }));
        else if (text.includes('"type":"subscribed"')) finish();
        else if (text.includes('"type":"error"')) finish(text.slice(0, 200));
      });
    });

  // A bounded number of upgrades in flight, so the relay's accept backlog never overflows.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await open(next++);
  };
  const opened = Promise.all(Array.from({ length: Math.min(spec.openConcurrency, n) }, worker));
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, SUBSCRIBE_TIMEOUT_MS).unref());
  await Promise.race([opened, timeout]);
  const live = sockets.filter((ws) => ws?.readyState === WebSocket.OPEN).length;
  send({ type: 'subscribed', sockets: live, errors: errors.slice(0, 20) });

  const collect = async (seq: number, timeoutMs: number): Promise<void> => {
    if ((counts.get(seq) ?? 0) < n) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.set(seq, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      waiters.delete(seq);
    }
    const times = received.get(seq) ?? new Float64Array(0);
    const receivedAt = Array.from(times).filter((t) => !Number.isNaN(t));
    received.delete(seq);
    counts.delete(seq);
    send({ type: 'collected', seq, receivedAt, missing: n - receivedAt.length, duplicates });
  };
  const close = async (): Promise<void> => {
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1000);
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 5000).unref();
          }),
      ),
    );
    send({ type: 'closed' });
    process.disconnect?.();
  };
  process.on('message', (message: LoadParentMessage) => {
    switch (message.type) {
      case 'start':
        return;
      case 'collect':
        return void collect(message.seq, message.timeoutMs).catch(fail);
      case 'close':
        return void close().catch(fail);
      default:
        return assertNever(message);
    }
  });
}

process.on('disconnect', () => process.exit(0));

function fail(err: unknown): void {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
}

process.once('message', (message: LoadParentMessage) => {
  if (message.type === 'start') main(message.spec).catch(fail);
});
