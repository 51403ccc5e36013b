// What both broadcast baselines do with a POST: the transcription webhook in, one relay-shaped frame per event out.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A baseline child's IPC: it reports where it listens and its pid, and exits when told to stop. */
export type BaselineChildMessage = { type: 'ready'; httpUrl: string; wsUrl: string; pid: number };
export type BaselineParentMessage = { type: 'stop' };

/** One event to broadcast to the watchers of `callKey` (the Twilio CallSid: the baselines have no call ids). */
export interface BaselineEvent {
  callKey: string;
  seq: number;
  /** The fields of a callrelay `segment` frame, so both sides send frames of the same size and shape. */
  message: Record<string, unknown>;
}

/**
 * Reads the form body (no signature check: the baselines have no auth), numbers the event per call like a store
 * would (1, 2, … in arrival order), hands it to `broadcast`, and answers as callrelay's webhook does
 * (`{ callId, events: [{ seq, outcome }] }`) so the same load generator checks both.
 */
export function webhookHandler(
  broadcast: (event: BaselineEvent) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const seqs = new Map<string, number>();
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString());
      const callKey = params.get('CallSid');
      if (req.method !== 'POST' || !callKey) {
        res.writeHead(400).end();
        return;
      }
      const data = JSON.parse(params.get('TranscriptionData') ?? '{}') as {
        transcript?: string;
        confidence?: number;
      };
      const seq = (seqs.get(callKey) ?? 0) + 1;
      seqs.set(callKey, seq);
      broadcast({
        callKey,
        seq,
        message: {
          type: 'segment',
          speaker: params.get('Track') === 'outbound_track' ? 'agent' : 'driver',
          text: data.transcript ?? '',
          confidence: data.confidence,
          occurredAt: params.get('Timestamp') ?? undefined,
          source: 'twilio_realtime',
          callId: callKey,
          seq,
          recordedAt: new Date().toISOString(),
        },
      });
      const body = JSON.stringify({ callId: callKey, events: [{ seq, outcome: 'appended' }] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

/** Runs a baseline child: tells the parent where it listens, stops on `stop` or when the parent goes away. */
export function serveBaseline(ready: Omit<BaselineChildMessage, 'type' | 'pid'>, close: () => void): void {
  process.on('message', (message: BaselineParentMessage) => {
    if (message.type === 'stop') {
      close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', pid: process.pid, ...ready } satisfies BaselineChildMessage);
}
