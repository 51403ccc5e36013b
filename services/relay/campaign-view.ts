// What one socket was last sent about one campaign, so a stale or repeated bus notice never reaches it.
import type { Campaign, CampaignDriver } from '../../core/domain/campaign.ts';
import { publicCampaignDriver } from '../../core/domain/notice.ts';
import { campaignSummary } from '../../core/protocol/campaign-views.ts';
import type { CampaignMessage, CampaignUpdatedMessage } from '../../core/protocol/relay-messages.ts';

/**
 * Ordering of one socket's campaign stream. Notices come at least once and may be redelivered late, so each one is
 * compared with what this socket was already sent: the campaign by `campaign.updatedAt`, a driver by its own
 * `updatedAt`. Older parts are not sent; a notice with nothing newer is dropped. A notice whose driver is newer but
 * whose campaign is older carries the campaign as last sent, so the client never steps back. Equal timestamps count
 * as new (two changes may share a millisecond); an exact repeat of the last frame is dropped.
 */
export class CampaignView {
  /** The campaign as last sent (a stored record; summarized only when a frame must repeat it). */
  private campaign: Campaign | undefined;
  private campaignAt = Number.NEGATIVE_INFINITY;
  private readonly driverAt = new Map<string, number>();
  private lastFrame: string | undefined;

  /** The `campaign` snapshot frame; what it holds becomes the floor for later updates. */
  snapshot(campaign: Campaign, drivers: CampaignDriver[]): string {
    this.campaign = campaign;
    this.campaignAt = Date.parse(campaign.updatedAt);
    this.driverAt.clear();
    for (const d of drivers) this.driverAt.set(d.driverId, Date.parse(d.updatedAt));
    const message: CampaignMessage = {
      type: 'campaign',
      campaign: campaignSummary(campaign),
      drivers: drivers.map(publicCampaignDriver),
    };
    return (this.lastFrame = JSON.stringify(message));
  }

  /**
   * The `campaign_updated` frame for a notice, or `undefined` when it holds nothing newer than what was sent.
   * `natural` is the notice's own frame, built once per notice and shared by every socket that takes it whole.
   */
  update(campaign: Campaign, driver: CampaignDriver | undefined, natural: () => string): string | undefined {
    const campaignAt = Date.parse(campaign.updatedAt);
    const driverAt = driver ? Date.parse(driver.updatedAt) : undefined;
    const campaignNewer = campaignAt >= this.campaignAt;
    const driverNewer =
      driver !== undefined &&
      driverAt !== undefined &&
      driverAt >= (this.driverAt.get(driver.driverId) ?? Number.NEGATIVE_INFINITY);
    if (!campaignNewer && !driverNewer) return undefined;
    let frame: string;
    if (campaignNewer && (driverNewer || !driver)) {
      frame = natural();
    } else {
      const message: CampaignUpdatedMessage = {
        type: 'campaign_updated',
        campaign: campaignSummary(campaignNewer || !this.campaign ? campaign : this.campaign),
        ...(driverNewer && driver ? { driver: publicCampaignDriver(driver) } : {}),
      };
      frame = JSON.stringify(message);
    }
    if (frame === this.lastFrame) return undefined;
    if (campaignNewer) {
      this.campaignAt = campaignAt;
      this.campaign = campaign;
    }
    if (driverNewer && driver && driverAt !== undefined) this.driverAt.set(driver.driverId, driverAt);
    return (this.lastFrame = frame);
  }
}
