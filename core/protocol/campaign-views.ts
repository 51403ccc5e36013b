// Campaigns as dispatchers see them (REST answers, live progress): stored records minus internal fields and numbers.
import type { Campaign, CampaignDriver } from '../domain/campaign.ts';
import type { CampaignDetail, CampaignDriverView, CampaignSummary } from './rest-api.ts';

/** The campaign without `orgId` and internal fields (`requestHash`). */
export function campaignSummary(campaign: Campaign): CampaignSummary {
  return {
    campaignId: campaign.campaignId,
    name: campaign.name,
    status: campaign.status,
    startAt: campaign.startAt,
    callingWindow: { ...campaign.callingWindow },
    retry: { maxAttempts: campaign.retry.maxAttempts, backoffSecs: [...campaign.retry.backoffSecs] },
    maxConcurrentCalls: campaign.maxConcurrentCalls,
    counts: { ...campaign.counts },
    driverCount: campaign.driverCount,
    createdBy: campaign.createdBy,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    ...(campaign.completedAt ? { completedAt: campaign.completedAt } : {}),
  };
}

/**
 * One driver without its phone number, violations or lease fields. `defaultTimezone` stands in for a record stored
 * without a zone (creation fills it in, so only hand-written records lack one).
 */
export function campaignDriverView(driver: CampaignDriver, defaultTimezone: string): CampaignDriverView {
  return {
    driverId: driver.driverId,
    driverName: driver.driverName,
    timezone: driver.timezone ?? defaultTimezone,
    state: driver.state,
    attempts: driver.attempts,
    ...(driver.nextAttemptAt ? { nextAttemptAt: driver.nextAttemptAt } : {}),
    callIds: [...driver.callIds],
    ...(driver.outcome ? { outcome: { ...driver.outcome } } : {}),
  };
}

export function campaignDetail(
  campaign: Campaign,
  drivers: CampaignDriver[],
  defaultTimezone: string,
): CampaignDetail {
  return {
    ...campaignSummary(campaign),
    drivers: drivers.map((d) => campaignDriverView(d, defaultTimezone)),
  };
}
