// In-memory CampaignStore for the embedded mode: one process, every operation synchronous, hence atomic.
import { emptyCounts, type Campaign, type CampaignDriver } from '../../domain/campaign.ts';
import { systemClock, isoNow, type Clock } from '../../support/clock.ts';
import type {
  CampaignPage,
  CampaignStore,
  CampaignUpdate,
  DriverUpdate,
  DriverUpdateResult,
  NewCampaign,
} from '../../ports/campaign-store.ts';
import { applyDriverChange } from '../campaign-counts.ts';
import { afterListCursor, decodeListCursor, encodeListCursor, newestFirstBy } from '../store-keys.ts';

interface Entry {
  campaign: Campaign;
  drivers: Map<string, CampaignDriver>;
}

export class MemoryCampaignStore implements CampaignStore {
  private readonly campaigns = new Map<string, Entry>();
  /** Calls in flight per org, across campaigns. */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  async create(input: NewCampaign): Promise<{ campaign: Campaign; created: boolean }> {
    const existing = this.campaigns.get(input.campaignId);
    if (existing) return { campaign: clone(existing.campaign), created: false };
    const ids = new Set(input.drivers.map((d) => d.driverId));
    if (ids.size !== input.drivers.length) throw new TypeError('driver ids of a campaign must be unique');
    const now = isoNow(this.clock);
    const { drivers, ...rest } = clone(input);
    const counts = emptyCounts();
    counts.scheduled = drivers.length;
    const campaign: Campaign = {
      ...rest,
      status: 'scheduled',
      counts,
      driverCount: drivers.length,
      updatedAt: now,
    };
    const byId = new Map<string, CampaignDriver>();
    for (const d of drivers)
      byId.set(d.driverId, { ...d, state: 'scheduled', attempts: 0, callIds: [], updatedAt: now });
    this.campaigns.set(campaign.campaignId, { campaign, drivers: byId });
    return { campaign: clone(campaign), created: true };
  }

  async get(campaignId: string): Promise<Campaign | null> {
    const entry = this.campaigns.get(campaignId);
    return entry ? clone(entry.campaign) : null;
  }

  async list(orgId: string, page: { limit: number; cursor?: string }): Promise<CampaignPage> {
    const after = page.cursor ? decodeListCursor(page.cursor) : undefined;
    const all = [...this.campaigns.values()]
      .map((e) => e.campaign)
      .filter((c) => c.orgId === orgId)
      .filter((c) => !after || afterListCursor(c.createdAt, c.campaignId, after))
      .sort(
        newestFirstBy(
          (c: Campaign) => c.createdAt,
          (c) => c.campaignId,
        ),
      );
    const campaigns = all.slice(0, page.limit).map(clone);
    const last = campaigns.at(-1);
    return {
      campaigns,
      ...(all.length > page.limit && last
        ? { nextCursor: encodeListCursor(last.createdAt, last.campaignId) }
        : {}),
    };
  }

  async drivers(campaignId: string): Promise<CampaignDriver[]> {
    return [...(this.campaigns.get(campaignId)?.drivers.values() ?? [])].map(clone);
  }

  async getDriver(campaignId: string, driverId: string): Promise<CampaignDriver | null> {
    const driver = this.campaigns.get(campaignId)?.drivers.get(driverId);
    return driver ? clone(driver) : null;
  }

  async updateDriver(
    campaignId: string,
    driverId: string,
    update: DriverUpdate,
  ): Promise<DriverUpdateResult | null> {
    const entry = this.campaigns.get(campaignId);
    const driver = entry?.drivers.get(driverId);
    if (!entry || !driver) return null;
    const orgId = entry.campaign.orgId;
    const next = update({
      campaign: clone(entry.campaign),
      driver: clone(driver),
      orgCallsInFlight: this.inFlight.get(orgId) ?? 0,
    });
    if (!next) return { changed: false, campaign: clone(entry.campaign), driver: clone(driver) };
    const applied = applyDriverChange(entry.campaign, driver, next, isoNow(this.clock));
    entry.campaign = applied.campaign;
    entry.drivers.set(driverId, clone(next));
    this.inFlight.set(orgId, (this.inFlight.get(orgId) ?? 0) + applied.inFlightDelta);
    return { changed: true, campaign: clone(applied.campaign), driver: clone(next) };
  }

  async updateCampaign(campaignId: string, update: CampaignUpdate): Promise<Campaign | null> {
    const entry = this.campaigns.get(campaignId);
    if (!entry) return null;
    const next = update(clone(entry.campaign));
    if (!next) return clone(entry.campaign);
    // Identity, creation and counts stay: only driver updates move counts.
    const { campaignId: id, orgId, createdAt, counts, driverCount, requestHash } = entry.campaign;
    entry.campaign = { ...clone(next), campaignId: id, orgId, createdAt, counts, driverCount, requestHash };
    return clone(entry.campaign);
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
