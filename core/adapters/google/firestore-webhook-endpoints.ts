// Firestore WebhookEndpoints: `webhookEndpoints/{id}` with its delivery log in the `deliveries` subcollection.
import { FieldPath, type CollectionReference, type Firestore } from '@google-cloud/firestore';
import type { WebhookDelivery, WebhookEndpoint } from '../../domain/webhook.ts';
import { AppError } from '../../support/errors.ts';
import {
  deliveryCursor,
  parseDeliveryCursor,
  type Change,
  type DeliveryPage,
  type WebhookEndpoints,
} from '../../ports/webhook-endpoints.ts';
import { guardStore } from './firestore-errors.ts';

/** Ids callrelay generates (`ep_…`, `msg_…`); anything else cannot name a document and is simply not found. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export class FirestoreWebhookEndpoints implements WebhookEndpoints {
  private readonly endpoints: CollectionReference;

  constructor(private readonly db: Firestore) {
    this.endpoints = db.collection('webhookEndpoints');
  }

  createEndpoint(endpoint: WebhookEndpoint, maxPerOrg: number): Promise<void> {
    if (!SAFE_ID.test(endpoint.id)) throw new TypeError('webhook endpoint ids are [A-Za-z0-9_-]{1,128}');
    const ref = this.endpoints.doc(endpoint.id);
    const sameOrg = this.endpoints.where('orgId', '==', endpoint.orgId).select().limit(maxPerOrg);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const [existing, mine] = await Promise.all([tx.get(sameOrg), tx.get(ref)]);
        if (existing.size >= maxPerOrg) {
          throw new AppError('conflict', `an org has at most ${maxPerOrg} webhook endpoints`);
        }
        if (mine.exists) throw new AppError('conflict', 'webhook endpoint exists');
        tx.create(ref, endpoint);
      }),
    );
  }

  async getEndpoint(orgId: string, endpointId: string): Promise<WebhookEndpoint | null> {
    if (!SAFE_ID.test(endpointId)) return null;
    const snap = await guardStore(() => this.endpoints.doc(endpointId).get());
    const found = snap.data() as WebhookEndpoint | undefined;
    return found && found.orgId === orgId ? found : null;
  }

  async listEndpoints(orgId: string): Promise<WebhookEndpoint[]> {
    const snap = await guardStore(() => this.endpoints.where('orgId', '==', orgId).get());
    return snap.docs
      .map((d) => d.data() as WebhookEndpoint)
      .sort((a, b) =>
        a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1,
      );
  }

  async updateEndpoint(
    orgId: string,
    endpointId: string,
    change: Change<WebhookEndpoint>,
  ): Promise<WebhookEndpoint | null> {
    if (!SAFE_ID.test(endpointId)) return null;
    const ref = this.endpoints.doc(endpointId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as WebhookEndpoint | undefined;
        if (!found || found.orgId !== orgId) return null;
        const next = change(found);
        tx.set(ref, next);
        return next;
      }),
    );
  }

  async deleteEndpoint(orgId: string, endpointId: string): Promise<boolean> {
    const found = await this.getEndpoint(orgId, endpointId);
    if (!found) return false;
    // Removes the endpoint and its delivery log (subcollections are not deleted with their parent otherwise).
    await guardStore(() => this.db.recursiveDelete(this.endpoints.doc(endpointId)));
    return true;
  }

  createDelivery(delivery: WebhookDelivery): Promise<{ delivery: WebhookDelivery; created: boolean }> {
    if (!SAFE_ID.test(delivery.endpointId) || !SAFE_ID.test(delivery.deliveryId)) {
      throw new TypeError('webhook ids are [A-Za-z0-9_-]{1,128}');
    }
    const ref = this.log(delivery.endpointId).doc(delivery.deliveryId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as WebhookDelivery | undefined;
        if (found) return { delivery: found, created: false };
        tx.create(ref, delivery);
        return { delivery, created: true };
      }),
    );
  }

  async getDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    if (!SAFE_ID.test(endpointId) || !SAFE_ID.test(deliveryId)) return null;
    const snap = await guardStore(() => this.log(endpointId).doc(deliveryId).get());
    return (snap.data() as WebhookDelivery | undefined) ?? null;
  }

  async updateDelivery(
    endpointId: string,
    deliveryId: string,
    change: Change<WebhookDelivery>,
  ): Promise<WebhookDelivery | null> {
    if (!SAFE_ID.test(endpointId) || !SAFE_ID.test(deliveryId)) return null;
    const ref = this.log(endpointId).doc(deliveryId);
    return guardStore(() =>
      this.db.runTransaction(async (tx) => {
        const found = (await tx.get(ref)).data() as WebhookDelivery | undefined;
        if (!found) return null;
        const next = change(found);
        tx.set(ref, next);
        return next;
      }),
    );
  }

  async listDeliveries(endpointId: string, page: { limit: number; cursor?: string }): Promise<DeliveryPage> {
    const after = page.cursor ? parseDeliveryCursor(page.cursor) : null;
    if (page.cursor && !after) throw new AppError('bad_request', 'cursor is invalid');
    if (!SAFE_ID.test(endpointId)) return { deliveries: [] };
    // Newest first, ties by id descending; one more than asked tells whether another page follows.
    let query = this.log(endpointId)
      .orderBy('createdAt', 'desc')
      .orderBy(FieldPath.documentId(), 'desc')
      .limit(page.limit + 1);
    if (after) query = query.startAfter(after.createdAt, after.deliveryId);
    const snap = await guardStore(() => query.get());
    const rows = snap.docs.map((d) => d.data() as WebhookDelivery);
    const deliveries = rows.slice(0, page.limit);
    const last = deliveries[deliveries.length - 1];
    return {
      deliveries,
      ...(rows.length > page.limit && last ? { nextCursor: deliveryCursor(last) } : {}),
    };
  }

  private log(endpointId: string): CollectionReference {
    return this.endpoints.doc(endpointId).collection('deliveries');
  }
}
