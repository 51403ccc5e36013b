// CampaignModel: REST loads, snapshots and updates in any order; the newer state always wins.
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../core/domain/campaign.ts';
import type { CampaignDriverView, CampaignSummary } from '../../core/protocol/rest-api.ts';
import { CampaignModel } from './campaign-model.ts';

const campaign = (updatedAt: string, status: CampaignSummary['status'] = 'running'): CampaignSummary => ({
  campaignId: 'cmp_1',
  name: 'Morning',
  status,
  startAt: '2026-01-15T14:00:00Z',
  callingWindow: { start: '08:00', end: '21:00' },
  retry: { maxAttempts: 3, backoffSecs: [900] },
  maxConcurrentCalls: 5,
  counts: emptyCounts(),
  driverCount: 1,
  createdBy: 'u1',
  createdAt: '2026-01-15T13:00:00Z',
  updatedAt,
});
const driver = (state: CampaignDriverView['state'], updatedAt?: string): CampaignDriverView =>
  ({
    driverId: 'd1',
    driverName: 'Sam',
    timezone: 'America/Chicago',
    state,
    attempts: 1,
    callIds: [],
    ...(updatedAt ? { updatedAt } : {}),
  }) as CampaignDriverView;

describe('CampaignModel', () => {
  it('applies a newer update and ignores an older snapshot', () => {
    const model = new CampaignModel();
    expect(model.replace(campaign('T1'), [driver('scheduled')])).toBe(true);
    expect(model.update(campaign('T2'), driver('calling'))).toBe(true);
    expect(model.drivers.get('d1')?.state).toBe('calling');
    // A REST answer that left the server before the update arrived.
    expect(model.replace(campaign('T1'), [driver('scheduled')])).toBe(false);
    expect(model.drivers.get('d1')?.state).toBe('calling');
  });

  it('drops a stale notice without driver versions, keeps a newer driver version from one', () => {
    const model = new CampaignModel();
    model.replace(campaign('T5', 'running'), [driver('calling')]);
    expect(model.update(campaign('T3', 'scheduled'), driver('scheduled'))).toBe(false);
    expect(model.campaign?.status).toBe('running');
    expect(model.drivers.get('d1')?.state).toBe('calling');

    model.update(campaign('T6'), driver('calling', 'T6'));
    expect(model.update(campaign('T4'), driver('retry_scheduled', 'T4'))).toBe(false);
    expect(model.update(campaign('T4'), driver('acknowledged', 'T7'))).toBe(true);
    expect(model.drivers.get('d1')?.state).toBe('acknowledged');
    expect(model.campaign?.updatedAt).toBe('T6');
  });

  it('applies a campaign-only update (status change) when newer', () => {
    const model = new CampaignModel();
    model.replace(campaign('T1'), [driver('calling')]);
    expect(model.update(campaign('T2', 'paused'))).toBe(true);
    expect(model.campaign?.status).toBe('paused');
  });
});
