// Contract suite every WebhookEndpoints adapter must pass (memory and Firestore run the same cases).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookDelivery, WebhookEndpoint } from '../domain/webhook.ts';
import type { WebhookEndpoints } from './webhook-endpoints.ts';

/** Registers the contract cases; `make` returns endpoints over empty, isolated storage. */
export function webhookEndpointsContract(
  name: string,
  make: () => Promise<WebhookEndpoints> | WebhookEndpoints,
): void {
  describe(`WebhookEndpoints contract: ${name}`, () => {
    const org = () => `org-${randomUUID().slice(0, 8)}`;
    const endpoint = (orgId: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
      id: `ep_${randomUUID().replaceAll('-', '')}`,
      orgId,
      url: 'https://example.com/hooks',
      events: ['call.completed'],
      includePhoneNumbers: false,
      secrets: { current: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' },
      status: 'active',
      createdAt: '2026-03-01T08:00:00.000Z',
      ...overrides,
    });
    const delivery = (
      endpointId: string,
      i: number,
      createdAt = `2026-03-01T08:00:0${i}.000Z`,
    ): WebhookDelivery => ({
      deliveryId: `msg_${i}_${randomUUID().slice(0, 8)}`,
      endpointId,
      orgId: 'o',
      eventType: 'call.completed',
      body: `{"n":${i}}`,
      status: 'pending',
      attempts: [],
      createdAt,
    });

    it('stores an endpoint as given and shows it only to its org', async () => {
      const store = await make();
      const mine = org();
      const ep = endpoint(mine, { description: 'TMS' });
      await store.createEndpoint(ep, 5);
      expect(await store.getEndpoint(mine, ep.id)).toEqual(ep);
      expect(await store.getEndpoint(org(), ep.id)).toBeNull();
      expect(await store.getEndpoint(mine, 'ep_missing')).toBeNull();
      expect(await store.getEndpoint(mine, '../x/y')).toBeNull();
      expect(await store.listEndpoints(mine)).toEqual([ep]);
      expect(await store.listEndpoints(org())).toEqual([]);
    });

    it('lists an org’s endpoints oldest first and refuses more than the cap with conflict', async () => {
      const store = await make();
      const mine = org();
      const first = endpoint(mine, { createdAt: '2026-03-01T08:00:00.000Z' });
      const second = endpoint(mine, { createdAt: '2026-03-01T09:00:00.000Z' });
      await store.createEndpoint(second, 2);
      await store.createEndpoint(first, 2);
      await expect(store.createEndpoint(endpoint(mine), 2)).rejects.toMatchObject({ code: 'conflict' });
      await store.createEndpoint(endpoint(org()), 2);
      expect((await store.listEndpoints(mine)).map((e) => e.id)).toEqual([first.id, second.id]);
    });

    it('updates an endpoint with a change function, only in its org', async () => {
      const store = await make();
      const mine = org();
      const ep = endpoint(mine);
      await store.createEndpoint(ep, 5);
      const disabled = await store.updateEndpoint(mine, ep.id, (e) => ({
        ...e,
        status: 'disabled',
        disabledReason: 'failing',
      }));
      expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
      expect(await store.getEndpoint(mine, ep.id)).toEqual(disabled);
      expect(await store.updateEndpoint(org(), ep.id, (e) => ({ ...e, url: 'https://evil' }))).toBeNull();
      expect(await store.updateEndpoint(mine, 'ep_missing', (e) => e)).toBeNull();
      expect((await store.getEndpoint(mine, ep.id))?.url).toBe(ep.url);
    });

    it('creates a delivery once per id and answers the stored one on a repeat', async () => {
      const store = await make();
      const d = delivery('ep_x', 1);
      expect(await store.createDelivery(d)).toEqual({ delivery: d, created: true });
      expect(await store.createDelivery({ ...d, body: '{"other":true}' })).toEqual({
        delivery: d,
        created: false,
      });
      expect(await store.getDelivery('ep_x', d.deliveryId)).toEqual(d);
      expect(await store.getDelivery('ep_y', d.deliveryId)).toBeNull();
    });

    it('updates a delivery with a change function; a missing one stays missing', async () => {
      const store = await make();
      const ep = `ep_${randomUUID().slice(0, 8)}`;
      const d = delivery(ep, 1);
      await store.createDelivery(d);
      const attempt = { at: '2026-03-01T08:00:05.000Z', statusCode: 500, latencyMs: 12, error: 'status 500' };
      const next = await store.updateDelivery(ep, d.deliveryId, (x) => ({
        ...x,
        attempts: [...x.attempts, attempt],
        nextAttemptAt: '2026-03-01T08:00:10.000Z',
      }));
      expect(next).toEqual({ ...d, attempts: [attempt], nextAttemptAt: '2026-03-01T08:00:10.000Z' });
      expect(await store.getDelivery(ep, d.deliveryId)).toEqual(next);
      expect(await store.updateDelivery(ep, 'msg_missing', (x) => x)).toBeNull();
    });

    it('pages one endpoint’s deliveries newest first with a cursor', async () => {
      const store = await make();
      const ep = `ep_${randomUUID().slice(0, 8)}`;
      const made = [1, 2, 3, 4, 5].map((i) => delivery(ep, i));
      const tie = delivery(ep, 9, made[2]!.createdAt);
      for (const d of [...made, tie]) await store.createDelivery(d);
      await store.createDelivery(delivery('ep_other', 7));
      const expected = [
        made[4]!,
        made[3]!,
        ...[made[2]!, tie].sort((a, b) => (a.deliveryId < b.deliveryId ? 1 : -1)),
        made[1]!,
        made[0]!,
      ];
      const seen: WebhookDelivery[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listDeliveries(ep, { limit: 4, ...(cursor ? { cursor } : {}) });
        seen.push(...page.deliveries);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((d) => d.deliveryId)).toEqual(expected.map((d) => d.deliveryId));
      await expect(store.listDeliveries(ep, { limit: 4, cursor: 'garbage' })).rejects.toMatchObject({
        code: 'bad_request',
      });
    });

    it('deletes an endpoint with its delivery log, only in its org', async () => {
      const store = await make();
      const mine = org();
      const ep = endpoint(mine);
      await store.createEndpoint(ep, 5);
      const d = delivery(ep.id, 1);
      await store.createDelivery(d);
      expect(await store.deleteEndpoint(org(), ep.id)).toBe(false);
      expect(await store.deleteEndpoint(mine, ep.id)).toBe(true);
      expect(await store.getEndpoint(mine, ep.id)).toBeNull();
      expect(await store.getDelivery(ep.id, d.deliveryId)).toBeNull();
      expect(await store.deleteEndpoint(mine, ep.id)).toBe(false);
    });
  });
}
