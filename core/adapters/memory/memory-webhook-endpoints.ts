// In-memory WebhookEndpoints for the embedded mode and tests: Maps, copies in and out so callers never share state.
import type { WebhookDelivery, WebhookEndpoint } from '../../domain/webhook.ts';
import { AppError } from '../../support/errors.ts';
import {
  deliveryCursor,
  parseDeliveryCursor,
  type Change,
  type DeliveryPage,
  type WebhookEndpoints,
} from '../../ports/webhook-endpoints.ts';

export class MemoryWebhookEndpoints implements WebhookEndpoints {
  private readonly endpoints = new Map<string, WebhookEndpoint>();
  /** endpointId → deliveryId → delivery. */
  private readonly deliveries = new Map<string, Map<string, WebhookDelivery>>();

  async createEndpoint(endpoint: WebhookEndpoint, maxPerOrg: number): Promise<void> {
    const count = [...this.endpoints.values()].filter((e) => e.orgId === endpoint.orgId).length;
    if (count >= maxPerOrg)
      throw new AppError('conflict', `an org has at most ${maxPerOrg} webhook endpoints`);
    if (this.endpoints.has(endpoint.id)) throw new AppError('conflict', 'webhook endpoint exists');
    this.endpoints.set(endpoint.id, structuredClone(endpoint));
  }

  async getEndpoint(orgId: string, endpointId: string): Promise<WebhookEndpoint | null> {
    const found = this.endpoints.get(endpointId);
    return found && found.orgId === orgId ? structuredClone(found) : null;
  }

  async listEndpoints(orgId: string): Promise<WebhookEndpoint[]> {
    return [...this.endpoints.values()]
      .filter((e) => e.orgId === orgId)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .map((e) => structuredClone(e));
  }

  async updateEndpoint(
    orgId: string,
    endpointId: string,
    change: Change<WebhookEndpoint>,
  ): Promise<WebhookEndpoint | null> {
    const found = await this.getEndpoint(orgId, endpointId);
    if (!found) return null;
    const next = change(found);
    this.endpoints.set(endpointId, structuredClone(next));
    return structuredClone(next);
  }

  async deleteEndpoint(orgId: string, endpointId: string): Promise<boolean> {
    if (this.endpoints.get(endpointId)?.orgId !== orgId) return false;
    this.endpoints.delete(endpointId);
    this.deliveries.delete(endpointId);
    return true;
  }

  async createDelivery(delivery: WebhookDelivery): Promise<{ delivery: WebhookDelivery; created: boolean }> {
    const log = this.log(delivery.endpointId);
    const found = log.get(delivery.deliveryId);
    if (found) return { delivery: structuredClone(found), created: false };
    log.set(delivery.deliveryId, structuredClone(delivery));
    return { delivery: structuredClone(delivery), created: true };
  }

  async getDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    const found = this.deliveries.get(endpointId)?.get(deliveryId);
    return found ? structuredClone(found) : null;
  }

  async updateDelivery(
    endpointId: string,
    deliveryId: string,
    change: Change<WebhookDelivery>,
  ): Promise<WebhookDelivery | null> {
    const found = await this.getDelivery(endpointId, deliveryId);
    if (!found) return null;
    const next = change(found);
    this.log(endpointId).set(deliveryId, structuredClone(next));
    return structuredClone(next);
  }

  async listDeliveries(endpointId: string, page: { limit: number; cursor?: string }): Promise<DeliveryPage> {
    const after = page.cursor ? parseDeliveryCursor(page.cursor) : null;
    if (page.cursor && !after) throw new AppError('bad_request', 'cursor is invalid');
    const sorted = [...(this.deliveries.get(endpointId)?.values() ?? [])].sort(newestFirst);
    const rest = after ? sorted.filter((d) => newestFirst(d, after) > 0) : sorted;
    const deliveries = rest.slice(0, page.limit).map((d) => structuredClone(d));
    const last = deliveries[deliveries.length - 1];
    return {
      deliveries,
      ...(rest.length > page.limit && last ? { nextCursor: deliveryCursor(last) } : {}),
    };
  }

  private log(endpointId: string): Map<string, WebhookDelivery> {
    let log = this.deliveries.get(endpointId);
    if (!log) this.deliveries.set(endpointId, (log = new Map()));
    return log;
  }
}

function newestFirst(
  a: Pick<WebhookDelivery, 'createdAt' | 'deliveryId'>,
  b: Pick<WebhookDelivery, 'createdAt' | 'deliveryId'>,
): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.deliveryId < b.deliveryId ? 1 : a.deliveryId > b.deliveryId ? -1 : 0;
}
