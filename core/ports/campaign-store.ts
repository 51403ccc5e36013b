// Port: durable campaigns, their drivers, and the org-wide count of campaign calls in flight.
import type { Campaign, CampaignDriver, CampaignDriverInput } from '../domain/campaign.ts';

export interface NewCampaign extends Omit<
  Campaign,
  'counts' | 'driverCount' | 'updatedAt' | 'completedAt' | 'status'
> {
  drivers: CampaignDriverInput[];
}

/** What a driver update sees, read in one transaction. */
export interface DriverUpdateContext {
  campaign: Campaign;
  driver: CampaignDriver;
  /** Drivers in state `calling` across all campaigns of the campaign's org (its own cap applies to this). */
  orgCallsInFlight: number;
}

/**
 * Decides a driver's next record from what is stored now, or `null` to change nothing. Pure and synchronous: the
 * Firestore adapter may run it more than once (a transaction retries on contention). It may not change `driverId`.
 */
export type DriverUpdate = (context: DriverUpdateContext) => CampaignDriver | null;

export interface DriverUpdateResult {
  /** False when the update answered `null` (nothing written). */
  changed: boolean;
  campaign: Campaign;
  driver: CampaignDriver;
}

/** Decides a campaign's next record (status changes: pause, resume, cancel), or `null` to change nothing. Pure. */
export type CampaignUpdate = (campaign: Campaign) => Campaign | null;

export interface CampaignPage {
  campaigns: Campaign[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/**
 * Contract (checked by `campaign-store.contract.ts` against every adapter):
 * - `create` is idempotent by `campaignId`: a second create returns the stored campaign (`created: false`) and
 *   changes nothing. Every driver starts `scheduled` with 0 attempts; `counts.scheduled` = `driverCount`; status is
 *   `scheduled`.
 * - `updateDriver` reads the campaign, the driver and the org's calls in flight, applies `update`, and writes the new
 *   driver with `counts` (and the org's calls in flight) adjusted by its state change — all atomically, so counts
 *   always equal the drivers' states and concurrent updates never exceed a cap the update checks. When the last
 *   driver reaches a final state, a `scheduled`/`running`/`paused` campaign becomes `completed` (`completedAt` set)
 *   in the same write. Returns `null` for an unknown campaign or driver.
 * - `updateCampaign` applies a status change atomically (it may not change counts or drivers); `null` when unknown.
 * - `list` pages an org's campaigns newest first; `get` and `drivers` read one (drivers in input order).
 * - Unavailability of the backing service surfaces as `AppError('store_unavailable')`.
 */
export interface CampaignStore {
  create(campaign: NewCampaign): Promise<{ campaign: Campaign; created: boolean }>;
  get(campaignId: string): Promise<Campaign | null>;
  list(orgId: string, page: { limit: number; cursor?: string }): Promise<CampaignPage>;
  drivers(campaignId: string): Promise<CampaignDriver[]>;
  getDriver(campaignId: string, driverId: string): Promise<CampaignDriver | null>;
  updateDriver(
    campaignId: string,
    driverId: string,
    update: DriverUpdate,
  ): Promise<DriverUpdateResult | null>;
  updateCampaign(campaignId: string, update: CampaignUpdate): Promise<Campaign | null>;
}
