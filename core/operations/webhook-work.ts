// Outbound webhooks as a worker capability: bus messages become deliveries; due deliveries are signed and sent.
import {
  signingSecrets,
  WEBHOOK_LIMITS,
  type WebhookAttempt,
  type WebhookEndpoint,
} from '../domain/webhook.ts';
import type { Clock } from '../support/clock.ts';
import type { WebhookConfig } from '../support/config.ts';
import type { Logger } from '../support/log.ts';
import type { BusMessage } from '../ports/event-bus.ts';
import { withAttempt } from '../ports/webhook-endpoints.ts';
import type { WebhookTransport } from '../ports/webhook-transport.ts';
import type { DueItem } from '../ports/due-work.ts';
import { DUE_KINDS, type WebhookDeliveryWork } from './due-kinds.ts';
import type { DueOutcome } from './due-work-runner.ts';
import { enqueueDelivery, type DeliveryDeps } from './webhook-deliveries.ts';
import { webhookEventsOf } from './webhook-events.ts';
import { webhookHeaders } from './webhook-signature.ts';
import type { WorkModule } from './work-module.ts';

export interface WebhookWorkDeps extends DeliveryDeps {
  transport: WebhookTransport;
  clock: Clock;
  logger: Logger;
  config: Pick<WebhookConfig, 'retryDelaysSecs' | 'disableAfterSecs'>;
  /** Attempts to one endpoint running at once in this process (default `WEBHOOK_LIMITS.inFlightPerEndpoint`). */
  inFlightPerEndpoint?: number;
}

/** How long a delivery waits when its endpoint already has its cap of attempts running. */
const BUSY_ENDPOINT_WAIT_MS = 1_000;

/**
 * The outbound webhooks capability. `onBusMessage` turns each message into its events and creates one delivery per
 * (event, active subscribed endpoint), idempotently. `webhook_delivery` items make one attempt each: signed with the
 * endpoint's current (and, during a rotation, previous) secret, the same `webhook-id` every time; a failure is
 * retried after the configured delays, then the delivery is `failed`; an endpoint failing continuously for
 * `disableAfterSecs` is disabled. An endpoint with its cap of attempts in flight makes its items wait a little
 * (they do not hold the runner's slots), so one hanging endpoint never delays another's deliveries.
 */
