// Contract suite every CampaignStore adapter must pass (memory and Firestore run the same cases).
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_DEFAULTS,
  DRIVER_STATES,
  emptyCounts,
  type Campaign,
  type CampaignDriver,
  type CampaignDriverInput,
  type CampaignStatus,
  type DriverCounts,
  type DriverState,
} from '../domain/campaign.ts';
import type { Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import { SteppingClock, uid } from './call-store.contract.ts';
import type { CampaignStore, DriverUpdate, NewCampaign } from './campaign-store.ts';

export interface CampaignStoreFixture {
  store: CampaignStore;
  /** `n` more stores over the same storage, as other processes hold them (memory: the same store again). */
  peers(n: number): CampaignStore[];
}

/** Registers the contract cases; `make` returns a store over empty, isolated storage that uses `clock`. */
export function campaignStoreContract(
  name: string,
  make: (clock: Clock) => Promise<CampaignStoreFixture> | CampaignStoreFixture,
): void {
  describe(`CampaignStore contract: ${name}`, () => {
    const setup = () => make(new SteppingClock());
    /** Racing stores of separate processes contend, and Firestore backs off a second or more per abort. */
    const RACE_TIMEOUT_MS = 120_000;

    it('creates a scheduled campaign with every driver scheduled, in input order, whatever their ids', async () => {
      const { store } = await setup();
      const ids = ['zeta', 'a/b', '..', 'x'.repeat(128), 'Émile 42', '__id__', 'Alpha'];
      const input = newCampaign(uid('org'), ids.map(driverInput));
      const { campaign, created } = await store.create(input);
      expect(created).toBe(true);
      const { drivers: _drivers, ...fields } = input;
      expect(campaign).toEqual({
        ...fields,
        status: 'scheduled',
        counts: { ...emptyCounts(), scheduled: ids.length },
        driverCount: ids.length,
        updatedAt: expect.any(String),
      });
      expect(campaign.completedAt).toBeUndefined();
      expect(await store.get(input.campaignId)).toEqual(campaign);
      const drivers = await store.drivers(input.campaignId);
      expect(drivers).toEqual(
        input.drivers.map((d) => ({
          ...d,
          state: 'scheduled',
          attempts: 0,
          callIds: [],
          updatedAt: expect.any(String),
        })),
      );
      for (const d of drivers) expect(await store.getDriver(input.campaignId, d.driverId)).toEqual(d);
    });

    it('creates idempotently by campaignId: a second create returns the stored campaign and changes nothing', async () => {
      const { store } = await setup();
      const input = newCampaign(uid('org'), [driverInput('d1'), driverInput('d2')]);
      await store.create(input);
      const moved = await store.updateDriver(input.campaignId, 'd1', to('calling'));
      const again = await store.create({
        ...input,
        name: 'another name',
        drivers: [driverInput('d3'), driverInput('d1')],
      });
      expect(again).toEqual({ campaign: moved?.campaign, created: false });
      expect(await store.get(input.campaignId)).toEqual(moved?.campaign);
      expect((await store.drivers(input.campaignId)).map((d) => [d.driverId, d.state])).toEqual([
        ['d1', 'calling'],
        ['d2', 'scheduled'],
      ]);
    });

    it(
      'makes exactly one campaign out of racing creates of it',
      async () => {
        const { store, peers } = await setup();
        const input = newCampaign(uid('org'), ids(12).map(driverInput));
        const results = await Promise.all([store, ...peers(2)].map((s) => s.create(input)));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const stored = await store.get(input.campaignId);
        for (const r of results) expect(r.campaign).toEqual(stored);
        expect((await store.drivers(input.campaignId)).map((d) => d.driverId)).toEqual(ids(12));
      },
      RACE_TIMEOUT_MS,
    );

    it('creates a campaign of 1,000 drivers', async () => {
      const { store } = await setup();
      const input = newCampaign(uid('org'), ids(1000).map(driverInput));
      const { campaign } = await store.create(input);
      expect(campaign.counts.scheduled).toBe(1000);
      const drivers = await store.drivers(input.campaignId);
      expect(drivers.map((d) => d.driverId)).toEqual(ids(1000));
      expect(new Set(drivers.map((d) => d.state))).toEqual(new Set(['scheduled']));
    });

    it('rejects duplicate driver ids as a caller bug, storing nothing', async () => {
      const { store } = await setup();
      const input = newCampaign(uid('org'), [driverInput('d1'), driverInput('d2'), driverInput('d1')]);
      await expect(store.create(input)).rejects.toThrow(TypeError);
      expect(await store.get(input.campaignId)).toBeNull();
    });

    it('answers null (or no drivers) for an unknown campaign or driver', async () => {
      const { store } = await setup();
      const { campaign } = await store.create(newCampaign(uid('org'), [driverInput('d1')]));
      for (const unknown of [uid('cmp'), 'a/b', '..']) {
        expect(await store.get(unknown)).toBeNull();
        expect(await store.drivers(unknown)).toEqual([]);
        expect(await store.getDriver(unknown, 'd1')).toBeNull();
        expect(await store.updateDriver(unknown, 'd1', to('calling'))).toBeNull();
        expect(await store.updateCampaign(unknown, (c) => ({ ...c, status: 'paused' }))).toBeNull();
      }
      expect(await store.getDriver(campaign.campaignId, 'd2')).toBeNull();
      expect(await store.updateDriver(campaign.campaignId, 'd2', to('calling'))).toBeNull();
      expect(await store.get(campaign.campaignId)).toEqual(campaign);
    });

    it('moves counts with a driver update and answers what it stored', async () => {
      const { store } = await setup();
      const { campaign } = await store.create(newCampaign(uid('org'), ids(3).map(driverInput)));
      const id = campaign.campaignId;
      const result = await store.updateDriver(id, 'd1', ({ driver }) => ({
        ...driver,
        state: 'retry_scheduled',
        attempts: 1,
        nextAttemptAt: '2030-01-01T10:00:00.000Z',
        callIds: ['call-1'],
        outcome: { callId: 'call-1', acknowledged: null, failure: 'busy', eta: undefined },
        updatedAt: '2030-01-01T09:00:00.000Z',
      }));
      expect(result?.changed).toBe(true);
      expect(result?.campaign.counts).toEqual({ ...emptyCounts(), scheduled: 2, retry_scheduled: 1 });
      expect(result?.campaign.updatedAt).not.toBe(campaign.updatedAt);
      expect(result?.driver).toMatchObject({ state: 'retry_scheduled', attempts: 1, callIds: ['call-1'] });
      expect(await store.get(id)).toEqual(result?.campaign);
      expect(await store.getDriver(id, 'd1')).toEqual(result?.driver);

      // A field the next record leaves out is gone.
      const next = await store.updateDriver(id, 'd1', ({ driver }) => {
        const { nextAttemptAt: _gone, ...rest } = driver;
        return { ...rest, state: 'calling', attempts: 2, attemptClaimedAt: '2030-01-01T10:00:00.000Z' };
      });
      expect(await store.getDriver(id, 'd1')).toEqual(next?.driver);
      expect(next?.driver.nextAttemptAt).toBeUndefined();
      expect(next?.campaign.counts).toEqual({ ...emptyCounts(), scheduled: 2, calling: 1 });
    });

    it('writes nothing when the update answers null', async () => {
      const { store } = await setup();
      const { campaign } = await store.create(newCampaign(uid('org'), [driverInput('d1')]));
      const driver = await store.getDriver(campaign.campaignId, 'd1');
      const result = await store.updateDriver(campaign.campaignId, 'd1', () => null);
      expect(result).toEqual({ changed: false, campaign, driver });
      expect(await store.get(campaign.campaignId)).toEqual(campaign);
    });

    it('refuses an update that changes driverId, changing nothing', async () => {
      const { store } = await setup();
      const { campaign } = await store.create(newCampaign(uid('org'), [driverInput('d1')]));
      await expect(
        store.updateDriver(campaign.campaignId, 'd1', ({ driver }) => ({ ...driver, driverId: 'd2' })),
      ).rejects.toThrow(TypeError);
      expect(await store.get(campaign.campaignId)).toEqual(campaign);
    });

    it("counts an org's calls in flight across its campaigns and never across orgs", async () => {
      const { store } = await setup();
      const org = uid('org');
      const [a, b, other] = await Promise.all(
        [org, org, uid('org')].map(
          async (o) => (await store.create(newCampaign(o, ids(2).map(driverInput)))).campaign,
        ),
      );
      const seen = async (c: Campaign | undefined) => {
        let inFlight = -1;
        await store.updateDriver(c!.campaignId, 'd1', ({ orgCallsInFlight }) => {
          inFlight = orgCallsInFlight;
          return null;
        });
        return inFlight;
      };
      expect([await seen(a), await seen(b), await seen(other)]).toEqual([0, 0, 0]);
      await store.updateDriver(a!.campaignId, 'd0', to('calling'));
      expect([await seen(a), await seen(b), await seen(other)]).toEqual([1, 1, 0]);
      await store.updateDriver(b!.campaignId, 'd0', to('calling'));
      // Staying in `calling` (a changed attempt) moves nothing.
      await store.updateDriver(b!.campaignId, 'd0', ({ driver }) => ({ ...driver, attempts: 2 }));
      await store.updateDriver(other!.campaignId, 'd0', to('calling'));
      expect([await seen(a), await seen(b), await seen(other)]).toEqual([2, 2, 1]);
      await store.updateDriver(a!.campaignId, 'd0', to('retry_scheduled'));
      expect([await seen(a), await seen(b), await seen(other)]).toEqual([1, 1, 1]);
      await store.updateDriver(b!.campaignId, 'd0', to('acknowledged'));
      expect([await seen(a), await seen(b), await seen(other)]).toEqual([0, 0, 1]);
      expect((await store.get(b!.campaignId))?.counts.calling).toBe(0);
    });

    it(
      "never lets more racing drivers into calling than the campaign's cap",
      async () => {
        const { store, peers } = await setup();
        const input = { ...newCampaign(uid('org'), ids(20).map(driverInput)), maxConcurrentCalls: 5 };
        await store.create(input);
        const stores = [store, ...peers(1)];
        const results = await Promise.all(
          ids(20).map((d, i) => stores[i % stores.length]!.updateDriver(input.campaignId, d, claim(100))),
        );
        expect(results.filter((r) => r?.changed)).toHaveLength(5);
        const drivers = await store.drivers(input.campaignId);
        expect(drivers.filter((d) => d.state === 'calling')).toHaveLength(5);
        expect((await store.get(input.campaignId))?.counts).toEqual(countsOf(drivers));
      },
      RACE_TIMEOUT_MS,
    );

    it(
      "never lets more racing drivers into calling than the org's cap across its campaigns, nor across orgs",
      async () => {
        const { store, peers } = await setup();
        const org = uid('org');
        const inputs = [org, org, uid('org')].map((o) => ({
          ...newCampaign(o, ids(10).map(driverInput)),
          maxConcurrentCalls: 10,
        }));
        for (const input of inputs) await store.create(input);
        const stores = [store, ...peers(1)];
        const racers = inputs.flatMap((input) => ids(10).map((d) => [input.campaignId, d] as const));
        const results = await Promise.all(
          racers.map(([c, d], i) => stores[i % stores.length]!.updateDriver(c, d, claim(5))),
        );
        const won = (c: string) => results.filter((r) => r?.changed && r.campaign.campaignId === c).length;
        expect(won(inputs[0]!.campaignId) + won(inputs[1]!.campaignId)).toBe(5);
        expect(won(inputs[2]!.campaignId)).toBe(5);
        for (const input of inputs) {
          const drivers = await store.drivers(input.campaignId);
          expect((await store.get(input.campaignId))?.counts).toEqual(countsOf(drivers));
        }
      },
      RACE_TIMEOUT_MS,
    );

    it(
      "keeps counts and the org's calls in flight equal to the drivers' states under racing updates",
      async () => {
        const { store, peers } = await setup();
        const org = uid('org');
        const inputs = [newCampaign(org, ids(6).map(driverInput)), newCampaign(org, ids(6).map(driverInput))];
        for (const input of inputs) await store.create(input);
        const stores = [store, ...peers(1)];
        const moves = ['calling', 'retry_scheduled', 'calling', 'scheduled', 'calling'] as const;
        await Promise.all(
          Array.from({ length: 36 }, (_, i) => {
            const input = inputs[i % 2]!;
            const state = moves[i % moves.length]!;
            return stores[i % stores.length]!.updateDriver(input.campaignId, `d${i % 6}`, to(state));
          }),
        );
        let calling = 0;
        for (const input of inputs) {
          const drivers = await store.drivers(input.campaignId);
          const campaign = await store.get(input.campaignId);
          expect(campaign?.counts).toEqual(countsOf(drivers));
          calling += campaign?.counts.calling ?? 0;
        }
        let inFlight = -1;
        await store.updateDriver(inputs[0]!.campaignId, 'd0', ({ orgCallsInFlight }) => {
          inFlight = orgCallsInFlight;
          return null;
        });
        expect(inFlight).toBe(calling);
      },
      RACE_TIMEOUT_MS,
    );

    it.each<CampaignStatus>(['scheduled', 'running', 'paused'])(
      'completes a %s campaign in the write that puts its last driver in a final state',
      async (status) => {
        const { store } = await setup();
        const { campaign } = await store.create(newCampaign(uid('org'), ids(3).map(driverInput)));
        const id = campaign.campaignId;
        if (status !== 'scheduled') await store.updateCampaign(id, (c) => ({ ...c, status }));
        await store.updateDriver(id, 'd0', to('acknowledged'));
        await store.updateDriver(id, 'd1', to('calling'));
        const notYet = await store.updateDriver(id, 'd2', to('opted_out'));
        expect(notYet?.campaign.status).toBe(status);
        expect(notYet?.campaign.completedAt).toBeUndefined();
        const last = await store.updateDriver(id, 'd1', to('unreachable'));
        expect(last?.campaign.status).toBe('completed');
        expect(last?.campaign.completedAt).toBe(last?.campaign.updatedAt);
        expect(await store.get(id)).toEqual(last?.campaign);
      },
    );

    it('never completes a canceled campaign', async () => {
      const { store } = await setup();
      const { campaign } = await store.create(newCampaign(uid('org'), ids(2).map(driverInput)));
      const id = campaign.campaignId;
      await store.updateCampaign(id, (c) => ({ ...c, status: 'canceled' }));
      await store.updateDriver(id, 'd0', to('canceled'));
      const last = await store.updateDriver(id, 'd1', to('canceled'));
      expect(last?.campaign).toMatchObject({ status: 'canceled', counts: { canceled: 2 } });
      expect(last?.campaign.completedAt).toBeUndefined();
    });

    it('changes a campaign status atomically but never its counts, driver count, identity or request hash', async () => {
      const { store } = await setup();
      const { campaign } = await store.create({
        ...newCampaign(uid('org'), ids(2).map(driverInput)),
        requestHash: 'hash-1',
      });
      const id = campaign.campaignId;
      const paused = await store.updateCampaign(id, (c) => ({
        ...c,
        status: 'paused',
        updatedAt: '2031-01-01T00:00:00.000Z',
        counts: { ...c.counts, scheduled: 0, acknowledged: 2 },
        driverCount: 99,
        campaignId: 'other',
        orgId: 'other-org',
        requestHash: 'hash-2',
      }));
      expect(paused).toEqual({ ...campaign, status: 'paused', updatedAt: '2031-01-01T00:00:00.000Z' });
      expect(await store.get(id)).toEqual(paused);
      expect(await store.updateCampaign(id, () => null)).toEqual(paused);
      expect(await store.drivers(id)).toHaveLength(2);
    });

    it(
      'keeps counts moved by driver updates that race with status changes',
      async () => {
        const { store, peers } = await setup();
        const { campaign } = await store.create(newCampaign(uid('org'), ids(8).map(driverInput)));
        const id = campaign.campaignId;
        const stores = [store, ...peers(1)];
        const statuses: CampaignStatus[] = ['running', 'paused'];
        await Promise.all([
          ...ids(8).map((d, i) => stores[i % stores.length]!.updateDriver(id, d, to('calling'))),
          ...ids(8).map((_, i) =>
            stores[(i + 1) % stores.length]!.updateCampaign(id, (c) => ({ ...c, status: statuses[i % 2]! })),
          ),
        ]);
        expect((await store.get(id))?.counts).toEqual({ ...emptyCounts(), calling: 8 });
      },
      RACE_TIMEOUT_MS,
    );

    it("lists an org's campaigns newest first, paging with cursors", async () => {
      const { store } = await setup();
      const org = uid('org');
      const times = ['01', '05', '03', '05', '02', '04', '05'].map((m) => `2030-01-01T00:${m}:00.000Z`);
      const made: Campaign[] = [];
      for (const createdAt of times) {
        made.push((await store.create({ ...newCampaign(org, [driverInput('d1')]), createdAt })).campaign);
      }
      await store.create(newCampaign(uid('org'), [driverInput('d1')]));
      const expected = [...made].sort((x, y) =>
        x.createdAt !== y.createdAt
          ? y.createdAt.localeCompare(x.createdAt)
          : x.campaignId < y.campaignId
            ? 1
            : -1,
      );
      const seen: Campaign[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(org, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.campaigns);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
      expect((await store.list(org, { limit: 7 })).nextCursor).toBeUndefined();
      expect(await store.list(uid('org'), { limit: 5 })).toEqual({ campaigns: [] });
    });

    it('rejects a cursor it did not make with bad_request', async () => {
      const { store } = await setup();
      const err: unknown = await store.list('org', { limit: 2, cursor: 'not-a-cursor' }).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('bad_request');
    });
  });
}

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `d${i}`);

function driverInput(driverId: string, i = 0): CampaignDriverInput {
  return {
    driverId,
    driverName: `Driver ${driverId.slice(0, 20)}`,
    phoneNumber: `+1555${String(1_000_000 + i).slice(1)}`,
    timezone: 'America/Chicago',
    violations: [{ type: 'violation', description: 'HOS 11-hour limit' }],
  };
}

function newCampaign(orgId: string, drivers: CampaignDriverInput[]): NewCampaign {
  return {
    campaignId: uid('cmp'),
    orgId,
    name: 'Morning HOS calls',
    startAt: '2030-01-01T08:00:00.000Z',
    callingWindow: { ...CAMPAIGN_DEFAULTS.callingWindow },
    retry: { maxAttempts: 3, backoffSecs: [...CAMPAIGN_DEFAULTS.retry.backoffSecs] },
    maxConcurrentCalls: 5,
    createdBy: 'uid-dispatcher',
    createdAt: '2030-01-01T07:00:00.000Z',
    drivers,
  };
}

/** Moves the driver to `state`, whatever it is in now. */
function to(state: DriverState): DriverUpdate {
  return ({ driver }) => ({ ...driver, state });
}

/** Enters `calling` from `scheduled` only while the campaign's cap and the org cap `orgCap` leave room. */
function claim(orgCap: number): DriverUpdate {
  return ({ campaign, driver, orgCallsInFlight }): CampaignDriver | null =>
    driver.state === 'scheduled' &&
    campaign.counts.calling < campaign.maxConcurrentCalls &&
    orgCallsInFlight < orgCap
      ? { ...driver, state: 'calling', attempts: driver.attempts + 1 }
      : null;
}

function countsOf(drivers: CampaignDriver[]): DriverCounts {
  const counts = emptyCounts();
  for (const d of drivers) counts[d.state] += 1;
  expect(Object.keys(counts)).toEqual([...DRIVER_STATES]);
  return counts;
}
