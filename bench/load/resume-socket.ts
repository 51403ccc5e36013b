// One resume as a reconnecting client does it, on a raw `ws` socket: connect, subscribe after a seq, read to the end.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';

export interface ResumeRun {
  /** New socket → `subscribed` frame. */
  subscribedMs: number;
  /** New socket → the frame of `untilSeq` read: the time a resuming client needs to be caught up. */
  caughtUpMs: number;
  /** Event frames received, in order (no client library in between: duplicates and gaps stay visible). */
  seqs: number[];
  /** The `lastSeq` the relay announced in `subscribed`. */
  announcedLastSeq: number;
}

/**
 * Opens a new socket with `token` (Bearer header), subscribes to `callId` after `afterSeq` and resolves once the event
 * with `untilSeq` arrived; rejects on a relay `error` frame, a close, or after `timeoutMs`. The socket is closed.
 */
export function resumeOnce(
  relayUrl: string,
  token: string,
  callId: string,
  afterSeq: number,
  untilSeq: number,
  timeoutMs: number,
): Promise<ResumeRun> {
  const start = performance.now();
  const socket = new WebSocket(relayUrl, { headers: { authorization: `Bearer ${token}` } });
  const seqs: number[] = [];
  let subscribedMs: number | undefined;
  let announcedLastSeq = -1;
  return new Promise<ResumeRun>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`resume not caught up within ${timeoutMs} ms (got ${seqs.length} events)`)),
      timeoutMs,
    );
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.close();
      if (error) return reject(error);
      resolve({
        subscribedMs: subscribedMs ?? 0,
        caughtUpMs: performance.now() - start,
        seqs,
        announcedLastSeq,
      });
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', callId, afterSeq })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type?: string;
        callId?: string;
        seq?: unknown;
        lastSeq?: number;
        code?: string;
      };
      if (message.type === 'error') return finish(new Error(`relay error ${message.code ?? '?'}`));
      if (message.callId !== callId) return;
      if (message.type === 'subscribed') {
        subscribedMs = performance.now() - start;
        announcedLastSeq = message.lastSeq ?? -1;
        return;
      }
      if (typeof message.seq !== 'number') return;
      seqs.push(message.seq);
      if (message.seq >= untilSeq) finish();
    });
    socket.on('close', (code) => finish(new Error(`socket closed (${code}) before catching up`)));
    socket.on('error', (err) => finish(err));
  });
}
