// One campaign driver's next step, run when its due-work item comes due: wait for the start or the window, refuse a
// suppressed number, take a call slot and dial, or look at the call in flight (the watchdog behind the bus).
import { isTerminal, type Call } from '../domain/call.ts';
import { concludeCall } from '../domain/call-outcome.ts';
import { isInWindow, nextWindowOpening } from '../domain/calling-window.ts';
import { isFinalDriverState, type Campaign, type CampaignDriver } from '../domain/campaign.ts';
import type { CallStore } from '../ports/call-store.ts';
import type { SuppressionList } from '../ports/suppression-list.ts';
import type { SchedulerConfig } from '../support/config.ts';
import { isAppError } from '../support/errors.ts';
import { FALLBACK_TIMEZONE, updateDriverAndAnnounce, type CampaignEngineDeps } from './attempt-conclusion.ts';
import { idempotentCallId, type CallDialer } from './call-dialer.ts';
import { callDialKey, DUE_KINDS, type CampaignDriverWork, type CallWork } from './due-kinds.ts';
import type { DueOutcome } from './due-work-runner.ts';
import { publishNotice } from './publish-notice.ts';
import { scheduleReconcile, settleCall, type SettleDeps } from './settle-call.ts';

export interface DriverStepDeps extends CampaignEngineDeps, SettleDeps {
  store: CallStore;
  suppressions: SuppressionList;
  dialer: CallDialer;
  settings: Pick<
    SchedulerConfig,
    'orgMaxConcurrentCalls' | 'callCheckSecs' | 'dialGraceSecs' | 'slotWaitMs' | 'reconcileAfterSecs'
  >;
}

/** A driver without a free slot waits at most this many base waits (see `slotWait`). */
const SLOT_WAIT_GROWTH_MAX = 15;

/** The idempotency key of one attempt: its call id follows from it, so a re-run dials the same call. */
export function attemptKey(campaignId: string, driverId: string, attempt: number): string {
  return `campaign:${campaignId}:${driverId}:${attempt}`;
}

/** Runs the driver's step at `now` and says when its item is due next (from the driver's state afterwards). */
export async function stepDriver(
  deps: DriverStepDeps,
  work: CampaignDriverWork,
  now: Date,
): Promise<DueOutcome> {
  const [campaign, driver] = await Promise.all([
    deps.campaigns.get(work.campaignId),
    deps.campaigns.getDriver(work.campaignId, work.driverId),
  ]);
  if (!campaign || !driver || isFinalDriverState(driver.state)) return { done: true };
  if (driver.state === 'calling') {
    await watchCall(deps, campaign, driver, now);
  } else {
    const waited = await stepWaiting(deps, campaign, driver, now);
    if (waited) return waited;
  }
  const fresh = await deps.campaigns.getDriver(work.campaignId, work.driverId);
  return fresh ? nextDue(deps, fresh, now) : { done: true };
}

/**
 * A `scheduled`/`retry_scheduled` driver: answers the item's outcome when it has to wait (or is done), `null` after
 * it claimed a slot and dialed.
 */
