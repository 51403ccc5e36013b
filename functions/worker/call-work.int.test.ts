// The call engine end to end on both backends, the real SDKs against the simulator (by-number scripts): calling
// windows across zones and a DST change, retries up to unreachable, attention, opt-out and suppression, concurrency
// caps, pause/resume/cancel, a worker killed between claim and dial, and a dropped post-call webhook.
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { CampaignDriver, DriverState } from '../../core/domain/campaign.ts';
import type { Notice } from '../../core/domain/notice.ts';
import type { DueWork } from '../../core/ports/due-work.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import type { TriggerCallResponse } from '../../core/protocol/rest-api.ts';
import {
  driverRow,
  middayZone,
  numberEnding,
  startEngineStack,
  type EngineStack,
} from './call-work.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
const FAST_RETRY = { maxAttempts: 3, backoffSecs: [1] };

describe.each(backends)('call engine on %s', (backend) => {
  let stack: EngineStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const stateOf = async (s: EngineStack, campaignId: string, driverId: string): Promise<DriverState> =>
    (await s.backend.campaigns.getDriver(campaignId, driverId))!.state;
  const completed = (s: EngineStack, campaignId: string) => async () =>
    (await s.backend.campaigns.get(campaignId))?.status === 'completed';

  it('dials each driver only inside their local window, across zones and a DST change', async () => {
    stack = await startEngineStack({ backend });
    const s = stack;
    // Sunday 2026-03-08 06:00Z: US spring-forward day (02:00 local), Berlin still on CET, Kolkata at 11:30.
    s.clock.set('2026-03-08T06:00:00Z');
    const numbers = {
      la: numberEnding(1),
      ny: numberEnding(1),
      berlin: numberEnding(1),
      kolkata: numberEnding(1),
    };
    const campaign = await s.createCampaign({
      drivers: [
        driverRow('la', numbers.la, 'America/Los_Angeles'),
        driverRow('ny', numbers.ny, 'America/New_York'),
        driverRow('berlin', numbers.berlin, 'Europe/Berlin'),
        driverRow('kolkata', numbers.kolkata, 'Asia/Kolkata'),
      ],
    });
    const id = campaign.campaignId;
    await s.runUntil('kolkata dialed, the others waiting', async () => {
      const d = await s.drivers(id);
      return d.get('kolkata')!.attempts === 1 && ['la', 'ny', 'berlin'].every((k) => d.get(k)!.nextAttemptAt);
    });
    const waiting = await s.drivers(id);
    expect(waiting.get('la')).toMatchObject({
      state: 'scheduled',
      attempts: 0,
      nextAttemptAt: '2026-03-08T15:00:00.000Z',
    }); // 08:00 PDT
    expect(waiting.get('ny')).toMatchObject({
      state: 'scheduled',
      attempts: 0,
      nextAttemptAt: '2026-03-08T12:00:00.000Z',
    }); // 08:00 EDT
    expect(waiting.get('berlin')).toMatchObject({
      state: 'scheduled',
      attempts: 0,
      nextAttemptAt: '2026-03-08T07:00:00.000Z',
    }); // 08:00 CET
    expect((await s.backend.campaigns.get(id))?.status).toBe('running');

    const dialedAt = new Map<string, string>();
    const openings: [string, keyof typeof numbers, string][] = [
      ['2026-03-08T06:59:00Z', 'berlin', ''],
      ['2026-03-08T07:00:00Z', 'berlin', 'dialed'],
      ['2026-03-08T11:59:00Z', 'ny', ''],
      ['2026-03-08T12:00:00Z', 'ny', 'dialed'],
      ['2026-03-08T14:59:00Z', 'la', ''],
      ['2026-03-08T15:00:00Z', 'la', 'dialed'],
    ];
    for (const [at, who, expected] of openings) {
      s.clock.set(at);
      if (expected) {
        await s.runUntil(
          `${who} dialed at ${at}`,
          async () => (await s.drivers(id)).get(who)!.attempts === 1,
        );
        dialedAt.set(who, at);
      } else {
        for (let i = 0; i < 5; i++) await s.runUntil('a tick', () => true);
        expect((await s.drivers(id)).get(who)!.attempts).toBe(0);
        expect(s.dialsTo(numbers[who])).toBe(0);
      }
    }
    await s.runUntil('campaign completed', completed(s, id));
    const done = await s.drivers(id);
    for (const key of Object.keys(numbers) as (keyof typeof numbers)[]) {
      expect(done.get(key)).toMatchObject({ state: 'acknowledged', attempts: 1 });
      expect(s.dialsTo(numbers[key])).toBe(1);
    }
  });

  it('retries no-answer and busy with the backoff until unreachable, and a later answer acknowledges', async () => {
    stack = await startEngineStack({ backend });
    const s = stack;
    const zone = middayZone();
    const numbers = { noAnswer: numberEnding(2), busy: numberEnding(3), secondTime: numberEnding(6) };
    const campaign = await s.createCampaign({
      retry: FAST_RETRY,
      drivers: [
        driverRow('no-answer', numbers.noAnswer, zone),
        driverRow('busy', numbers.busy, zone),
        driverRow('second-time', numbers.secondTime, zone),
      ],
    });
    const id = campaign.campaignId;
    await s.runUntil('campaign completed', completed(s, id), 40_000);
    const d = await s.drivers(id);
    expect(d.get('no-answer')).toMatchObject({
      state: 'unreachable',
      attempts: 3,
      outcome: { failure: 'no-answer' },
    });
    expect(d.get('busy')).toMatchObject({ state: 'unreachable', attempts: 3, outcome: { failure: 'busy' } });
    expect(d.get('second-time')).toMatchObject({ state: 'acknowledged', attempts: 2 });
    expect(d.get('no-answer')!.callIds).toHaveLength(3);
    expect([s.dialsTo(numbers.noAnswer), s.dialsTo(numbers.busy), s.dialsTo(numbers.secondTime)]).toEqual([
      3, 3, 2,
    ]);

    const open = (await s.backend.attention.list('org-acme', { state: 'open', limit: 50 })).items;
    const unreachable = open.filter((i) => i.reason === 'unreachable' && i.campaignId === id);
    expect(unreachable.map((i) => i.driverId).sort()).toEqual(['busy', 'no-answer']);
    expect(unreachable.find((i) => i.driverId === 'busy')!.callIds).toEqual(d.get('busy')!.callIds);
    await expect.poll(() => completions(s.notices, id)).toBe(1);
  });

  it('puts a completed but not acknowledged call in the attention queue instead of retrying it', async () => {
    stack = await startEngineStack({ backend });
    const s = stack;
    const zone = middayZone();
    const campaign = await s.createCampaign({
      retry: FAST_RETRY,
      drivers: [driverRow('disputes', numberEnding(8), zone), driverRow('cut-short', numberEnding(5), zone)],
    });
    const id = campaign.campaignId;
    await s.runUntil('campaign completed', completed(s, id));
    const d = await s.drivers(id);
    for (const key of ['disputes', 'cut-short']) {
      expect(d.get(key)).toMatchObject({ state: 'not_acknowledged', attempts: 1 });
    }
    const items = (await s.backend.attention.list('org-acme', { state: 'open', limit: 50 })).items.filter(
      (i) => i.campaignId === id,
    );
    const byReason = (reason: string) =>
      items
        .filter((i) => i.reason === reason)
        .map((i) => i.driverId)
        .sort();
    expect(byReason('not_acknowledged')).toEqual(['cut-short', 'disputes']);
    expect(byReason('escalation')).toEqual(['cut-short']);
    for (const item of items) expect(JSON.stringify(item)).not.toMatch(/\+1555/);
    // Redelivering the call's events changes nothing: the items exist once.
    const call = (await s.backend.store.getCall(d.get('disputes')!.callIds[0]!))!;
    const events = await s.backend.store.eventsAfter(call.callId, 0);
    for (const event of events) await s.work.onBusMessage({ type: 'event', event, call });
    const again = (await s.backend.attention.list('org-acme', { state: 'open', limit: 50 })).items;
    expect(again.filter((i) => i.campaignId === id)).toHaveLength(items.length);
    expect(s.notices.filter((n) => n.kind === 'attention_opened' && n.item.campaignId === id)).toHaveLength(
      items.length,
    );
  });

  it('suppresses a driver who opts out: a later campaign marks them suppressed, a single call answers 409', async () => {
    stack = await startEngineStack({ backend });
    const s = stack;
    const zone = middayZone();
    const number = numberEnding(7);
    const first = await s.createCampaign({ drivers: [driverRow('opts-out', number, zone)] });
    await s.runUntil('first campaign completed', completed(s, first.campaignId));
    expect(await stateOf(s, first.campaignId, 'opts-out')).toBe('opted_out');
    const listed = await s.backend.suppressions.find('org-acme', number);
    expect(listed).toMatchObject({ reason: 'opt_out', createdBy: 'system', driverId: 'opts-out' });
    await expect.poll(() => s.notices.filter((n) => n.kind === 'driver_opted_out').length).toBe(1);
    const attention = (await s.backend.attention.list('org-acme', { state: 'open', limit: 50 })).items;
    expect(attention.filter((i) => i.reason === 'opted_out' && i.driverId === 'opts-out')).toHaveLength(1);

    const second = await s.createCampaign({ drivers: [driverRow('opts-out', number, zone)] });
    await s.runUntil('second campaign completed', completed(s, second.campaignId));
    expect(await s.backend.campaigns.getDriver(second.campaignId, 'opts-out')).toMatchObject({
      state: 'suppressed',
      attempts: 0,
      callIds: [],
    });
    expect(s.dialsTo(number)).toBe(1);

    const token = await s.api.login();
    const single = await s.api.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: {
        driverId: 'opts-out',
        driverName: 'Driver',
        phoneNumber: number,
        violations: [{ type: 'reminder', description: 'x' }],
      },
    });
    expect(single.status).toBe(409);
    expect((single.body as { error: { code: string } }).error.code).toBe('suppressed');
    expect(s.dialsTo(number)).toBe(1);
    expect(s.logs.join('\n')).not.toContain(number);
  });

  it('never has more calls in flight than the campaign cap or the org cap', async () => {
    stack = await startEngineStack({
      backend,
      settings: { orgMaxConcurrentCalls: 4 },
      simulator: { speed: 20 },
    });
    const s = stack;
    const zone = middayZone();
    const make = (prefix: string) =>
      s.createCampaign({
        maxConcurrentCalls: 3,
        drivers: Array.from({ length: 6 }, (_, i) => driverRow(`${prefix}${i}`, numberEnding(1), zone)),
      });
    const [a, b] = await Promise.all([make('a'), make('b')]);
    let maxA = 0;
    let maxB = 0;
    let maxLive = 0;
    const live = () =>
      s.api.sim
        .calls()
        .filter((c) => !['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(c.status)).length;
    await s.runUntil(
      'both campaigns completed',
      async () => {
        const [ca, cb] = await Promise.all([
          s.backend.campaigns.get(a.campaignId),
          s.backend.campaigns.get(b.campaignId),
        ]);
        maxA = Math.max(maxA, ca!.counts.calling);
        maxB = Math.max(maxB, cb!.counts.calling);
        expect(ca!.counts.calling).toBeLessThanOrEqual(3);
        expect(cb!.counts.calling).toBeLessThanOrEqual(3);
        expect(ca!.counts.calling + cb!.counts.calling).toBeLessThanOrEqual(4);
        maxLive = Math.max(maxLive, live());
        expect(live()).toBeLessThanOrEqual(4);
        return ca!.status === 'completed' && cb!.status === 'completed';
      },
      60_000,
    );
    expect(maxA + maxB).toBeGreaterThan(2); // the caps were reached, not just respected by running one at a time
    expect(maxLive).toBeGreaterThan(1);
    expect(s.api.sim.calls()).toHaveLength(12);
  });

  it('pause stops new dials, resume goes on, cancel ends the waiting drivers and lets the call in flight finish', async () => {
    stack = await startEngineStack({ backend, simulator: { speed: 15 } });
    const s = stack;
    const zone = middayZone();
    const campaign = await s.createCampaign({
      maxConcurrentCalls: 1,
      drivers: Array.from({ length: 5 }, (_, i) => driverRow(`d${i}`, numberEnding(1), zone)),
    });
    const id = campaign.campaignId;
    const calling = async () => [...(await s.drivers(id)).values()].filter((d) => d.state === 'calling');
    await s.runUntil('a driver calling', async () => (await calling()).length === 1);
    const first = (await calling())[0]!.driverId;
    await s.commands.pause('org-acme', id);
    await s.runUntil(
      'the call in flight finished while paused',
      async () => (await s.drivers(id)).get(first)!.state === 'acknowledged',
    );
    for (let i = 0; i < 10; i++) await s.runUntil('a tick', () => true);
    expect(s.api.sim.calls()).toHaveLength(1);
    expect((await s.backend.campaigns.get(id))!.counts.calling).toBe(0);

    await s.commands.resume('org-acme', id);
    await s.runUntil('a second driver calling', async () => (await calling()).length === 1);
    const second = (await calling())[0]!.driverId;
    await s.commands.cancel('org-acme', id);
    await s.runUntil('the call in flight finished after cancel', async () =>
      isFinal((await s.drivers(id)).get(second)!),
    );
    for (let i = 0; i < 10; i++) await s.runUntil('a tick', () => true);
    const d = await s.drivers(id);
    expect(d.get(second)!.state).toBe('acknowledged');
    const rest = [...d.values()].filter((x) => x.driverId !== first && x.driverId !== second);
    for (const driver of rest) expect(driver).toMatchObject({ state: 'canceled', attempts: 0 });
    expect(s.api.sim.calls()).toHaveLength(2);
    expect((await s.backend.campaigns.get(id))!.status).toBe('canceled');
  });

  it.each(['before the provider was asked', 'after the provider placed the call'] as const)(
    'a worker killed between claim and dial (%s): one call for the attempt, and the attempt goes on',
    async (when) => {
      // Status callbacks are held back until the recovery ran, so it must find the call in the provider's list.
      const block = { status: when === 'after the provider placed the call' };
      stack = await startEngineStack({
        backend,
        unreachable: (url) => block.status && url.includes('/status'),
      });
      const s = stack;
      const number = numberEnding(1);
      const hang = () => new Promise<never>(() => {});
      // The "killed" process: its dial stops at the chosen point forever, and it never reports back on its lease.
      const store = s.backend.store;
      const stuckStore = new Proxy(store, {
        get: (target, prop) => {
          if (prop === 'linkProviderIds') return hang;
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const deadDialer =
        when === 'before the provider was asked' ? s.dialerWith({}) : s.dialerWith({ store: stuckStore });
      if (when === 'before the provider was asked') deadDialer.trigger = hang;
      const silentDueWork: DueWork = {
        ...s.backend.dueWork,
        claimDue: (r) => s.backend.dueWork.claimDue(r),
        schedule: (r) => s.backend.dueWork.schedule(r),
        cancel: (k) => s.backend.dueWork.cancel(k),
        complete: async () => false,
        reschedule: async () => false,
      };
      const dead = s.runner({ dueWork: silentDueWork, leaseMs: 1000 }, s.module({ dialer: deadDialer }));

      const campaign = await s.createCampaign({ drivers: [driverRow('d', number, middayZone())] });
      const id = campaign.campaignId;
      if (when === 'after the provider placed the call') s.api.sim.pause();
      void dead.tick(); // claims the driver, takes the slot, and dies mid-dial
      await expect
        .poll(async () => (await s.drivers(id)).get('d')!.state, { timeout: 10_000 })
        .toBe('calling');
      if (when === 'after the provider placed the call') {
        await expect.poll(() => s.dialsTo(number), { timeout: 10_000 }).toBe(1);
        // Recovery must find the call at the provider (Calls list), not learn of it from its callbacks.
        await s.runUntil('the dial recovered from the provider call list', () =>
          s.logs.some((l) => l.includes('an unconfirmed dial had reached the provider; linked')),
        );
        block.status = false;
        s.api.sim.resume();
      }
      // A healthy worker takes over once the lease ran out (and the dial's grace passed).
      await s.runUntil(
        'the attempt concluded',
        async () => (await s.drivers(id)).get('d')!.state === 'acknowledged',
        40_000,
      );
      await s.api.settle();
      expect(s.dialsTo(number)).toBe(1);
      const d = (await s.drivers(id)).get('d')!;
      expect(d).toMatchObject({ attempts: 1 });
      const call = (await s.backend.store.getCall(d.callIds[0]!)) as Call;
      expect(call.callSid).toBe(s.api.sim.calls().find((c) => c.to === number)!.callSid);
    },
  );

  it('reconciles a dropped post-call webhook automatically from the conversation', async () => {
    stack = await startEngineStack({
      backend,
      env: { DIAL_MODE: 'elevenlabs' },
      unreachable: (url) => url.includes('/webhooks/elevenlabs'),
    });
    const s = stack;
    const campaign = await s.createCampaign({ drivers: [driverRow('d', numberEnding(1), middayZone())] });
    const id = campaign.campaignId;
    await s.runUntil('campaign completed', completed(s, id), 20_000);
    const d = (await s.drivers(id)).get('d')!;
    expect(d).toMatchObject({ state: 'acknowledged', attempts: 1 });
    const events: CallEvent[] = await s.backend.store.eventsAfter(d.callIds[0]!, 0);
    expect(
      events.filter((e) => e.kind === 'transcript').map((e) => e.kind === 'transcript' && e.source),
    ).toEqual(['elevenlabs_fetch']);
    expect(s.api.sim.deliveries().some((x) => x.kind === 'elevenlabs' && x.outcome !== 'delivered')).toBe(
      true,
    );
  });

  it('routes a single call through due work: its recovery item is dropped once the provider confirmed it', async () => {
    stack = await startEngineStack({ backend });
    const s = stack;
    const token = await s.api.login();
    const res = await s.api.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: {
        driverId: 'x',
        driverName: 'X',
        phoneNumber: numberEnding(1),
        violations: [{ type: 'reminder', description: 'x' }],
      },
    });
    expect(res.status).toBe(201);
    const { callId } = res.body as TriggerCallResponse;
    const far = new Date(Date.now() + 3600_000);
    const due = await s.backend.dueWork.claimDue({
      now: far,
      limit: 50,
      leaseMs: 1000,
      kinds: ['call_dial'],
    });
    expect(due.filter((i) => i.payload.includes(callId))).toEqual([]);
  });
});

function completions(notices: Notice[], campaignId: string): number {
  return notices.filter((n) => n.kind === 'campaign_completed' && n.campaign.campaignId === campaignId)
    .length;
}

function isFinal(driver: CampaignDriver): boolean {
  return !['scheduled', 'calling', 'retry_scheduled'].includes(driver.state);
}
