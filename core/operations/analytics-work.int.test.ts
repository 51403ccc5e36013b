// Analytics end to end on both backends: calls with known outcomes written through the real write path and bus,
// attention opened and resolved through the real paths, the worker's analytics module counting, GET /analytics
// answering figures that match a hand count — with every bus message delivered twice.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiStack, ORG, type ApiStack } from '../../functions/api/api.test-kit.ts';
import { composeWorker, type Worker } from '../../functions/worker/compose-worker.ts';
import { dayIn } from '../domain/analytics.ts';
import type { AttentionItem } from '../domain/attention.ts';
import type { CampaignLink, Trigger } from '../domain/call.ts';
import type { CallEventBody } from '../domain/call-event.ts';
import type { AnalyticsResponse, AnalyticsRow } from '../protocol/rest-api.ts';
import type { BusMessage } from '../ports/event-bus.ts';
import { systemClock } from '../support/clock.ts';
import { BACKENDS, emulatorsAvailable, type BackendName } from '../../test/backends.ts';
import { silentLogger } from '../../test/test-backend.ts';
import { createAnalyticsWork } from './analytics-work.ts';
import { attentionIdFor, openAttention } from './attention-items.ts';
import { recordCallEvent } from './record-call-event.ts';

const TEMP: Trigger = { type: 'violation', description: 'Reefer at 45F, needs 38F' };
const PHOTOS: Trigger = { type: 'reminder', description: 'Please send loaded trailer pictures' };
const HOS: Trigger = { type: 'violation', description: 'HOS 11-hour driving limit reached' };

/** What each seeded call does; `ackAfterSecs` is when it ends after its creation. */
interface Seed {
  name: string;
  triggers: Trigger[];
  campaign?: string;
  end: 'acknowledged' | 'declined' | 'voicemail' | 'no-answer' | 'ongoing';
  endAfterSecs?: number;
}

const SEEDS: Seed[] = [
  { name: 'c1', triggers: [TEMP, PHOTOS], campaign: 'cmp-a', end: 'acknowledged', endAfterSecs: 60 },
  { name: 'c2', triggers: [TEMP], campaign: 'cmp-a', end: 'declined', endAfterSecs: 45 },
  { name: 'c3', triggers: [HOS], end: 'voicemail', endAfterSecs: 30 },
  { name: 'c4', triggers: [PHOTOS], end: 'no-answer', endAfterSecs: 40 },
  { name: 'c5', triggers: [HOS], campaign: 'cmp-b', end: 'acknowledged', endAfterSecs: 100 },
  { name: 'c6', triggers: [TEMP], campaign: 'cmp-b', end: 'ongoing' },
];

function eventsOf(seed: Seed, createdAt: string): CallEventBody[] {
  const at = (secs: number) => new Date(Date.parse(createdAt) + secs * 1000).toISOString();
  const status = (s: 'ringing' | 'in-progress' | 'completed' | 'no-answer', secs: number): CallEventBody => ({
    kind: 'call_status',
    status: s,
    source: 'twilio',
    occurredAt: at(secs),
  });
  const transcript = (callResult: string, acknowledged?: boolean): CallEventBody => ({
    kind: 'transcript',
    conversationId: `conv-${seed.name}`,
    source: 'elevenlabs_webhook',
    conversationStatus: 'done',
    turns: [],
    callResult,
    dataCollection:
      acknowledged === undefined ? {} : { acknowledged: { value: acknowledged ? 'yes' : false } },
  });
  const end = seed.endAfterSecs ?? 0;
  switch (seed.end) {
    case 'ongoing':
      return [status('ringing', 5), status('in-progress', 10)];
    case 'no-answer':
      return [status('ringing', 5), status('no-answer', end)];
    case 'voicemail':
      return [status('in-progress', 10), status('completed', end), transcript('voicemail')];
    case 'declined':
      return [status('in-progress', 10), status('completed', end), transcript('answered', false)];
    case 'acknowledged':
      return [status('in-progress', 10), status('completed', end), transcript('answered', true)];
  }
}

