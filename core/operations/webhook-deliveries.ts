// Creating and (re)scheduling outbound webhook deliveries: one per (event, endpoint), each on the due-work schedule.
import { randomUUID } from 'node:crypto';
import { WEBHOOK_TEST_EVENT, type WebhookDelivery, type WebhookEndpoint } from '../domain/webhook.ts';
import { AppError } from '../support/errors.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { DueWork } from '../ports/due-work.ts';
import type { WebhookEndpoints } from '../ports/webhook-endpoints.ts';
import { DUE_KINDS, webhookDeliveryKey, type WebhookDeliveryWork } from './due-kinds.ts';
import { deliveryIdOf, webhookBody, type OutboundEvent } from './webhook-events.ts';

export interface DeliveryDeps {
  endpoints: WebhookEndpoints;
  dueWork: DueWork;
  /** Reads the driver's number for endpoints that opted in (bus snapshots carry none). */
  store: Pick<CallStore, 'getCall'>;
}

/**
 * Records the delivery of `event` to `endpoint` and schedules its first attempt at `now`. Idempotent: a repeated
 * event finds its delivery and schedules it only if it was never attempted (a crash between insert and schedule).
 */
export async function enqueueDelivery(
  deps: DeliveryDeps,
  endpoint: WebhookEndpoint,
  event: OutboundEvent,
  now: Date,
  options: { manual?: boolean } = {},
): Promise<WebhookDelivery> {
  const deliveryId = deliveryIdOf(endpoint.id, event.eventId);
  const existing = await deps.endpoints.getDelivery(endpoint.id, deliveryId);
  const delivery =
    existing ??
    (
      await deps.endpoints.createDelivery({
        deliveryId,
        endpointId: endpoint.id,
        orgId: endpoint.orgId,
        eventType: event.type,
        body: webhookBody(event, endpoint.includePhoneNumbers ? await phoneNumberOf(deps, event) : undefined),
        status: 'pending',
        attempts: [],
        nextAttemptAt: now.toISOString(),
        createdAt: now.toISOString(),
      })
    ).delivery;
  if (delivery.status === 'pending' && delivery.attempts.length === 0) {
    await schedule(deps.dueWork, delivery, now, { step: 0, ...(options.manual ? { manual: true } : {}) });
  }
  return delivery;
}

/** Sends a `webhook.test` event to one endpoint through the normal delivery path (one attempt, no retries). */
export function enqueueTestDelivery(
  deps: DeliveryDeps,
  endpoint: WebhookEndpoint,
  now: Date,
): Promise<WebhookDelivery> {
  const event: OutboundEvent = {
    eventId: `${WEBHOOK_TEST_EVENT}:${randomUUID()}`,
    orgId: endpoint.orgId,
    type: WEBHOOK_TEST_EVENT,
    timestamp: now.toISOString(),
    data: { endpointId: endpoint.id, message: 'callrelay test event' },
  };
  return enqueueDelivery(deps, endpoint, event, now, { manual: true });
}

/**
 * A new attempt now, with the same `webhook-id`. A pending delivery keeps its retry schedule (its next attempt just
 * moves to now); a finished one (succeeded or failed) gets one more attempt, with no automatic retries after it.
 * `invalid_state` when an attempt is running at this moment.
 */
export async function retryDelivery(
  deps: DeliveryDeps,
  delivery: WebhookDelivery,
  now: Date,
): Promise<WebhookDelivery> {
  const pending = delivery.status === 'pending';
  // Pending first, then scheduled: the handler drops items of deliveries that are no longer pending.
  const updated =
    (await deps.endpoints.updateDelivery(delivery.endpointId, delivery.deliveryId, (d) => ({
      ...d,
      status: 'pending',
      nextAttemptAt: now.toISOString(),
    }))) ?? delivery;
  const work = pending
    ? { step: delivery.attempts.filter((a) => !a.manual).length }
    : { step: 0, manual: true };
  const result = await schedule(deps.dueWork, updated, now, work);
  if (result === 'leased') throw new AppError('invalid_state', 'an attempt of this delivery is running now');
  return updated;
}

async function schedule(
  dueWork: DueWork,
  delivery: WebhookDelivery,
  now: Date,
  work: Pick<WebhookDeliveryWork, 'step' | 'manual'>,
): Promise<'scheduled' | 'leased'> {
  const payload: WebhookDeliveryWork = {
    orgId: delivery.orgId,
    endpointId: delivery.endpointId,
    deliveryId: delivery.deliveryId,
    ...work,
  };
  const result = await dueWork.schedule({
    key: webhookDeliveryKey(delivery.deliveryId),
    kind: DUE_KINDS.webhookDelivery,
    dueAt: now,
    payload: JSON.stringify(payload),
    now,
  });
  return result.state;
}

async function phoneNumberOf(deps: DeliveryDeps, event: OutboundEvent): Promise<string | undefined> {
  if (!event.phone) return undefined;
  if ('number' in event.phone) return event.phone.number;
  return (await deps.store.getCall(event.phone.callId))?.driver?.phoneNumber;
}
