// Notices: what callrelay itself concludes (campaign progress, attention, opt-outs), carried on the bus beside call
// events so the relay streams them live and outbound webhooks deliver them.
import type { AttentionItem } from './attention.ts';
import type { Campaign, CampaignDriver } from './campaign.ts';

export type Notice =
  /** A campaign or one of its drivers changed (counts, status, a driver's state). */
  | { kind: 'campaign_progress'; campaign: Campaign; driver?: CampaignDriver }
  /** The campaign reached `completed` (every driver final); sent once per campaign. */
  | { kind: 'campaign_completed'; campaign: Campaign }
  /** A new attention item (not sent again for an item that already existed). */
  | { kind: 'attention_opened'; item: AttentionItem }
  /** A dispatcher resolved an attention item (`item.resolved` set); sent once, by the resolve that recorded it. */
  | { kind: 'attention_resolved'; item: AttentionItem }
  /** The driver asked not to be called again; the number is now suppressed. */
  | {
      kind: 'driver_opted_out';
      orgId: string;
      driverId: string;
      driverName: string;
      /** E.164: bus consumers strip it unless their audience may see numbers. */
      phoneNumber: string;
      callId: string;
      campaignId?: string;
      at: string;
    };

export type NoticeKind = Notice['kind'];

/** The bus ordering key of a notice: one campaign's (or one org's) notices stay in order. */
export function noticeOrderingKey(notice: Notice, orgId: string): string {
  switch (notice.kind) {
    case 'campaign_progress':
    case 'campaign_completed':
      return `campaign:${notice.campaign.campaignId}`;
    case 'attention_opened':
    case 'attention_resolved':
    case 'driver_opted_out':
      return `org:${orgId}`;
  }
}

/** A campaign driver as shown to subscribers and in API answers: no phone number. */
export function publicCampaignDriver(driver: CampaignDriver): Omit<CampaignDriver, 'phoneNumber'> {
  const { phoneNumber: _omit, ...rest } = driver;
  return rest;
}
