// Live campaign progress over a real relay with real ws clients, on the memory backend and on the emulators.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign, CampaignDriver } from '../../core/domain/campaign.ts';
import type { Notice } from '../../core/domain/notice.ts';
import type { Backend } from '../../core/ports/backend.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import type {
  CampaignMessage,
  CampaignUpdatedMessage,
  ErrorMessage,
  LiveCampaignDriver,
} from '../../core/protocol/relay-messages.ts';
import type { CampaignSummary } from '../../core/protocol/rest-api.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { RelayClient, type ConnectionState } from '../../client/relay-client.ts';
import type { WebSocketConstructor } from '../../client/web-socket-like.ts';
import { seedCall, startRelay, TestSocket, type RelayFixture } from './relay.test-kit.ts';

const PHONE_PREFIX = '+1555017';
/** Enough for a wrongly delivered extra message to arrive before we assert its absence. */
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
const ms = (iso: string) => Date.parse(iso);
const later = (iso: string, by: number) => new Date(ms(iso) + by).toISOString();

async function createCampaign(backend: Backend, orgId: string, drivers = 3): Promise<Campaign> {
  const campaignId = `cmp_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const { campaign } = await backend.campaigns.create({
    campaignId,
    orgId,
    name: `Campaign ${campaignId}`,
    startAt: new Date().toISOString(),
    callingWindow: { start: '08:00', end: '21:00' },
    retry: { maxAttempts: 3, backoffSecs: [60] },
    maxConcurrentCalls: 5,
    createdBy: 'disp-1',
    createdAt: new Date().toISOString(),
    drivers: Array.from({ length: drivers }, (_, i) => ({
      driverId: `d${i + 1}`,
      driverName: `Driver ${i + 1}`,
      phoneNumber: `${PHONE_PREFIX}${String(i).padStart(2, '0')}`,
      timezone: 'America/Chicago',
      violations: [],
    })),
  });
  return campaign;
}

/** Moves a driver in the store as the engine does, and publishes the engine's notice for it. */
async function advance(
  backend: Backend,
  campaign: Campaign,
  driverId: string,
  change: Partial<CampaignDriver>,
): Promise<{ campaign: Campaign; driver: CampaignDriver }> {
  const result = await backend.campaigns.updateDriver(campaign.campaignId, driverId, ({ driver }) => ({
    ...driver,
    ...change,
    updatedAt: new Date(Math.max(Date.now(), ms(driver.updatedAt) + 1)).toISOString(),
  }));
  if (!result) throw new Error('unknown driver');
  await publishNotice(backend, campaign.orgId, {
    kind: 'campaign_progress',
    campaign: result.campaign,
    driver: result.driver,
  });
  return result;
}

const publishNotice = (backend: Backend, orgId: string, notice: Notice) =>
  backend.bus.publish({ type: 'notice', orgId, notice });

const updates = (s: TestSocket, campaignId: string) =>
  s.messages.filter(
    (m): m is CampaignUpdatedMessage => m.type === 'campaign_updated' && m.campaign.campaignId === campaignId,
  );

/** The client's view after the snapshot and every update, as the protocol says to apply them. */
function applied(s: TestSocket, campaignId: string) {
  const snapshot = s.messages.find(
    (m): m is CampaignMessage => m.type === 'campaign' && m.campaign.campaignId === campaignId,
  );
  if (!snapshot) throw new Error('no snapshot');
  let campaign = snapshot.campaign;
  const drivers = new Map(snapshot.drivers.map((d) => [d.driverId, d]));
  for (const u of updates(s, campaignId)) {
    campaign = u.campaign;
    if (u.driver) drivers.set(u.driver.driverId, u.driver);
  }
  return { campaign, drivers };
}

describe.each(BACKENDS)('relay campaign stream (%s backend)', (backendName) => {
  const skip = backendName === 'google' && !emulatorsAvailable();
  let fx: RelayFixture;
  const sockets: TestSocket[] = [];
  const open = async (claims?: { org?: string }) => {
    const socket = await TestSocket.open(fx.url, await fx.token(claims));
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    if (!skip) fx = await startRelay(backendName, { maxSubscriptionsPerSocket: 4 });
  });
  afterAll(async () => {
    // No frame any socket of this suite received ever carried a phone number.
    for (const s of sockets) expect(JSON.stringify(s.messages)).not.toContain(PHONE_PREFIX);
    for (const s of sockets) s.close();
    await fx?.close();
  });

  it.skipIf(skip)('snapshot (no phone numbers) then live updates, until unsubscribed', async () => {
    const campaign = await createCampaign(fx.backend, 'org-a');
    const s = await open();
    s.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
    const snap = await s.waitFor<CampaignMessage>((m) => m.type === 'campaign');
    expect(snap.campaign).toMatchObject({
      campaignId: campaign.campaignId,
      status: 'scheduled',
      driverCount: 3,
      counts: { scheduled: 3 },
    });
    expect(snap.campaign).not.toHaveProperty('orgId');
    expect(snap.drivers.map((d) => [d.driverId, d.state])).toEqual([
      ['d1', 'scheduled'],
      ['d2', 'scheduled'],
      ['d3', 'scheduled'],
    ]);
    expect(snap.drivers[0]).not.toHaveProperty('phoneNumber');

    await advance(fx.backend, campaign, 'd2', { state: 'calling', attempts: 1, callIds: ['call-x'] });
    const first = await s.waitFor<CampaignUpdatedMessage>((m) => m.type === 'campaign_updated');
    expect(first.driver).toMatchObject({
      driverId: 'd2',
      state: 'calling',
      attempts: 1,
      callIds: ['call-x'],
    });
    expect(first.driver).not.toHaveProperty('phoneNumber');
    expect(first.campaign.counts).toMatchObject({ scheduled: 2, calling: 1 });

    // Every driver to a final state: the store completes the campaign; the engine says so.
    await advance(fx.backend, campaign, 'd2', { state: 'acknowledged' });
    await advance(fx.backend, campaign, 'd1', { state: 'unreachable' });
    const last = await advance(fx.backend, campaign, 'd3', { state: 'opted_out' });
    await publishNotice(fx.backend, 'org-a', { kind: 'campaign_completed', campaign: last.campaign });
    await s.waitFor((m) => m.type === 'campaign_updated' && m.campaign.status === 'completed' && !m.driver);
    const view = applied(s, campaign.campaignId);
    expect(view.campaign.counts).toMatchObject({
      acknowledged: 1,
      unreachable: 1,
      opted_out: 1,
      scheduled: 0,
    });
    expect([...view.drivers.values()].map((d) => d.state)).toEqual([
      'unreachable',
      'acknowledged',
      'opted_out',
    ]);

    s.send({ type: 'unsubscribe_campaign', campaignId: campaign.campaignId });
    await s.waitFor((m) => m.type === 'unsubscribed_campaign');
    const count = updates(s, campaign.campaignId).length;
    await publishNotice(fx.backend, 'org-a', {
      kind: 'campaign_progress',
      campaign: { ...last.campaign, updatedAt: later(last.campaign.updatedAt, 1000) },
    });
    await settle();
    expect(updates(s, campaign.campaignId)).toHaveLength(count);
    await waitUntil(() => fx.relay.hub.campaignFollowerCount(campaign.campaignId) === 0);
  });

  it.skipIf(skip)(
    "org isolation: another org's campaign is not_found like a missing one, and its notices never arrive",
    async () => {
      const theirs = await createCampaign(fx.backend, 'org-a');
      const mine = await createCampaign(fx.backend, 'org-b');
      const b = await open({ org: 'org-b' });
      b.send({ type: 'subscribe_campaign', campaignId: theirs.campaignId });
      b.send({ type: 'subscribe_campaign', campaignId: 'cmp_does_not_exist' });
      b.send({ type: 'subscribe_campaign', campaignId: mine.campaignId });
      const e1 = await b.waitFor<ErrorMessage>(
        (m) => m.type === 'error' && m.campaignId === theirs.campaignId,
      );
      const e2 = await b.waitFor<ErrorMessage>(
        (m) => m.type === 'error' && m.campaignId === 'cmp_does_not_exist',
      );
      expect(e1.code).toBe('not_found');
      expect({ ...e2, campaignId: theirs.campaignId }).toEqual(e1);
      await b.waitFor((m) => m.type === 'campaign' && m.campaign.campaignId === mine.campaignId);

      const a = await open({ org: 'org-a' });
      a.send({ type: 'subscribe_campaign', campaignId: theirs.campaignId });
      await a.waitFor((m) => m.type === 'campaign');
      // Org A's real progress, then a notice claiming org B for org A's campaign, then org A's campaign record
      // under org B's own campaign id: none of them may reach org B, and the forged ones not org A either.
      await advance(fx.backend, theirs, 'd1', { state: 'calling', attempts: 1 });
      const forgedAt = later(new Date().toISOString(), 60_000);
      await publishNotice(fx.backend, 'org-b', {
        kind: 'campaign_progress',
        campaign: { ...theirs, updatedAt: forgedAt, name: 'forged-1' },
      });
      await publishNotice(fx.backend, 'org-b', {
        kind: 'campaign_progress',
        campaign: { ...theirs, campaignId: mine.campaignId, updatedAt: forgedAt, name: 'forged-2' },
      });
      // A sentinel per campaign, published last on each campaign's ordering key.
      await advance(fx.backend, theirs, 'd2', { state: 'calling', attempts: 1 });
      await advance(fx.backend, mine, 'd1', { state: 'calling', attempts: 1 });
      await a.waitFor((m) => m.type === 'campaign_updated' && m.driver?.driverId === 'd2');
      await b.waitFor((m) => m.type === 'campaign_updated' && m.campaign.campaignId === mine.campaignId);
      await settle();
      const bStream = b.messages.filter((m) => m.type === 'campaign' || m.type === 'campaign_updated');
      expect(JSON.stringify(bStream)).not.toContain(theirs.campaignId);
      expect(JSON.stringify([...a.messages, ...b.messages])).not.toContain('forged');
      expect(updates(a, theirs.campaignId).map((u) => u.driver?.driverId)).toEqual(['d1', 'd2']);
      expect(updates(b, mine.campaignId).map((u) => u.driver?.driverId)).toEqual(['d1']);
    },
  );

  it.skipIf(skip)(
    'drops notices older than what the socket was sent; a newer driver under an older campaign keeps the newer campaign',
    async () => {
      const campaign = await createCampaign(fx.backend, 'org-a');
      const s = await open();
      s.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
      const snap = await s.waitFor<CampaignMessage>((m) => m.type === 'campaign');
      const d1 = (await fx.backend.campaigns.getDriver(campaign.campaignId, 'd1'))!;
      const t0 = snap.campaign.updatedAt;
      const at = (n: number) => later(t0, n * 1000);
      const c = (n: number, extra: Partial<Campaign> = {}): Campaign => ({
        ...campaign,
        updatedAt: at(n),
        ...extra,
      });
      const d = (n: number, state: CampaignDriver['state']): CampaignDriver => ({
        ...d1,
        state,
        updatedAt: at(n),
      });
      const send = (notice: Notice) => publishNotice(fx.backend, 'org-a', notice);

      await send({ kind: 'campaign_progress', campaign: c(-5, { name: 'older than the snapshot' }) });
      await send({ kind: 'campaign_progress', campaign: c(2, { name: 'two' }), driver: d(2, 'calling') });
      await send({ kind: 'campaign_progress', campaign: c(2, { name: 'two' }), driver: d(2, 'calling') }); // repeat
      await send({ kind: 'campaign_progress', campaign: c(1, { name: 'one' }), driver: d(1, 'scheduled') }); // late
      // A driver change newer than sent, carried with a campaign older than sent.
      const d2 = (await fx.backend.campaigns.getDriver(campaign.campaignId, 'd2'))!;
      await send({
        kind: 'campaign_progress',
        campaign: c(1, { name: 'one' }),
        driver: { ...d2, state: 'calling', updatedAt: at(3) },
      });
      await send({ kind: 'campaign_progress', campaign: c(4, { name: 'four' }) }); // sentinel
      await s.waitFor((m) => m.type === 'campaign_updated' && m.campaign.name === 'four');
      await settle();
      const got = updates(s, campaign.campaignId).map((u) => [
        u.campaign.name,
        u.driver?.driverId,
        u.driver?.state,
      ]);
      expect(got).toEqual([
        ['two', 'd1', 'calling'],
        ['two', 'd2', 'calling'],
        ['four', undefined, undefined],
      ]);
      const times = updates(s, campaign.campaignId).map((u) => ms(u.campaign.updatedAt));
      expect(times).toEqual([...times].sort((x, y) => x - y));
    },
  );

  it.skipIf(skip)(
    'no update is lost or applied out of order while the snapshot is read under a stream of changes',
    async () => {
      const campaign = await createCampaign(fx.backend, 'org-a', 4);
      const states: CampaignDriver['state'][] = ['calling', 'retry_scheduled', 'calling', 'acknowledged'];
      const writer = (async () => {
        for (const state of states)
          for (const driverId of ['d1', 'd2', 'd3', 'd4'])
            await advance(fx.backend, campaign, driverId, { state });
      })();
      const subs = await Promise.all([open(), open(), open()]);
      for (const s of subs) s.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
      await writer;
      const final = (await fx.backend.campaigns.get(campaign.campaignId))!;
      const finalDrivers = await fx.backend.campaigns.drivers(campaign.campaignId);
      for (const s of subs) {
        await s.waitFor(() => {
          try {
            return applied(s, campaign.campaignId).campaign.status === 'completed';
          } catch {
            return false;
          }
        }, 15_000);
        const view = applied(s, campaign.campaignId);
        expect(view.campaign.counts).toEqual(final.counts);
        expect([...view.drivers.values()].map((d) => d.state)).toEqual(finalDrivers.map((d) => d.state));
        const times = updates(s, campaign.campaignId).map((u) => ms(u.campaign.updatedAt));
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }
    },
  );

  it.skipIf(skip)(
    'a notice arriving while the snapshot is read is sent after it when newer, dropped when older',
    async () => {
      // Once armed, a drivers read completes, then its answer is held while the test publishes: the notice lands
      // mid-snapshot. A follower subscribed before arming is live and shows when the relay has handled the notice.
      let release = () => {};
      let hold: Promise<void> | undefined;
      const real = fx.backend.campaigns;
      const campaigns: CampaignStore = {
        create: (c) => real.create(c),
        get: (id) => real.get(id),
        list: (org, page) => real.list(org, page),
        drivers: async (id) => {
          const gate = hold;
          const drivers = await real.drivers(id);
          await gate;
          return drivers;
        },
        getDriver: (id, driverId) => real.getDriver(id, driverId),
        updateDriver: (id, driverId, update) => real.updateDriver(id, driverId, update),
        updateCampaign: (id, update) => real.updateCampaign(id, update),
      };
      const gated = await startRelay(backendName, {}, { backend: { ...fx.backend, campaigns } });
      try {
        const campaign = await createCampaign(fx.backend, 'org-a', 2);
        const token = await fx.token();
        const witness = await TestSocket.open(gated.url, token);
        witness.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
        await witness.waitFor((m) => m.type === 'campaign');
        hold = new Promise<void>((resolve) => (release = resolve));
        const late = await TestSocket.open(gated.url, token);
        late.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
        await waitUntil(() => gated.relay.hub.campaignFollowerCount(campaign.campaignId) === 2);
        const stale = { ...campaign, updatedAt: later(campaign.updatedAt, -1000), name: 'stale' };
        await publishNotice(fx.backend, 'org-a', { kind: 'campaign_progress', campaign: stale });
        const moved = await advance(fx.backend, campaign, 'd1', { state: 'calling', attempts: 1 });
        // Same ordering key: once the witness has the update, the relay has handled both notices.
        await witness.waitFor((m) => m.type === 'campaign_updated');
        expect(late.messages.some((m) => m.type.startsWith('campaign'))).toBe(false);
        release();
        for (const s of [witness, late]) {
          await s.waitFor((m) => m.type === 'campaign_updated');
          await settle();
          const types = s.messages.filter((m) => m.type.startsWith('campaign')).map((m) => m.type);
          expect(types).toEqual(['campaign', 'campaign_updated']);
          const snap = s.messages.find((m): m is CampaignMessage => m.type === 'campaign')!;
          expect(snap.drivers.map((d) => d.state)).toEqual(['scheduled', 'scheduled']);
          expect(updates(s, campaign.campaignId)[0]).toMatchObject({
            campaign: { counts: moved.campaign.counts },
            driver: { driverId: 'd1', state: 'calling' },
          });
          s.close();
        }
      } finally {
        release();
        await gated.close();
      }
    },
  );

  it.skipIf(skip)('campaign and call subscriptions share the per-socket cap', async () => {
    const campaigns = await Promise.all([1, 2, 3].map(() => createCampaign(fx.backend, 'org-a', 1)));
    await seedCall(fx.backend, 'call-held');
    const s = await open();
    for (const c of campaigns) s.send({ type: 'subscribe_campaign', campaignId: c.campaignId });
    await s.waitFor(() => s.messages.filter((m) => m.type === 'campaign').length === 3);
    s.send({ type: 'subscribe', callId: 'call-held' }); // the 4th subscription: at the cap
    await s.waitFor((m) => m.type === 'subscribed');
    const extra = await createCampaign(fx.backend, 'org-a', 1);
    s.send({ type: 'subscribe_campaign', campaignId: extra.campaignId });
    s.send({ type: 'subscribe', callId: 'call-other' });
    s.send({ type: 'subscribe_campaign', campaignId: campaigns[0]!.campaignId }); // already held: a fresh snapshot
    await s.waitFor(() => s.messages.filter((m) => m.type === 'campaign').length === 4);
    s.send({ type: 'unsubscribe_campaign', campaignId: campaigns[1]!.campaignId });
    s.send({ type: 'subscribe_campaign', campaignId: extra.campaignId });
    await s.waitFor((m) => m.type === 'campaign' && m.campaign.campaignId === extra.campaignId);
    const errors = s.messages.filter((m): m is ErrorMessage => m.type === 'error');
    expect(errors.map((e) => [e.code, e.campaignId ?? e.callId])).toEqual([
      ['too_many_subscriptions', extra.campaignId],
      ['too_many_subscriptions', 'call-other'],
    ]);
  });

  it.skipIf(skip)(
    'the client library follows a campaign and gets a fresh snapshot after a reconnect',
    async () => {
      const campaign = await createCampaign(fx.backend, 'org-a', 2);
      const opened: WebSocket[] = [];
      const Tracked = class extends WebSocket {
        constructor(url: string) {
          super(url);
          opened.push(this);
        }
      } as unknown as WebSocketConstructor;
      const states: ConnectionState[] = [];
      const token = await fx.token();
      // Holds the reconnect until the test has changed the campaign behind the dropped link.
      let gate: Promise<void> = Promise.resolve();
      let release = () => {};
      const client = new RelayClient({
        url: fx.url,
        getToken: async () => {
          await gate;
          return token;
        },
        WebSocket: Tracked,
        backoff: { initialMs: 10, maxMs: 50 },
        onStateChange: (state) => states.push(state),
      });
      const snapshots: Array<{ campaign: CampaignSummary; drivers: LiveCampaignDriver[] }> = [];
      const seen: Array<LiveCampaignDriver | undefined> = [];
      try {
        client.connect();
        client.followCampaign(campaign.campaignId, {
          onSnapshot: (c, drivers) => snapshots.push({ campaign: c, drivers }),
          onUpdate: (_c, driver) => seen.push(driver),
        });
        await waitUntil(() => snapshots.length === 1);
        await advance(fx.backend, campaign, 'd1', { state: 'calling', attempts: 1 });
        await waitUntil(() => seen.length === 1);
        expect(seen[0]).toMatchObject({ driverId: 'd1', state: 'calling' });

        // The link drops; meanwhile d2 changes and its notice is lost (never published). The resubscribe's snapshot
        // brings it.
        gate = new Promise((resolve) => (release = resolve));
        opened.at(-1)!.terminate();
        await waitUntil(() => states.includes('reconnecting'));
        await fx.backend.campaigns.updateDriver(campaign.campaignId, 'd2', ({ driver }) => ({
          ...driver,
          state: 'unreachable',
          updatedAt: new Date().toISOString(),
        }));
        release();
        await waitUntil(() => snapshots.length === 2, 10_000);
        expect(opened.length).toBeGreaterThanOrEqual(2);
        expect(snapshots[1]!.drivers.map((d) => d.state)).toEqual(['calling', 'unreachable']);
        expect(snapshots[1]!.campaign.counts).toMatchObject({ calling: 1, unreachable: 1 });
        expect(JSON.stringify(snapshots)).not.toContain(PHONE_PREFIX);

        // A second listener on the same campaign gets the current state at once, without another subscription.
        const late: string[] = [];
        client.followCampaign(campaign.campaignId, {
          onSnapshot: (_c, drivers) => late.push(drivers.map((d) => d.state).join(',')),
          onUpdate: () => {},
        });
        expect(late).toEqual(['calling,unreachable']);
      } finally {
        client.close();
      }
    },
  );

  it.skipIf(skip)(
    'a flood of notices to a stalled follower closes it (4008) while a reading follower gets every one',
    async () => {
      const small = await startRelay(
        backendName,
        { maxBufferedBytes: 64 * 1024, closeGraceMs: 10_000 },
        { backend: fx.backend },
      );
      try {
        const campaign = await createCampaign(fx.backend, 'org-a', 1);
        const token = await fx.token();
        const healthy = new WebSocket(`${small.url}?token=${token}`);
        let healthyLast = 0;
        healthy.on('message', (data) => {
          const match = /"attempts":(\d+)/.exec(String(data));
          if (match) healthyLast = Number(match[1]);
        });
        await new Promise((resolve) => healthy.once('open', resolve));
        healthy.send(JSON.stringify({ type: 'subscribe_campaign', campaignId: campaign.campaignId }));
        const stalled = await TestSocket.open(small.url, token);
        stalled.send({ type: 'subscribe_campaign', campaignId: campaign.campaignId });
        const snap = await stalled.waitFor<CampaignMessage>((m) => m.type === 'campaign');
        await waitUntil(() => small.relay.hub.campaignFollowerCount(campaign.campaignId) === 2);
        stalled.ws.pause();
        let stalledClosed = false;
        void stalled.closed.then(() => (stalledClosed = true));

        const driver = (await fx.backend.campaigns.getDriver(campaign.campaignId, 'd1'))!;
        const summary = 's'.repeat(8 * 1024);
        const batch = 50;
        const max = 4000; // ~32 MiB: far more than loopback kernel buffers absorb
        let n = 0;
        while (!stalledClosed && n < max) {
          const sends: Array<Promise<void>> = [];
          for (let i = 0; i < batch; i++) {
            n++;
            const updatedAt = later(snap.campaign.updatedAt, n);
            sends.push(
              publishNotice(fx.backend, 'org-a', {
                kind: 'campaign_progress',
                campaign: { ...campaign, updatedAt },
                driver: {
                  ...driver,
                  state: 'calling',
                  attempts: n,
                  outcome: { callId: `call-${n}`, acknowledged: null, summary },
                  updatedAt,
                },
              }),
            );
          }
          await Promise.all(sends);
          await waitUntil(() => healthyLast === n, 30_000);
        }
        stalled.ws.resume();
        expect((await stalled.closed).code).toBe(4008);
        expect(healthyLast).toBe(n);
        expect(small.relay.hub.campaignFollowerCount(campaign.campaignId)).toBe(1);
        healthy.terminate();
      } finally {
        await small.close();
      }
    },
    120_000,
  );
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
