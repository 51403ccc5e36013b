// Ends a campaign attempt from its call's conclusion: retry inside the window, or a final driver state — the one
// function the bus consumer and the watchdog both use.
import type { Call } from '../domain/call.ts';
import type { CallConclusion } from '../domain/call-outcome.ts';
import { retryAt } from '../domain/calling-window.ts';
import type {
  Campaign,
  CampaignDriver,
  CampaignStatus,
  DriverOutcome,
  DriverState,
} from '../domain/campaign.ts';
import type { AttentionQueue } from '../ports/attention-queue.ts';
import type { CampaignStore, DriverUpdate, DriverUpdateResult } from '../ports/campaign-store.ts';
import type { DueWork } from '../ports/due-work.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Clock } from '../support/clock.ts';
import type { Logger } from '../support/log.ts';
import { attentionIdFor, openAttention } from './attention-items.ts';
import { campaignDriverKey, DUE_KINDS, type CampaignDriverWork } from './due-kinds.ts';
import { publishNotice } from './publish-notice.ts';

export interface CampaignEngineDeps {
  campaigns: CampaignStore;
  dueWork: DueWork;
  attention: AttentionQueue;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
}

/** Zone of a driver stored without one (the campaign commands fill the org default in, so this is a fallback). */
export const FALLBACK_TIMEZONE = 'UTC';

/**
 * Applies a finished call to its campaign driver. Only a driver that is `calling` with this call as its current
 * attempt changes, so redeliveries and a watchdog racing the bus consumer change it once. A retry is scheduled on
 * the driver's due-work item; attempts exhausted open an `unreachable` attention item.
 * @returns the update, or `null` when the call is no campaign attempt or its conclusion is still pending.
 */
export async function concludeAttempt(
  deps: CampaignEngineDeps,
  call: Call,
  conclusion: CallConclusion,
): Promise<DriverUpdateResult | null> {
  const link = call.campaign;
  if (!link || conclusion.kind === 'pending') return null;
  const now = deps.clock.now();
  const isCurrent = (driver: CampaignDriver) =>
    driver.state === 'calling' && driver.callIds.at(-1) === call.callId;
  if (conclusion.kind === 'not_reached') {
    // The last attempt failed: its attention item opens before the driver (and maybe the campaign) turns final.
    const [campaign, driver] = await Promise.all([
      deps.campaigns.get(link.campaignId),
      deps.campaigns.getDriver(link.campaignId, link.driverId),
    ]);
    if (campaign && driver && isCurrent(driver) && driver.attempts >= campaign.retry.maxAttempts) {
      await openUnreachable(
        deps,
        campaign,
        { ...driver, outcome: { callId: call.callId, acknowledged: null, failure: conclusion.failure } },
        now,
      );
    }
  }
  const result = await updateDriverAndAnnounce(
    deps,
    link.campaignId,
    link.driverId,
    ({ campaign, driver }) =>
      isCurrent(driver) ? driverAfterAttempt(campaign, driver, call.callId, conclusion, now) : null,
  );
  if (!result) return null;
  const { campaign, driver } = result;
  // Also on a redelivery (`changed: false`): what this attempt's end implies is (re)done idempotently.
  const endedByThisCall = driver.callIds.at(-1) === call.callId;
  if (result.changed) {
    deps.logger.info('campaign attempt concluded', {
      campaignId: campaign.campaignId,
      driverId: driver.driverId,
      callId: call.callId,
      attempt: driver.attempts,
      state: driver.state,
    });
  }
  if (endedByThisCall && driver.state === 'retry_scheduled' && driver.nextAttemptAt && result.changed) {
    await scheduleDriver(deps, campaign.campaignId, driver.driverId, new Date(driver.nextAttemptAt));
  }
  if (endedByThisCall && driver.state === 'unreachable') await openUnreachable(deps, campaign, driver, now);
  return result;
}

async function openUnreachable(
  deps: CampaignEngineDeps,
  campaign: Campaign,
  driver: CampaignDriver,
  now: Date,
): Promise<void> {
  await openAttention(deps, {
    attentionId: attentionIdFor(campaign.orgId, 'unreachable', `${campaign.campaignId}:${driver.driverId}`),
    orgId: campaign.orgId,
    reason: 'unreachable',
    driverId: driver.driverId,
    driverName: driver.driverName,
    callIds: driver.callIds,
    campaignId: campaign.campaignId,
    summary: `Not reached after ${driver.attempts} attempt${driver.attempts === 1 ? '' : 's'}${
      driver.outcome?.failure ? ` (last: ${driver.outcome.failure})` : ''
    }`,
    openedAt: now.toISOString(),
  });
}