async function stepWaiting(
  deps: DriverStepDeps,
  campaign: Campaign,
  driver: CampaignDriver,
  now: Date,
): Promise<DueOutcome | null> {
  const { campaignId } = campaign;
  const iso = now.toISOString();
  if (campaign.status === 'canceled' || campaign.status === 'completed') {
    await updateDriverAndAnnounce(deps, campaignId, driver.driverId, ({ driver: d }) =>
      isWaiting(d) ? { ...withoutNextAttempt(d), state: 'canceled', updatedAt: iso } : null,
    );
    return { done: true };
  }
  // Resume schedules every waiting driver again.
  if (campaign.status === 'paused') return { done: true };
  if (now.getTime() < Date.parse(campaign.startAt)) return { done: false, at: new Date(campaign.startAt) };
  if (driver.nextAttemptAt && now.getTime() < Date.parse(driver.nextAttemptAt)) {
    return { done: false, at: new Date(driver.nextAttemptAt) };
  }
  if (campaign.status === 'scheduled') await startCampaign(deps, campaign, iso);

  if (await deps.suppressions.find(campaign.orgId, driver.phoneNumber)) {
    await updateDriverAndAnnounce(deps, campaignId, driver.driverId, ({ driver: d }) =>
      isWaiting(d) ? { ...withoutNextAttempt(d), state: 'suppressed', updatedAt: iso } : null,
    );
    return { done: true };
  }

  const zone = driver.timezone ?? FALLBACK_TIMEZONE;
  if (!isInWindow(now, campaign.callingWindow, zone)) {
    const opening = nextWindowOpening(now, campaign.callingWindow, zone).toISOString();
    await updateDriverAndAnnounce(deps, campaignId, driver.driverId, ({ driver: d }) =>
      isWaiting(d) && d.nextAttemptAt !== opening ? { ...d, nextAttemptAt: opening, updatedAt: iso } : null,
    );
    return { done: false, at: new Date(opening) };
  }

  let noSlot = false;
  const claimed = await updateDriverAndAnnounce(deps, campaignId, driver.driverId, (ctx) => {
    noSlot = false;
    const d = ctx.driver;
    if (!isWaiting(d) || (ctx.campaign.status !== 'running' && ctx.campaign.status !== 'scheduled')) {
      return null;
    }
    if (
      ctx.campaign.counts.calling >= ctx.campaign.maxConcurrentCalls ||
      ctx.orgCallsInFlight >= deps.settings.orgMaxConcurrentCalls
    ) {
      noSlot = true;
      return null;
    }
    const attempt = d.attempts + 1;
    const callId = idempotentCallId(ctx.campaign.orgId, attemptKey(campaignId, d.driverId, attempt));
    return {
      ...withoutNextAttempt(d),
      state: 'calling',
      attempts: attempt,
      callIds: [...d.callIds, callId],
      attemptClaimedAt: iso,
      updatedAt: iso,
    };
  });
  if (!claimed) return { done: true };
  if (!claimed.changed) {
    return { done: false, at: new Date(now.getTime() + (noSlot ? slotWait(deps, claimed.campaign) : 0)) };
  }
  await dialAttempt(deps, claimed.campaign, claimed.driver);
  return null;
}

/** `scheduled` → `running` once the first driver's step runs at or after `startAt`. */
async function startCampaign(deps: DriverStepDeps, campaign: Campaign, iso: string): Promise<void> {
  let started = false;
  const updated = await deps.campaigns.updateCampaign(campaign.campaignId, (c) => {
    started = c.status === 'scheduled';
    return started ? { ...c, status: 'running', updatedAt: iso } : null;
  });
  if (updated && started) {
    deps.logger.info('campaign running', { campaignId: campaign.campaignId });
    await publishNotice(deps, updated.orgId, { kind: 'campaign_progress', campaign: updated });
  }
}

/**
 * Dials the driver's current attempt through the dialer (suppression check, idempotency key per attempt, dial
 * recovery). A refused number ends the driver `suppressed`; a provider failure is a failed attempt (retry rules).
 */
async function dialAttempt(deps: DriverStepDeps, campaign: Campaign, driver: CampaignDriver): Promise<void> {
  const attempt = driver.attempts;
  const callId = driver.callIds.at(-1);
  try {
    await deps.dialer.trigger({
      orgId: campaign.orgId,
      driver: {
        id: driver.driverId,
        name: driver.driverName,
        phoneNumber: driver.phoneNumber,
        ...(driver.timezone ? { timezone: driver.timezone } : {}),
      },
      triggers: driver.violations,
      idempotencyKey: attemptKey(campaign.campaignId, driver.driverId, attempt),
      campaign: { campaignId: campaign.campaignId, driverId: driver.driverId, attempt },
    });
  } catch (err) {
    if (isAppError(err) && err.code === 'suppressed') {
      const iso = deps.clock.now().toISOString();
      await updateDriverAndAnnounce(deps, campaign.campaignId, driver.driverId, ({ driver: d }) =>
        d.state === 'calling' && d.callIds.at(-1) === callId
          ? { ...withoutClaim(d), state: 'suppressed', updatedAt: iso }
          : null,
      );
      return;
    }
    if (!isAppError(err) || err.code !== 'provider_error') throw err;
    // The dialer recorded the call `failed`: conclude it now rather than wait for the bus.
    const call = callId ? await deps.store.getCall(callId) : null;
    if (call) await settleCall(deps, call, concludeCall(call));
  }
}

