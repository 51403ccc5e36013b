// Port: customers' webhook endpoints (with their signing secrets) and the log of deliveries made to each.
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../domain/webhook.ts';

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  /** Opaque; fetches the next, older page. Absent on the last page. */
  nextCursor?: string;
}

/** Changes one record; may run more than once (a transaction retries), so it must be pure. */
export type Change<T> = (current: T) => T;

/**
 * Contract (checked by `webhook-endpoints.contract.ts` against every adapter):
 * - Endpoints are org-scoped: every read and write names the org and never sees another org's endpoint (it is
 *   `null`/`false`, as if absent). `createEndpoint` refuses with `AppError('conflict')` when the org already has
 *   `maxPerOrg` endpoints (checked atomically with the insert).
 * - Secrets are stored as given (they must sign); adapters never log them.
 * - `updateEndpoint`/`updateDelivery` apply `change` atomically to the current record and store its result; they
 *   answer the stored record, or `null` when there is none (nothing is created).
 * - `createDelivery` is an idempotent insert by (endpointId, deliveryId): when it exists already, the stored one is
 *   answered unchanged with `created: false`.
 * - `listDeliveries` pages one endpoint's deliveries newest first (`createdAt` descending, then `deliveryId`
 *   descending); `deleteEndpoint` removes the endpoint and its delivery log.
 * - Unavailability surfaces as `AppError('store_unavailable')`.
 */
export interface WebhookEndpoints {
  createEndpoint(endpoint: WebhookEndpoint, maxPerOrg: number): Promise<void>;
  getEndpoint(orgId: string, endpointId: string): Promise<WebhookEndpoint | null>;
  /** The org's endpoints, oldest first. */
  listEndpoints(orgId: string): Promise<WebhookEndpoint[]>;
  updateEndpoint(
    orgId: string,
    endpointId: string,
    change: Change<WebhookEndpoint>,
  ): Promise<WebhookEndpoint | null>;
  deleteEndpoint(orgId: string, endpointId: string): Promise<boolean>;

  createDelivery(delivery: WebhookDelivery): Promise<{ delivery: WebhookDelivery; created: boolean }>;
  getDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  updateDelivery(
    endpointId: string,
    deliveryId: string,
    change: Change<WebhookDelivery>,
  ): Promise<WebhookDelivery | null>;
  listDeliveries(endpointId: string, page: { limit: number; cursor?: string }): Promise<DeliveryPage>;
}

/** Appends an attempt to a delivery's log, keeping the newest `keep`. */
export function withAttempt(
  delivery: WebhookDelivery,
  attempt: WebhookAttempt,
  keep: number,
): WebhookAttempt[] {
  return [...delivery.attempts, attempt].slice(-keep);
}

/** Cursor of a delivery page: the last row's sort key, opaque to callers. */
export function deliveryCursor(delivery: Pick<WebhookDelivery, 'createdAt' | 'deliveryId'>): string {
  return Buffer.from(JSON.stringify([delivery.createdAt, delivery.deliveryId])).toString('base64url');
}

/** The sort key a cursor carries; `AppError('bad_request')` would be the caller's to raise, so this answers null. */
export function parseDeliveryCursor(cursor: string): { createdAt: string; deliveryId: string } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      return { createdAt: parsed[0], deliveryId: parsed[1] };
    }
  } catch {
    // fall through
  }
  return null;
}