/**
 * The driver after a finished attempt. Not reached: `retry_scheduled` at the backoff pushed into the window while
 * attempts remain, `unreachable` once they are spent, `canceled` when the campaign was canceled meanwhile (no new
 * attempt starts). Reached: `opted_out` if the driver asked not to be called, else `acknowledged` only for an
 * explicit acknowledgement — anything else is `not_acknowledged` (a human looks at it; no blind retry).
 */
export function driverAfterAttempt(
  campaign: Campaign,
  driver: CampaignDriver,
  callId: string,
  conclusion: Exclude<CallConclusion, { kind: 'pending' }>,
  now: Date,
): CampaignDriver {
  const { nextAttemptAt: _next, attemptClaimedAt: _claimed, ...rest } = driver;
  const base = { ...rest, updatedAt: now.toISOString() };
  if (conclusion.kind === 'not_reached') {
    const outcome: DriverOutcome = { callId, acknowledged: null, failure: conclusion.failure };
    if (driver.attempts >= campaign.retry.maxAttempts) return { ...base, state: 'unreachable', outcome };
    if (campaign.status === 'canceled') return { ...base, state: 'canceled', outcome };
    const next = retryAt(
      now,
      campaign.retry,
      driver.attempts,
      campaign.callingWindow,
      driver.timezone ?? FALLBACK_TIMEZONE,
    );
    return { ...base, state: 'retry_scheduled', nextAttemptAt: next.toISOString(), outcome };
  }
  const outcome: DriverOutcome = {
    callId,
    acknowledged: conclusion.acknowledged,
    ...(conclusion.eta !== undefined ? { eta: conclusion.eta } : {}),
    ...(conclusion.photosPromised !== undefined ? { photosPromised: conclusion.photosPromised } : {}),
    ...(conclusion.escalationNeeded !== undefined ? { escalationNeeded: conclusion.escalationNeeded } : {}),
    ...(conclusion.optOut !== undefined ? { optOut: conclusion.optOut } : {}),
    ...(conclusion.summary !== undefined ? { summary: conclusion.summary } : {}),
  };
  const state: DriverState =
    conclusion.optOut === true
      ? 'opted_out'
      : conclusion.acknowledged === true
        ? 'acknowledged'
        : 'not_acknowledged';
  return { ...base, state, outcome };
}

/**
 * `campaigns.updateDriver`, then `campaign_progress` (and `campaign_completed` exactly when this write completed
 * the campaign) on the bus.
 */
export async function updateDriverAndAnnounce(
  deps: CampaignEngineDeps,
  campaignId: string,
  driverId: string,
  update: DriverUpdate,
): Promise<DriverUpdateResult | null> {
  let before: CampaignStatus | undefined;
  const result = await deps.campaigns.updateDriver(campaignId, driverId, (context) => {
    before = context.campaign.status;
    return update(context);
  });
  if (!result?.changed) return result;
  const { campaign, driver } = result;
  await publishNotice(deps, campaign.orgId, { kind: 'campaign_progress', campaign, driver });
  if (campaign.status === 'completed' && before !== 'completed') {
    deps.logger.info('campaign completed', { campaignId: campaign.campaignId });
    await publishNotice(deps, campaign.orgId, { kind: 'campaign_completed', campaign });
  }
  return result;
}

/** Makes the driver's item due at `at`. A worker leasing it right now reschedules it from the driver's state. */
export async function scheduleDriver(
  deps: Pick<CampaignEngineDeps, 'dueWork' | 'clock'>,
  campaignId: string,
  driverId: string,
  at: Date,
): Promise<void> {
  const payload: CampaignDriverWork = { campaignId, driverId };
  await deps.dueWork.schedule({
    key: campaignDriverKey(campaignId, driverId),
    kind: DUE_KINDS.campaignDriver,
    dueAt: at,
    payload: JSON.stringify(payload),
    now: deps.clock.now(),
  });
}
