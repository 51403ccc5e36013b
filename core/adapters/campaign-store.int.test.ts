// Runs the CampaignStore contract on the in-memory adapter and on Firestore (emulator), plus Firestore's create repair.
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorsAvailable, uniqueProjectId } from '../../test/backends.ts';
import { firestoreClients } from '../../test/firestore-clients.ts';
import type { Campaign } from '../domain/campaign.ts';
import { SteppingClock, uid } from '../ports/call-store.contract.ts';
import { campaignStoreContract } from '../ports/campaign-store.contract.ts';
import type { NewCampaign } from '../ports/campaign-store.ts';
import type { Clock } from '../support/clock.ts';
import { FirestoreCampaignStore } from './google/firestore-campaign-store.ts';
import { MemoryCampaignStore } from './memory/memory-campaign-store.ts';

campaignStoreContract('memory', (clock) => {
  const store = new MemoryCampaignStore(clock);
  return { store, peers: (n) => Array.from({ length: n }, () => store) };
});

/** A store whose process dies after writing `chunksBeforeCrash` driver chunks of a create. */
class CrashingCampaignStore extends FirestoreCampaignStore {
  constructor(
    db: Firestore,
    clock: Clock,
    private chunksBeforeCrash: number,
  ) {
    super(db, { clock, driverChunkSize: 2 });
  }

  protected override async writeDriverChunk(
    ...args: Parameters<FirestoreCampaignStore['writeDriverChunk']>
  ): Promise<Campaign | undefined> {
    if (this.chunksBeforeCrash-- <= 0) throw new Error('process died mid-create');
    return super.writeDriverChunk(...args);
  }
}

describe.skipIf(!emulatorsAvailable())('on the Firestore emulator', () => {
  const { client, terminateAll } = firestoreClients();
  afterAll(terminateAll);

  campaignStoreContract('firestore', (clock) => {
    const projectId = uniqueProjectId();
    return {
      store: new FirestoreCampaignStore(client(projectId), { clock }),
      peers: (n) => Array.from({ length: n }, () => new FirestoreCampaignStore(client(projectId), { clock })),
    };
  });

  describe('create across driver chunks', () => {
    const input = (): NewCampaign => ({
      campaignId: uid('cmp'),
      orgId: uid('org'),
      name: 'chunks',
      startAt: '2030-01-01T08:00:00.000Z',
      callingWindow: { start: '08:00', end: '21:00' },
      retry: { maxAttempts: 2, backoffSecs: [60] },
      maxConcurrentCalls: 2,
      createdBy: 'uid-1',
      createdAt: '2030-01-01T07:00:00.000Z',
      drivers: Array.from({ length: 5 }, (_, i) => ({
        driverId: `d${i}`,
        driverName: `Driver ${i}`,
        phoneNumber: `+1555000000${i}`,
        violations: [],
      })),
    });

    it('hides a create that died midway, and its retry finishes it', async () => {
      const clock = new SteppingClock();
      const db = client(uniqueProjectId());
      const campaign = input();
      await expect(new CrashingCampaignStore(db, clock, 2).create(campaign)).rejects.toThrow('died');
      const store = new FirestoreCampaignStore(db, { clock, driverChunkSize: 2 });
      expect(await store.get(campaign.campaignId)).toBeNull();
      expect(await store.drivers(campaign.campaignId)).toEqual([]);
      expect(await store.getDriver(campaign.campaignId, 'd0')).toBeNull();
      expect(await store.updateDriver(campaign.campaignId, 'd0', ({ driver }) => driver)).toBeNull();
      expect(await store.list(campaign.orgId, { limit: 5 })).toEqual({ campaigns: [] });

      const retried = await store.create(campaign);
      expect(retried.created).toBe(true);
      expect(retried.campaign.counts.scheduled).toBe(5);
      expect((await store.drivers(campaign.campaignId)).map((d) => d.driverId)).toEqual([
        'd0',
        'd1',
        'd2',
        'd3',
        'd4',
      ]);
    });

    it('writes no driver once another create of the campaign has finished', async () => {
      const clock = new SteppingClock();
      const db = client(uniqueProjectId());
      const campaign = input();
      const store = new FirestoreCampaignStore(db, { clock, driverChunkSize: 2 });
      await store.create(campaign);
      await store.updateDriver(campaign.campaignId, 'd4', ({ driver }) => ({ ...driver, state: 'calling' }));
      // A late duplicate that had read "no campaign yet" before the first create finished.
      class LateStore extends FirestoreCampaignStore {
        rewrite = () =>
          this.writeDriverChunk(campaign.campaignId, [
            {
              ...campaign.drivers[4]!,
              state: 'scheduled',
              attempts: 0,
              callIds: [],
              updatedAt: 'x',
              order: 4,
            },
          ]);
      }
      const late = new LateStore(db, { clock, driverChunkSize: 2 });
      expect(await late.rewrite()).toMatchObject({ campaignId: campaign.campaignId });
      const again = await late.create(campaign);
      expect(again.created).toBe(false);
      expect((await store.getDriver(campaign.campaignId, 'd4'))?.state).toBe('calling');
    });
  });
});
