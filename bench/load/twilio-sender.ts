// Posts signed Twilio transcription-content webhooks (Final=true) over keep-alive HTTP, retrying like Twilio on 5xx.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { WEBHOOK_PATHS } from '../../functions/webhooks/webhook-deps.ts';
import {
  transcriptionParams,
  twilioRequest,
  type SignedRequest,
} from '../../functions/webhooks/webhook.test-kit.ts';

/** Attempts per webhook: the first plus retries on 5xx / connection errors, as a provider would. */
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 50;

export interface PostResult {
  /** performance.now() when the first attempt's request was handed to the socket. */
  sentAt: number;
  /** Until the last attempt's response was read. */
  durationMs: number;
  status: number;
  attempts: number;
  callId?: string;
  /** Seq the segment was stored as (appended or duplicate). */
  seq?: number;
  outcome?: string;
}

interface WebhookAnswer {
  callId?: unknown;
  events?: Array<{ outcome?: unknown; seq?: unknown }>;
}

export class TwilioSender {
  private readonly agent: Agent;
  private readonly origin: URL;
  /** Responses per status code, over all attempts. */
  readonly statuses = new Map<number, number>();
  retries = 0;

  constructor(baseUrl: string, maxSockets: number) {
    this.origin = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * One final transcript segment of `callSid`; `sequenceId` must be unique per call (it is the dedupe key).
   * `onSend` gets the send time synchronously, before the request is written, so a subscriber that receives the
   * segment before the HTTP response arrives can already be timed against it. `query` (e.g. `callId=…`) is added
   * to the URL, as on the transcription callback URL callrelay gives Twilio for the calls it starts.
   */
  async sendSegment(
    callSid: string,
    sequenceId: number,
    text: string,
    onSend?: (sentAt: number) => void,
    query?: string,
  ): Promise<PostResult> {
    const signed = twilioRequest(
      WEBHOOK_PATHS.twilioTranscription,
      transcriptionParams(callSid, sequenceId, { final: true, text, track: 'inbound_track' }),
      query ? { query } : {},
    );
    return this.sendSigned(signed, onSend);
  }

  /** Any signed webhook (status callbacks, partials), posted and retried like `sendSegment`. */
  async sendSigned(signed: SignedRequest, onSend?: (sentAt: number) => void): Promise<PostResult> {
    const sentAt = performance.now();
    onSend?.(sentAt);
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(signed.path, signed.headers, signed.body).catch(() => ({
        status: 0,
        body: '',
      }));
      this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
      const retryable = answer.status === 0 || answer.status >= 500;
      if (!retryable || attempt === MAX_ATTEMPTS) {
        return {
          sentAt,
          durationMs: performance.now() - sentAt,
          status: answer.status,
          attempts: attempt,
          ...read(answer.body),
        };
      }
      this.retries++;
      await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)));
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private post(
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.origin.hostname,
          port: this.origin.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function read(body: string): Pick<PostResult, 'callId' | 'seq' | 'outcome'> {
  let parsed: WebhookAnswer | null;
  try {
    parsed = JSON.parse(body) as WebhookAnswer | null;
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const first = parsed.events?.[0];
  return {
    ...(typeof parsed.callId === 'string' ? { callId: parsed.callId } : {}),
    ...(typeof first?.seq === 'number' ? { seq: first.seq } : {}),
    ...(typeof first?.outcome === 'string' ? { outcome: first.outcome } : {}),
  };
}