/**
 * The watchdog of a `calling` driver: a dial that never started is started (same key, same call); an unconfirmed
 * one gets its recovery item back if it was lost; a finished call is concluded (if the bus consumer has not).
 */
async function watchCall(
  deps: DriverStepDeps,
  campaign: Campaign,
  driver: CampaignDriver,
  now: Date,
): Promise<void> {
  const callId = driver.callIds.at(-1);
  if (!callId) return;
  const call = await deps.store.getCall(callId);
  if (!call || call.lastSeq === 0) {
    // Claimed, but the process stopped before the dial was owned: nothing reached the provider.
    if (campaign.status === 'canceled') {
      const iso = now.toISOString();
      await updateDriverAndAnnounce(deps, campaign.campaignId, driver.driverId, ({ driver: d }) =>
        d.state === 'calling' && d.callIds.at(-1) === callId
          ? { ...withoutClaim(d), state: 'canceled', updatedAt: iso }
          : null,
      );
      return;
    }
    await dialAttempt(deps, campaign, driver);
    return;
  }
  const conclusion = concludeCall(call);
  if (conclusion.kind !== 'pending') {
    await settleCall(deps, call, conclusion);
    return;
  }
  await ensureFollowUpWork(deps, call, driver, now);
}

/** Puts back the recovery or reconcile item of a call whose own item was lost (both schedules are upserts). */
async function ensureFollowUpWork(
  deps: DriverStepDeps,
  call: Call,
  driver: CampaignDriver,
  now: Date,
): Promise<void> {
  const confirmed = Boolean(call.callSid || call.conversationId);
  const claimedAt = Date.parse(driver.attemptClaimedAt ?? call.createdAt);
  if (!confirmed && !isTerminal(call.status)) {
    if (now.getTime() - claimedAt < deps.settings.dialGraceSecs * 1000) return;
    const payload: CallWork = { callId: call.callId };
    // `leased` means a worker is recovering it right now; a due item is simply made due now.
    await deps.dueWork.schedule({
      key: callDialKey(call.callId),
      kind: DUE_KINDS.callDial,
      dueAt: now,
      payload: JSON.stringify(payload),
      now,
    });
    return;
  }
  // Ended without its analysis: the reconcile item, unless it is already due (then it is running or done).
  if (isTerminal(call.status)) await scheduleReconcile(deps, call, now, { onlyBeforeDue: true });
}

function nextDue(deps: DriverStepDeps, driver: CampaignDriver, now: Date): DueOutcome {
  if (isFinalDriverState(driver.state)) return { done: true };
  if (driver.state === 'calling') {
    return { done: false, at: new Date(now.getTime() + deps.settings.callCheckSecs * 1000) };
  }
  return { done: false, at: driver.nextAttemptAt ? new Date(driver.nextAttemptAt) : now };
}

/**
 * Wait of a driver that found no free slot: the base wait times the drivers waiting per slot (capped), jittered
 * ±50% so waiting drivers spread out. Each wait costs one claim, two reads and one transaction; a 1,000-driver
 * campaign with 5 slots polls about 1000 / (2 s × 15) ≈ 33 times a second at worst.
 */
function slotWait(deps: DriverStepDeps, campaign: Campaign): number {
  const waiting = campaign.counts.scheduled + campaign.counts.retry_scheduled;
  const perSlot = Math.ceil(waiting / Math.max(1, campaign.maxConcurrentCalls));
  const base = deps.settings.slotWaitMs * Math.min(Math.max(1, perSlot), SLOT_WAIT_GROWTH_MAX);
  return Math.round(base * (0.5 + Math.random()));
}

function isWaiting(driver: CampaignDriver): boolean {
  return driver.state === 'scheduled' || driver.state === 'retry_scheduled';
}

function withoutNextAttempt(driver: CampaignDriver): CampaignDriver {
  const { nextAttemptAt: _omit, ...rest } = driver;
  return rest;
}

function withoutClaim(driver: CampaignDriver): CampaignDriver {
  const { attemptClaimedAt: _omit, ...rest } = driver;
  return rest;
}