export function createWebhookWork(deps: WebhookWorkDeps): WorkModule {
  const cap = deps.inFlightPerEndpoint ?? WEBHOOK_LIMITS.inFlightPerEndpoint;
  const inFlight = new Map<string, number>();
  const log = deps.logger.child({ module: 'webhooks' });

  async function onBusMessage(message: BusMessage): Promise<void> {
    const events = webhookEventsOf(message);
    if (events.length === 0) return;
    const now = deps.clock.now();
    for (const event of events) {
      const endpoints = (await deps.endpoints.listEndpoints(event.orgId)).filter(
        (e) => e.status === 'active' && (e.events as readonly string[]).includes(event.type),
      );
      for (const endpoint of endpoints) await enqueueDelivery(deps, endpoint, event, now);
    }
  }

  async function deliver(item: DueItem): Promise<DueOutcome> {
    const work = parseWork(item.payload);
    if (!work) {
      log.error('malformed webhook delivery item; dropped', { key: item.key });
      return { done: true };
    }
    const delivery = await deps.endpoints.getDelivery(work.endpointId, work.deliveryId);
    if (!delivery || delivery.status !== 'pending') return { done: true };
    const endpoint = await deps.endpoints.getEndpoint(work.orgId, work.endpointId);
    if (!endpoint) return { done: true }; // deleted, with its log
    if (endpoint.status === 'disabled' && !work.manual) {
      await finish(work, { status: 'failed' });
      return { done: true };
    }
    const running = inFlight.get(endpoint.id) ?? 0;
    if (running >= cap) {
      return { done: false, at: new Date(deps.clock.now().getTime() + BUSY_ENDPOINT_WAIT_MS) };
    }
    inFlight.set(endpoint.id, running + 1);
    const at = deps.clock.now();
    let attempt: WebhookAttempt;
    try {
      const headers = webhookHeaders({
        id: delivery.deliveryId,
        at,
        body: delivery.body,
        secrets: signingSecrets(endpoint, at),
      });
      const result = await deps.transport.send({ url: endpoint.url, headers, body: delivery.body });
      attempt = {
        at: at.toISOString(),
        ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
        latencyMs: result.latencyMs,
        ...(result.error ? { error: result.error } : {}),
        ...(work.manual ? { manual: true } : {}),
      };
    } finally {
      const left = (inFlight.get(endpoint.id) ?? 1) - 1;
      if (left > 0) inFlight.set(endpoint.id, left);
      else inFlight.delete(endpoint.id);
    }
    const fields = {
      endpointId: endpoint.id,
      deliveryId: delivery.deliveryId,
      eventType: delivery.eventType,
    };
    if (!attempt.error) {
      await finish(work, { status: 'succeeded', attempt });
      await noteSuccess(endpoint);
      log.info('webhook delivered', {
        ...fields,
        statusCode: attempt.statusCode,
        latencyMs: attempt.latencyMs,
      });
      return { done: true };
    }
    const now = deps.clock.now();
    const disabled = await noteFailure(endpoint, attempt.at, now);
    const delaySecs = work.manual || disabled ? undefined : deps.config.retryDelaysSecs[work.step];
    log.warn('webhook attempt failed', { ...fields, error: attempt.error, retry: delaySecs !== undefined });
    if (delaySecs === undefined) {
      await finish(work, { status: 'failed', attempt });
      return { done: true };
    }
    const next = new Date(now.getTime() + delaySecs * 1000);
    await finish(work, { status: 'pending', attempt, nextAttemptAt: next.toISOString() });
    const payload: WebhookDeliveryWork = { ...work, step: work.step + 1 };
    return { done: false, at: next, payload: JSON.stringify(payload) };
  }

  /** Logs the attempt and the delivery's new status. */
  async function finish(
    work: WebhookDeliveryWork,
    update: { status: 'pending' | 'succeeded' | 'failed'; attempt?: WebhookAttempt; nextAttemptAt?: string },
  ): Promise<void> {
    await deps.endpoints.updateDelivery(work.endpointId, work.deliveryId, (d) => {
      const { nextAttemptAt: _previous, ...rest } = d;
      return {
        ...rest,
        status: update.status,
        attempts: update.attempt ? withAttempt(d, update.attempt, WEBHOOK_LIMITS.attemptsKept) : d.attempts,
        ...(update.nextAttemptAt ? { nextAttemptAt: update.nextAttemptAt } : {}),
      };
    });
  }

  /** A success ends the failure streak and re-enables an endpoint a dispatcher retried or tested. */
  async function noteSuccess(endpoint: WebhookEndpoint): Promise<void> {
    if (endpoint.status === 'active' && !endpoint.failingSince) return;
    await deps.endpoints.updateEndpoint(endpoint.orgId, endpoint.id, (e) => {
      const { failingSince: _f, disabledReason: _r, disabledAt: _a, ...rest } = e;
      return { ...rest, status: 'active' };
    });
  }

  /** Starts or extends the failure streak; disables the endpoint once it is too long. Answers whether it is disabled. */
  async function noteFailure(endpoint: WebhookEndpoint, attemptAt: string, now: Date): Promise<boolean> {
    const limitMs = deps.config.disableAfterSecs * 1000;
    const updated = await deps.endpoints.updateEndpoint(endpoint.orgId, endpoint.id, (e) => {
      const failingSince = e.failingSince ?? attemptAt;
      const tooLong = now.getTime() - Date.parse(failingSince) >= limitMs;
      if (e.status === 'active' && tooLong) {
        return {
          ...e,
          failingSince,
          status: 'disabled',
          disabledAt: now.toISOString(),
          disabledReason: `every attempt failed since ${failingSince}`,
        };
      }
      return { ...e, failingSince };
    });
    if (updated?.status === 'disabled' && endpoint.status === 'active') {
      log.warn('webhook endpoint disabled after failing continuously', { endpointId: endpoint.id });
    }
    return updated?.status === 'disabled';
  }

  return {
    name: 'webhooks',
    handlers: { [DUE_KINDS.webhookDelivery]: (item: DueItem) => deliver(item) },
    onBusMessage,
  };
}

function parseWork(payload: string): WebhookDeliveryWork | undefined {
  try {
    const w = JSON.parse(payload) as Partial<WebhookDeliveryWork> | null;
    if (
      w &&
      typeof w.orgId === 'string' &&
      typeof w.endpointId === 'string' &&
      typeof w.deliveryId === 'string' &&
      typeof w.step === 'number'
    ) {
      return w as WebhookDeliveryWork;
    }
  } catch {
    // malformed
  }
  return undefined;
}
