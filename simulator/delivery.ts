// Sends webhooks like the providers do: signed per attempt, retried per provider policy, with injectable faults.
import type { Logger } from '../core/support/log.ts';
import type { Random } from './rng.ts';
import { SimulatorClosedError, type Scheduler } from './scheduler.ts';
import type { DeliveryKind, RecordedDelivery } from './types.ts';

/** Twilio gives a webhook 15 s to answer before it counts as failed (error 11205). */
export const DELIVERY_TIMEOUT_MS = 15_000;

export interface RetryPolicy {
  /** Simulated-time waits before each retry (scaled by speed); its length is the number of retries. */
  retryDelaysMs: readonly number[];
  retryOn(status: number): boolean;
}

/** Twilio retries 5xx, 408, 425 and 429 (and failed connections) up to three times (error 17580). */
export const TWILIO_RETRY: RetryPolicy = {
  retryDelaysMs: [1_000, 2_000, 4_000],
  retryOn: (s) => s >= 500 || s === 408 || s === 425 || s === 429,
};

/**
 * ElevenLabs retries 5xx, 429 and 408, five attempts in all. The real schedule is 0 s, 30 s, 2 min, 8 min, 30 min;
 * the simulator keeps the shape but shortens it so tests and demos finish.
 */
export const ELEVENLABS_RETRY: RetryPolicy = {
  retryDelaysMs: [500, 1_000, 2_000, 4_000],
  retryOn: (s) => s >= 500 || s === 408 || s === 429,
};

/** Twilio does not retry the voice URL (it would go to the FallbackUrl instead). */
export const NO_RETRY: RetryPolicy = { retryDelaysMs: [], retryOn: () => false };

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  /** Public URL incl. query (what the signature covers); `deliverTo` maps it to the real target. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Delivery {
  kind: DeliveryKind;
  /** Public URL without the GET query (recorded; `build()` gives the signed one). */
  publicUrl: string;
  callSid: string | null;
  conversationId: string | null;
  label: string;
  payload: unknown;
  policy: RetryPolicy;
  /** Builds one attempt (signatures may depend on the attempt time). */
  build(): OutgoingRequest;
}

export interface DeliveryResult {
  status: number | null;
  body: string;
  contentType: string | null;
}

/** Deliveries pushed on one lane are sent one after the other, each finished (incl. retries) before the next. */
export class DeliveryLane {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly scheduler: Scheduler) {}

  push(task: () => Promise<void>): void {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    this.scheduler.run(() => next);
  }
}

export interface DelivererOptions {
  scheduler: Scheduler;
  deliverTo: (publicUrl: string) => string;
  logger: Logger;
  duplicateRate: number;
  dropRate: number;
}

export class Deliverer {
  private readonly records: RecordedDelivery[] = [];

  constructor(private readonly options: DelivererOptions) {}

  recorded(): RecordedDelivery[] {
    return this.records.map((r) => ({ ...r }));
  }

  lane(): DeliveryLane {
    return new DeliveryLane(this.options.scheduler);
  }

  /** Queues a webhook on `lane`, rolling `random` for the drop and duplicate faults. */
  enqueue(lane: DeliveryLane, delivery: Delivery, random: Random): void {
    if (random() < this.options.dropRate) {
      this.records.push(this.record(delivery, false, 'dropped', 0, null));
      this.options.logger.debug('simulator dropped a webhook', {
        kind: delivery.kind,
        label: delivery.label,
      });
      return;
    }
    const copies = random() < this.options.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) lane.push(async () => void (await this.send(delivery, i > 0)));
  }

  /** Sends now (with the delivery's retries) and returns the last response. */
  async send(delivery: Delivery, duplicate = false): Promise<DeliveryResult> {
    const { scheduler, logger } = this.options;
    const maxAttempts = delivery.policy.retryDelaysMs.length + 1;
    let last: DeliveryResult = { status: null, body: '', contentType: null };
    let attempts = 0;
    while (attempts < maxAttempts) {
      if (attempts > 0) await scheduler.sleep(delivery.policy.retryDelaysMs[attempts - 1] ?? 0);
      attempts++;
      last = await this.attempt(delivery.build());
      if (last.status !== null && last.status < 300) break;
      if (last.status !== null && !delivery.policy.retryOn(last.status)) break;
    }
    const ok = last.status !== null && last.status < 300;
    this.records.push(this.record(delivery, duplicate, ok ? 'delivered' : 'failed', attempts, last.status));
    if (!ok)
      logger.warn('simulator webhook delivery failed', {
        kind: delivery.kind,
        status: last.status,
        attempts,
      });
    return last;
  }

  private async attempt(request: OutgoingRequest): Promise<DeliveryResult> {
    const { scheduler } = this.options;
    try {
      const response = await fetch(this.options.deliverTo(request.url), {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([scheduler.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      return {
        status: response.status,
        body: await response.text(),
        contentType: response.headers.get('content-type'),
      };
    } catch (err) {
      if (scheduler.closed) throw new SimulatorClosedError();
      this.options.logger.debug('simulator webhook attempt failed', { error: String(err) });
      return { status: null, body: '', contentType: null };
    }
  }

  private record(
    d: Delivery,
    duplicate: boolean,
    outcome: RecordedDelivery['outcome'],
    attempts: number,
    status: number | null,
  ): RecordedDelivery {
    return {
      kind: d.kind,
      url: d.publicUrl,
      callSid: d.callSid,
      conversationId: d.conversationId,
      label: d.label,
      attempts,
      outcome,
      status,
      duplicate,
      payload: d.payload,
    };
  }
}
