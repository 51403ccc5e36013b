// One campaign as the page shows it: REST loads, relay snapshots and updates merged so newer state always wins.
import type { CampaignDriverView, CampaignSummary } from '../../core/protocol/rest-api.ts';

/** Campaign and drivers as last seen; newer states win whichever way (REST, snapshot, update) they arrive. */
export class CampaignModel {
  campaign: CampaignSummary | undefined;
  readonly drivers = new Map<string, CampaignDriverView>();

  /** A whole view (REST or relay snapshot); ignored when older than what is shown. */
  replace(campaign: CampaignSummary, drivers: CampaignDriverView[]): boolean {
    if (this.campaign && campaign.updatedAt < this.campaign.updatedAt) return false;
    this.campaign = campaign;
    this.drivers.clear();
    for (const driver of drivers) this.drivers.set(driver.driverId, driver);
    return true;
  }

  /**
   * One change. A notice carrying an older campaign than shown is stale: its driver is applied only when both
   * driver versions carry `updatedAt` and it is the newer one (the relay's frames do; REST rows may not).
   */
  update(campaign: CampaignSummary, driver?: CampaignDriverView): boolean {
    const stale = this.campaign !== undefined && campaign.updatedAt < this.campaign.updatedAt;
    if (!stale) this.campaign = campaign;
    if (!driver) return !stale;
    const known = versionOf(this.drivers.get(driver.driverId));
    const incoming = versionOf(driver);
    const newer = known !== undefined && incoming !== undefined ? incoming >= known : !stale;
    if (newer) this.drivers.set(driver.driverId, driver);
    return newer || !stale;
  }
}

/** A driver's `updatedAt`, when the source sent one (it is not part of the REST view). */
function versionOf(driver: CampaignDriverView | undefined): string | undefined {
  const value = (driver as { updatedAt?: unknown } | undefined)?.updatedAt;
  return typeof value === 'string' ? value : undefined;
}
