// /webhook-endpoints over real HTTP on each backend: admin-only management, secrets shown once, test events, the
// delivery log and retries (delivered by the webhook WorkModule to a real receiver), and the SSRF rule at creation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookTransport } from '../../core/adapters/http-webhook-transport.ts';
import { DUE_KINDS } from '../../core/operations/due-kinds.ts';
import { DueWorkRunner } from '../../core/operations/due-work-runner.ts';
import { createWebhookWork } from '../../core/operations/webhook-work.ts';
import {
  startReceiver,
  verify,
  waitFor,
  type Receiver,
} from '../../core/operations/webhook-work.test-kit.ts';
import { systemClock } from '../../core/support/clock.ts';
import { WEBHOOK_DEFAULTS } from '../../core/support/config.ts';
import { createLogger } from '../../core/support/log.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { OTHER_ORG, startApiStack, type ApiStack } from './api.test-kit.ts';

type Body = Record<string, unknown> & { error?: { code: string } };

for (const backendName of BACKENDS) {
  describe.skipIf(backendName === 'google' && !emulatorsAvailable())(
    `/webhook-endpoints on ${backendName}`,
    () => {
      let stack: ApiStack;
      let receiver: Receiver;
      let admin: string;
      let runner: DueWorkRunner;
      let ticker: NodeJS.Timeout;
      beforeAll(async () => {
        stack = await startApiStack({ backend: backendName, env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
        receiver = await startReceiver();
        admin = await stack.login(undefined, 'admin');
        const logger = createLogger({ sink: () => {}, level: 'ERROR' });
        const module = createWebhookWork({
          endpoints: stack.backend.webhooks,
          dueWork: stack.backend.dueWork,
          store: stack.backend.store,
          transport: new HttpWebhookTransport({ allowPrivateUrls: true }),
          clock: systemClock,
          logger,
          config: WEBHOOK_DEFAULTS,
        });
        runner = new DueWorkRunner({
          dueWork: stack.backend.dueWork,
          clock: systemClock,
          logger,
          concurrency: 4,
          leaseMs: 30_000,
          errorRetryMs: 500,
        }).handle(DUE_KINDS.webhookDelivery, module.handlers[DUE_KINDS.webhookDelivery]!);
        ticker = setInterval(() => void runner.tick().catch(() => {}), 20);
      });
      afterAll(async () => {
        clearInterval(ticker);
        await runner?.drain();
        await receiver?.close();
        await stack?.close();
      });

      const create = (body: unknown, token = admin) =>
        stack.request('POST', '/webhook-endpoints', { token, body });

      it('creates an endpoint (secret shown once), lists it without secrets, and is admin-only and org-scoped', async () => {
        const created = await create({ url: receiver.url, events: ['call.completed'], description: 'TMS' });
        expect(created.status).toBe(201);
        const body = created.body as Body;
        expect(body).toMatchObject({
          id: expect.stringMatching(/^ep_/),
          url: receiver.url,
          events: ['call.completed'],
          description: 'TMS',
          includePhoneNumbers: false,
          status: 'active',
          secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{32,}$/),
        });
        const list = await stack.request('GET', '/webhook-endpoints', { token: admin });
        expect(list.status).toBe(200);
        expect((list.body as { endpoints: Body[] }).endpoints.map((e) => e.id)).toContain(body.id);
        expect(list.text).not.toContain('whsec_');
        expect(stack.logs.join('\n')).not.toContain(body.secret as string);

        const dispatcher = await stack.login();
        for (const res of [
          await stack.request('GET', '/webhook-endpoints', { token: dispatcher }),
          await create({ url: receiver.url, events: ['call.completed'] }, dispatcher),
        ]) {
          expect(res.status).toBe(403);
          expect((res.body as Body).error?.code).toBe('forbidden');
        }
        const rival = await stack.login(OTHER_ORG, 'admin');
        expect((await stack.request('GET', '/webhook-endpoints', { token: rival })).body).toEqual({
          endpoints: [],
        });
        const foreign = await stack.request('DELETE', `/webhook-endpoints/${body.id as string}`, {
          token: rival,
        });
        expect(foreign.status).toBe(404);
      });

      it.each([
        [{ url: 'x', events: [] }, 'events'],
        [{ url: 'https://example.com', events: ['call.exploded'] }, 'events.0'],
        [{ url: 'https://example.com', events: ['call.failed', 'call.failed'] }, 'events'],
        [{ events: ['call.failed'] }, 'url'],
        [
          { url: 'https://example.com', events: ['call.failed'], includePhoneNumbers: 'yes' },
          'includePhoneNumbers',
        ],
      ])('refuses an invalid body %j with 422 naming %s', async (body, field) => {
        const res = await create(body);
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({
          error: {
            code: 'validation_failed',
            details: expect.arrayContaining([expect.objectContaining({ field })]),
          },
        });
      });

      it('sends a test event, logs it, and retries it with the same webhook-id', async () => {
        const { id, secret } = (await create({ url: receiver.url, events: ['campaign.completed'] })).body as {
          id: string;
          secret: string;
        };
        const before = receiver.requests.length;
        const test = await stack.request('POST', `/webhook-endpoints/${id}/test`, { token: admin });
        expect(test.status).toBe(202);
        const { delivery } = test.body as { delivery: { deliveryId: string; status: string } };
        expect(delivery).toMatchObject({ status: 'pending', eventType: 'webhook.test' });
        await waitFor(() => receiver.requests.length > before, 20_000, 'the test event');
        const first = receiver.requests[before]!;
        expect(verify(secret, first)).toMatchObject({ type: 'webhook.test', data: { endpointId: id } });
        expect(first.headers['webhook-id']).toBe(delivery.deliveryId);

        const logged = await waitFor(async () => {
          const res = await stack.request('GET', `/webhook-endpoints/${id}/deliveries`, { token: admin });
          const [d] = (res.body as { deliveries: Body[] }).deliveries;
          return d?.status === 'succeeded' ? d : undefined;
        });
        expect(logged).toMatchObject({
          deliveryId: delivery.deliveryId,
          payload: { type: 'webhook.test' },
          attempts: [expect.objectContaining({ statusCode: 200, latencyMs: expect.any(Number) })],
        });

        const retry = await stack.request(
          'POST',
          `/webhook-endpoints/${id}/deliveries/${delivery.deliveryId}/retry`,
          { token: admin },
        );
        expect(retry.status).toBe(202);
        await waitFor(() => receiver.requests.length > before + 1, 20_000, 'the retry');
        expect(receiver.requests[before + 1]!.headers['webhook-id']).toBe(delivery.deliveryId);
        const after = await waitFor(async () => {
          const res = await stack.request('GET', `/webhook-endpoints/${id}/deliveries?limit=1`, {
            token: admin,
          });
          const [d] = (res.body as { deliveries: Array<Body & { attempts: unknown[] }> }).deliveries;
          return d?.status === 'succeeded' && d.attempts.length === 2 ? d : undefined;
        });
        expect(after.attempts[1]).toMatchObject({ statusCode: 200, manual: true });
        const missing = await stack.request('POST', `/webhook-endpoints/${id}/deliveries/msg_nope/retry`, {
          token: admin,
        });
        expect(missing.status).toBe(404);
      });

      it('rotates the secret: both sign during the grace period', async () => {
        const { id, secret: oldSecret } = (await create({ url: receiver.url, events: ['call.failed'] }))
          .body as {
          id: string;
          secret: string;
        };
        const rotated = await stack.request('POST', `/webhook-endpoints/${id}/rotate-secret`, {
          token: admin,
        });
        expect(rotated.status).toBe(200);
        const { secret: newSecret, previousSecretExpiresAt } = rotated.body as {
          secret: string;
          previousSecretExpiresAt: string;
        };
        expect(newSecret).not.toBe(oldSecret);
        expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
        const before = receiver.requests.length;
        await stack.request('POST', `/webhook-endpoints/${id}/test`, { token: admin });
        await waitFor(() => receiver.requests.length > before, 20_000, 'the test event');
        const request = receiver.requests[before]!;
        expect(verify(oldSecret, request)).toMatchObject({ type: 'webhook.test' });
        expect(verify(newSecret, request)).toMatchObject({ type: 'webhook.test' });
      });

      it('deletes an endpoint with its log', async () => {
        const { id } = (await create({ url: receiver.url, events: ['call.failed'] })).body as { id: string };
        expect((await stack.request('DELETE', `/webhook-endpoints/${id}`, { token: admin })).status).toBe(
          204,
        );
        expect((await stack.request('DELETE', `/webhook-endpoints/${id}`, { token: admin })).status).toBe(
          404,
        );
        const log = await stack.request('GET', `/webhook-endpoints/${id}/deliveries`, { token: admin });
        expect(log.status).toBe(404);
      });
    },
  );
}

describe('/webhook-endpoints in production mode (private URLs not allowed)', () => {
  let stack: ApiStack;
  let admin: string;
  beforeAll(async () => {
    stack = await startApiStack({ backend: 'memory' });
    admin = await stack.login(undefined, 'admin');
  });
  afterAll(() => stack?.close());

  it.each([
    'http://127.0.0.1:8080/hooks',
    'https://127.0.0.1/hooks',
    'https://localhost/hooks',
    'https://169.254.169.254/computeMetadata/v1/',
    'https://metadata.google.internal/',
    'https://[::1]/hooks',
    'https://10.0.0.8/hooks',
    'https://192.168.1.20/hooks',
    'https://100.64.1.1/hooks',
    'https://[fd00::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
  ])('refuses %s with 422 unsafe_webhook_url', async (url) => {
    const res = await stack.request('POST', '/webhook-endpoints', {
      token: admin,
      body: { url, events: ['call.completed'] },
    });
    expect(res.status).toBe(422);
    expect((res.body as Body).error?.code).toBe('unsafe_webhook_url');
  });
});
