// Outbound webhooks end to end on each backend: bus messages → deliveries → signed POSTs to a real loopback receiver.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TranscriptBody } from '../domain/call-event.ts';
import { dedupeKeys } from '../domain/dedupe-key.ts';
import { rotatedEndpoint, type WebhookDelivery } from '../domain/webhook.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { DUE_KINDS } from './due-kinds.ts';
import { DueWorkRunner } from './due-work-runner.ts';
import { recordCallEvent } from './record-call-event.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import {
  KIT_ORG,
  startReceiver,
  startWebhookKit,
  verify,
  waitFor,
  type Receiver,
  type WebhookKit,
  type WebhookKitOptions,
} from './webhook-work.test-kit.ts';
import { createLogger } from '../support/log.ts';

const quiet = createLogger({ sink: () => {}, level: 'ERROR' });

for (const backendName of BACKENDS) {
  describe.skipIf(backendName === 'google' && !emulatorsAvailable())(
    `outbound webhooks on ${backendName}`,
    () => {
      const open: Array<{ close(): Promise<void> }> = [];
      afterEach(async () => {
        await Promise.all(open.splice(0).map((o) => o.close()));
      });
      const kit = async (options: Omit<WebhookKitOptions, 'backend'> = {}): Promise<WebhookKit> => {
        const k = await startWebhookKit({ backend: backendName, ...options });
        open.push(k);
        return k;
      };
      const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
        const r = await startReceiver(...args);
        open.unshift(r);
        return r;
      };
      const deliveriesOf = async (k: WebhookKit, endpointId: string): Promise<WebhookDelivery[]> =>
        (await k.backend.webhooks.listDeliveries(endpointId, { limit: 100 })).deliveries;

      /** A call that ends reached: `completed` status, then the agent's transcript (stored twice when `again`). */
      async function endCall(k: WebhookKit, callId: string) {
        const deps = { store: k.backend.store, bus: k.backend.bus, logger: quiet };
        await k.backend.store.createCall({
          callId,
          orgId: KIT_ORG,
          driver: { id: 'drv_7', name: 'Sam Carter', phoneNumber: '+15551234567' },
          triggers: [{ type: 'violation', description: 'Reefer at 45F, needs 38F' }],
          conversationId: `conv_${callId}`,
          status: 'in-progress',
        });
        await recordCallEvent(
          deps,
          callId,
          {
            dedupeKey: dedupeKeys.internal(callId, 'done'),
            body: { kind: 'call_status', status: 'completed', source: 'twilio', durationSecs: 42 },
          },
          'reject',
        );
        const transcript: TranscriptBody = {
          kind: 'transcript',
          conversationId: `conv_${callId}`,
          source: 'elevenlabs_webhook',
          conversationStatus: 'done',
          turns: [{ speaker: 'driver', text: 'Got it, fixing it now.', offsetSecs: 3 }],
          summary: 'Driver acknowledged the reefer alert; ETA 30 minutes.',
          callSuccessful: 'success',
          callResult: 'answered',
          dataCollection: { acknowledged: { value: true }, eta: { value: '30 minutes' } },
        };
        await recordCallEvent(
          deps,
          callId,
          { dedupeKey: dedupeKeys.elevenlabs(`conv_${callId}`, 'post_call_transcription'), body: transcript },
          'reject',
        );
        return { deps, transcript };
      }

      it('a call ending produces exactly one signed call.completed with its outcome, even when the transcript is stored again', async () => {
        const k = await kit();
        const r = await receiver();
        const { endpoint, secret } = await k.addEndpoint(r.url, ['call.completed', 'call.failed']);
        const withNumbers = await k.addEndpoint(r.url, ['call.completed'], { includePhoneNumbers: true });
        const callId = `call_${randomUUID().slice(0, 8)}`;
        const { deps, transcript } = await endCall(k, callId);
        await waitFor(() => r.requests.length >= 2, 20_000, 'two deliveries');
        // Reconciliation stores the fetched transcript again: a new event, the same conclusion.
        await recordCallEvent(
          deps,
          callId,
          {
            dedupeKey: dedupeKeys.internal(callId, 'fetched'),
            body: { ...transcript, source: 'elevenlabs_fetch' },
          },
          'reject',
        );
        await waitFor(
          () =>
            k.handled.some(
              (m) =>
                m.type === 'event' && m.event.kind === 'transcript' && m.event.source === 'elevenlabs_fetch',
            ),
          20_000,
          'the repeated transcript handled',
        );
        await k.runner.drain();
        const plain = r.requests.find((q) => !q.body.includes('+1555'))!;
        const payload = verify(secret, plain) as { type: string; data: Record<string, unknown> };
        expect(payload).toMatchObject({
          type: 'call.completed',
          data: {
            callId,
            driver: { id: 'drv_7', name: 'Sam Carter' },
            durationSecs: 42,
            outcome: {
              acknowledged: true,
              eta: '30 minutes',
              summary: 'Driver acknowledged the reefer alert; ETA 30 minutes.',
              evaluation: 'success',
            },
          },
        });
        expect(JSON.stringify(payload)).not.toContain('+1555');
        const numbered = r.requests.find((q) => q.body.includes('+15551234567'))!;
        expect(verify(withNumbers.secret, numbered)).toMatchObject({
          data: { driver: { phoneNumber: '+15551234567' } },
        });
        expect(r.requests).toHaveLength(2);
        expect(await deliveriesOf(k, endpoint.id)).toEqual([
          expect.objectContaining({
            eventType: 'call.completed',
            status: 'succeeded',
            attempts: [expect.objectContaining({ statusCode: 200 })],
          }),
        ]);
      });

      it('retries a 500 twice then 200: three attempts, one webhook-id, all three in the log', async () => {
        // Delays far longer than any pause of a busy machine: only the moved clock makes a retry due.
        const k = await kit({ config: { retryDelaysSecs: [30, 30] } });
        const r = await receiver((_req, n) => (n < 2 ? 500 : 200));
        const { endpoint, secret } = await k.addEndpoint(r.url, ['call.completed']);
        await endCall(k, `call_${randomUUID().slice(0, 8)}`);
        for (const n of [1, 2]) {
          await waitFor(() => r.requests.length >= n, 20_000, `attempt ${n}`);
          await waitFor(
            async () => (await deliveriesOf(k, endpoint.id))[0]?.attempts.length === n,
            20_000,
            'logged',
          );
          expect(r.requests).toHaveLength(n); // not before its delay
          k.clock.advance(30_000);
        }
        await waitFor(() => r.requests.length >= 3, 20_000, 'attempt 3');
        const ids = new Set(r.requests.map((q) => q.headers['webhook-id']));
        expect(ids.size).toBe(1);
        for (const q of r.requests) verify(secret, q);
        const [delivery] = await waitFor(async () => {
          const list = await deliveriesOf(k, endpoint.id);
          return list[0]?.status === 'succeeded' ? list : undefined;
        });
        expect(delivery!.deliveryId).toBe([...ids][0]);
        expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
        expect(delivery!.attempts[0]).toMatchObject({ error: 'status 500', latencyMs: expect.any(Number) });
      });

      it('gives up after the last delay (failed) and disables an endpoint failing for too long', async () => {
        const k = await kit({ config: { retryDelaysSecs: [30, 30], disableAfterSecs: 60 } });
        const r = await receiver(() => 503);
        const { endpoint } = await k.addEndpoint(r.url, ['call.completed']);
        await endCall(k, `call_${randomUUID().slice(0, 8)}`);
        for (const n of [1, 2, 3]) {
          await waitFor(
            async () => (await deliveriesOf(k, endpoint.id))[0]?.attempts.length === n,
            20_000,
            `attempt ${n}`,
          );
          k.clock.advance(31_000);
        }
        const [delivery] = await waitFor(async () => {
          const list = await deliveriesOf(k, endpoint.id);
          return list[0]?.status === 'failed' ? list : undefined;
        });
        expect(delivery!.attempts).toHaveLength(3);
        expect(await k.backend.webhooks.getEndpoint(KIT_ORG, endpoint.id)).toMatchObject({
          status: 'disabled',
          disabledReason: expect.stringContaining('failed'),
        });
      });

      it('signs with both secrets during a rotation’s grace period, then with the new one only', async () => {
        const k = await kit();
        const r = await receiver();
        const { endpoint, secret: oldSecret } = await k.addEndpoint(r.url, ['campaign.completed']);
        const newSecret = newWebhookSecret();
        await k.backend.webhooks.updateEndpoint(KIT_ORG, endpoint.id, (e) =>
          rotatedEndpoint(e, newSecret, k.clock.now(), 60),
        );
        const complete = (campaignId: string) =>
          k.backend.bus.publish({
            type: 'notice',
            orgId: KIT_ORG,
            notice: {
              kind: 'campaign_completed',
              campaign: campaign(campaignId, k.clock.now().toISOString()),
            },
          });
        await complete('cmp_1');
        await waitFor(() => r.requests.length >= 1);
        expect(r.requests[0]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
        expect(verify(oldSecret, r.requests[0]!)).toMatchObject({
          type: 'campaign.completed',
          data: { campaignId: 'cmp_1' },
        });
        expect(verify(newSecret, r.requests[0]!)).toMatchObject({ type: 'campaign.completed' });
        k.clock.advance(61_000);
        await complete('cmp_2');
        await waitFor(() => r.requests.length >= 2);
        expect(() => verify(oldSecret, r.requests[1]!)).toThrow();
        expect(verify(newSecret, r.requests[1]!)).toMatchObject({ data: { campaignId: 'cmp_2' } });
      });

      it('a hanging endpoint does not delay another endpoint’s deliveries', async () => {
        // A long transport timeout: the stuck endpoint is still hanging whenever the other's delivery arrives.
        const k = await kit({ concurrency: 4, timeoutMs: 60_000, leaseMs: 120_000 });
        const stuck = await receiver(() => 'hang');
        const prompt = await receiver();
        await k.addEndpoint(stuck.url, ['call.needs_attention']);
        await k.addEndpoint(prompt.url, ['campaign.completed']);
        for (let i = 0; i < 6; i += 1) {
          await k.backend.bus.publish({
            type: 'notice',
            orgId: KIT_ORG,
            notice: {
              kind: 'attention_opened',
              item: {
                attentionId: `att_${i}`,
                orgId: KIT_ORG,
                reason: 'not_acknowledged',
                driverId: `drv_${i}`,
                driverName: 'Sam',
                callIds: [`call_${i}`],
                openedAt: k.clock.now().toISOString(),
              },
            },
          });
        }
        await waitFor(() => stuck.hanging >= 2, 20_000, 'the stuck endpoint holding requests');
        const started = Date.now();
        await k.backend.bus.publish({
          type: 'notice',
          orgId: KIT_ORG,
          notice: { kind: 'campaign_completed', campaign: campaign('cmp_9', k.clock.now().toISOString()) },
        });
        await waitFor(() => prompt.requests.length >= 1, 9_000, 'the prompt endpoint’s delivery');
        // Delivered while the stuck endpoint still hangs (its 10 s timeout has not passed), with at most 2 held.
        expect(stuck.hanging).toBeGreaterThan(0);
        expect(stuck.requests.length).toBeLessThanOrEqual(2);
        expect(Date.now() - started).toBeLessThan(9_000);
      });

      it('loses no delivery when the worker holding it dies: the lease runs out and another worker sends it', async () => {
        const k = await kit({ ticking: false, leaseMs: 60_000 });
        const r = await receiver();
        const { endpoint, secret } = await k.addEndpoint(r.url, ['campaign.completed']);
        await k.backend.bus.publish({
          type: 'notice',
          orgId: KIT_ORG,
          notice: { kind: 'campaign_completed', campaign: campaign('cmp_dead', k.clock.now().toISOString()) },
        });
        await waitFor(async () => (await deliveriesOf(k, endpoint.id)).length === 1, 20_000, 'the delivery');
        // A worker claims the item and dies before finishing (it never completes or reschedules).
        const claimed = await waitFor(async () => {
          const items = await k.backend.dueWork.claimDue({
            now: k.clock.now(),
            limit: 1,
            leaseMs: 60_000,
            kinds: [DUE_KINDS.webhookDelivery],
          });
          return items.length ? items : undefined;
        });
        expect(claimed).toHaveLength(1);
        expect(await k.runner.tick()).toMatchObject({ claimed: 0 });
        k.clock.advance(60_001);
        const second = new DueWorkRunner({
          dueWork: k.backend.dueWork,
          clock: k.clock,
          logger: quiet,
          concurrency: 2,
          leaseMs: 30_000,
          errorRetryMs: 500,
        }).handle(DUE_KINDS.webhookDelivery, k.module.handlers[DUE_KINDS.webhookDelivery]!);
        expect(await second.tick()).toMatchObject({ claimed: 1, done: 1 });
        expect(r.requests).toHaveLength(1);
        expect(verify(secret, r.requests[0]!)).toMatchObject({ data: { campaignId: 'cmp_dead' } });
        expect((await deliveriesOf(k, endpoint.id))[0]).toMatchObject({ status: 'succeeded' });
      });
    },
  );
}

function campaign(campaignId: string, at: string) {
  return {
    campaignId,
    orgId: KIT_ORG,
    name: 'Night shift reefers',
    status: 'completed' as const,
    startAt: at,
    callingWindow: { start: '08:00', end: '21:00' },
    retry: { maxAttempts: 3, backoffSecs: [900] },
    maxConcurrentCalls: 5,
    counts: {
      scheduled: 0,
      calling: 0,
      retry_scheduled: 0,
      acknowledged: 2,
      not_acknowledged: 1,
      unreachable: 0,
      opted_out: 0,
      suppressed: 0,
      canceled: 0,
    },
    driverCount: 3,
    createdBy: 'usr_1',
    createdAt: at,
    updatedAt: at,
    completedAt: at,
  };
}