describe.each(BACKENDS)('analytics on %s', (name: BackendName) => {
  const run = name === 'memory' || emulatorsAvailable();
  const open: { stack?: ApiStack; worker?: Worker } = {};
  afterEach(async () => {
    await open.worker?.stop();
    await open.stack?.close();
  });

  it.skipIf(!run)(
    'answers figures matching a hand count, with every bus message delivered twice',
    async () => {
      const stack = await startApiStack({ backend: name });
      open.stack = stack;
      const { backend } = stack;
      const logger = silentLogger();
      const analytics = createAnalyticsWork({
        analytics: backend.analytics,
        store: backend.store,
        timeZone: stack.config.orgDefaultTimezone,
        logger,
      });
      let handled = 0;
      const worker = composeWorker({
        dueWork: backend.dueWork,
        bus: backend.bus,
        modules: [
          {
            ...analytics,
            onBusMessage: async (m: BusMessage) => {
              await analytics.onBusMessage(m);
              handled += 1;
            },
          },
        ],
        clock: systemClock,
        logger,
        config: {
          tickMs: 200,
          concurrency: 2,
          leaseMs: 5000,
          errorRetryMs: 300,
          busGroup: `analytics-${randomUUID().slice(0, 8)}`,
          shutdownMs: 0,
          tickBudgetMs: 5000,
        },
      });
      open.worker = worker;
      await worker.start();

      let published = 0;
      const days = new Set<string>();
      const callIds = new Map<string, string>();
      const recorder = { store: backend.store, bus: backend.bus, logger };
      for (const seed of SEEDS) {
        const campaign: CampaignLink | undefined = seed.campaign
          ? { campaignId: seed.campaign, driverId: `drv-${seed.name}`, attempt: 1 }
          : undefined;
        const { call } = await backend.store.createCall({
          callId: `call-${seed.name}-${randomUUID().slice(0, 6)}`,
          orgId: ORG,
          driver: { id: `drv-${seed.name}`, name: `Driver ${seed.name}` },
          triggers: seed.triggers,
          ...(campaign ? { campaign } : {}),
        });
        callIds.set(seed.name, call.callId);
        days.add(dayIn(call.createdAt, stack.config.orgDefaultTimezone));
        for (const [i, body] of eventsOf(seed, call.createdAt).entries()) {
          // The same draft twice: the second append is a duplicate and republishes the stored event.
          for (let copy = 0; copy < 2; copy++) {
            await recordCallEvent(recorder, call.callId, { dedupeKey: `${seed.name}:${i}`, body }, 'reject');
            published += 1;
          }
        }
      }

      const items: AttentionItem[] = [];
      for (const [reason, seed, campaignId] of [
        ['not_acknowledged', 'c2', 'cmp-a'],
        ['escalation', 'c5', 'cmp-b'],
      ] as const) {
        const callId = callIds.get(seed)!;
        const item = await openAttention(
          { attention: backend.attention, bus: backend.bus, logger },
          {
            attentionId: attentionIdFor(ORG, reason, callId),
            orgId: ORG,
            reason,
            driverId: `drv-${seed}`,
            driverName: `Driver ${seed}`,
            callIds: [callId],
            campaignId,
            openedAt: new Date().toISOString(),
          },
        );
        items.push(item);
        await backend.bus.publish({ type: 'notice', orgId: ORG, notice: { kind: 'attention_opened', item } });
        published += 2;
        days.add(dayIn(item.openedAt, stack.config.orgDefaultTimezone));
      }

      const token = await stack.login(ORG);
      const resolved = await stack.request('POST', `/attention/${items[0]!.attentionId}/resolve`, {
        token,
        body: { note: 'called the driver back' },
      });
      expect(resolved.status).toBe(200);
      const resolvedItem = resolved.body as AttentionItem;
      await backend.bus.publish({
        type: 'notice',
        orgId: ORG,
        notice: { kind: 'attention_resolved', item: resolvedItem },
      });
      published += 2;
      days.add(dayIn(resolvedItem.resolved!.at, stack.config.orgDefaultTimezone));

      await expect.poll(() => handled, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(published);

      const sorted = [...days].sort();
      const get = async (groupBy: string) => {
        const res = await stack.request(
          'GET',
          `/analytics?from=${sorted[0]}&to=${sorted.at(-1)}&groupBy=${groupBy}`,
          { token },
        );
        expect(res.status).toBe(200);
        return res.body as AnalyticsResponse;
      };
      const figures = (
        dialed: number,
        connected: number,
        acknowledged: number,
        opened = 0,
        resolvedCount = 0,
      ) => ({
        dialed,
        connected,
        answerRate: dialed ? Math.round((connected / dialed) * 10000) / 10000 : null,
        acknowledged,
        acknowledgmentRate: connected ? Math.round((acknowledged / connected) * 10000) / 10000 : null,
        attentionOpened: opened,
        attentionResolved: resolvedCount,
      });
      const byKey = (rows: AnalyticsRow[]) =>
        Object.fromEntries(rows.map(({ key, medianSecsToAcknowledge: _m, ...f }) => [key, f]));

      // Hand count: c1-c5 ended (c6 is still going); c1, c2, c5 reached a person (c3 voicemail, c4 no answer);
      // c1 and c5 acknowledged, 60 s and 100 s after dialing: buckets [60, 90) and [90, 120), median at 90 s
      // (interpolated: the second of two halves ends the first bucket); cmp-b alone: mid-bucket, 105 s.
      const byDay = await get('day');
      expect(byDay.totals).toEqual({ ...figures(5, 3, 2, 2, 1), medianSecsToAcknowledge: 90 });
      expect(byDay.rows.reduce((n, r) => n + r.dialed, 0)).toBe(5);

      const byType = await get('violationType');
      expect(byType.totals).toEqual(byDay.totals);
      expect(byKey(byType.rows)).toEqual({
        'violation:temperature': figures(2, 2, 1, 1, 1),
        'reminder:documents': figures(2, 1, 1),
        'violation:hours_of_service': figures(2, 1, 1, 1, 0),
      });

      const byCampaign = await get('campaign');
      expect(byKey(byCampaign.rows)).toEqual({
        'cmp-a': figures(2, 2, 1, 1, 1),
        'cmp-b': figures(1, 1, 1, 1, 0),
        none: figures(2, 0, 0),
      });
      expect(byCampaign.rows.find((r) => r.key === 'cmp-b')?.medianSecsToAcknowledge).toBe(105);
      expect(byCampaign.rows.find((r) => r.key === 'none')?.medianSecsToAcknowledge).toBeNull();
    },
    90_000,
  );
});
