// What a dispatcher does to a campaign: create it (scheduling every driver), pause, resume and cancel it.
import { createHash, randomUUID } from 'node:crypto';
import {
  CAMPAIGN_DEFAULTS,
  isFinalDriverState,
  type Campaign,
  type CallingWindow,
  type CampaignDriver,
  type CampaignDriverInput,
  type CampaignStatus,
  type RetryPolicy,
} from '../domain/campaign.ts';
import type { CampaignStore } from '../ports/campaign-store.ts';
import type { DueWork } from '../ports/due-work.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type { Clock } from '../support/clock.ts';
import { AppError } from '../support/errors.ts';
import type { Logger } from '../support/log.ts';
import { campaignDriverKey, DUE_KINDS, type CampaignDriverWork } from './due-kinds.ts';
import { publishNotice } from './publish-notice.ts';

export interface CampaignCommandsDeps {
  campaigns: CampaignStore;
  dueWork: DueWork;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** IANA zone for drivers given without one (`ORG_DEFAULT_TIMEZONE`). */
  defaultTimezone: string;
}

/** A validated create request (the API checks shapes and limits; see `functions/api/campaigns.ts`). */
export interface CreateCampaignInput {
  orgId: string;
  /** Uid of the dispatcher. */
  createdBy: string;
  name: string;
  /** ISO; now when absent. */
  startAt?: string;
  callingWindow?: CallingWindow;
  retry?: RetryPolicy;
  maxConcurrentCalls?: number;
  drivers: CampaignDriverInput[];
  /** The same key within an org always names the same campaign, created once. */
  idempotencyKey?: string;
}

/** Scheduling of a campaign's drivers at creation and resume runs this many `DueWork.schedule` calls at once. */
const SCHEDULE_CONCURRENCY = 16;

export class CampaignCommands {
  constructor(private readonly deps: CampaignCommandsDeps) {}

  /**
   * Creates the campaign and schedules each driver's first step at `startAt` (the engine then waits for the driver's
   * window). A replay of the same Idempotency-Key returns the stored campaign (`replayed: true`) and schedules again
   * the drivers that never started — which repairs a create that died between storing and scheduling.
   * @throws AppError `conflict` when the key was used for a different request.
   */
  async create(input: CreateCampaignInput): Promise<{ campaign: Campaign; replayed: boolean }> {
    const now = this.deps.clock.now();
    const requestHash = fingerprint(input);
    const campaignId = input.idempotencyKey
      ? idempotentCampaignId(input.orgId, input.idempotencyKey)
      : 'cmp_' + randomUUID().replaceAll('-', '');
    const startAt = input.startAt ?? now.toISOString();
    const { campaign, created } = await this.deps.campaigns.create({
      campaignId,
      orgId: input.orgId,
      name: input.name,
      startAt,
      callingWindow: input.callingWindow ?? { ...CAMPAIGN_DEFAULTS.callingWindow },
      retry: input.retry ?? {
        maxAttempts: CAMPAIGN_DEFAULTS.retry.maxAttempts,
        backoffSecs: [...CAMPAIGN_DEFAULTS.retry.backoffSecs],
      },
      maxConcurrentCalls: input.maxConcurrentCalls ?? CAMPAIGN_DEFAULTS.maxConcurrentCalls,
      createdBy: input.createdBy,
      createdAt: now.toISOString(),
      requestHash,
      drivers: input.drivers.map((d) => ({ ...d, timezone: d.timezone ?? this.deps.defaultTimezone })),
    });
    if (!created && campaign.requestHash !== requestHash) {
      throw new AppError('conflict', 'Idempotency-Key was already used with a different request');
    }
    const drivers = await this.deps.campaigns.drivers(campaignId);
    const unstarted = drivers.filter((d) => d.state === 'scheduled' && d.attempts === 0);
    if (campaign.status === 'scheduled' || campaign.status === 'running') {
      await this.scheduleDrivers(campaign, unstarted, (d) => d.nextAttemptAt ?? campaign.startAt);
    }
    if (created) {
      this.deps.logger.info('campaign created', { campaignId, orgId: input.orgId, drivers: drivers.length });
      await publishNotice(this.deps, campaign.orgId, { kind: 'campaign_progress', campaign });
    }
    return { campaign, replayed: !created };
  }

  /** `scheduled`/`running` → `paused`: no new dial starts; calls in flight finish and are recorded. */
  async pause(orgId: string, campaignId: string): Promise<Campaign> {
    return this.changeStatus(orgId, campaignId, ['scheduled', 'running'], () => 'paused');
  }

  /**
   * `paused` → `running` (`scheduled` if its start is still ahead), and every waiting driver is due again at its
   * next attempt time (or now, if that passed while paused).
   */
  async resume(orgId: string, campaignId: string): Promise<Campaign> {
    const now = this.deps.clock.now().toISOString();
    const campaign = await this.changeStatus(orgId, campaignId, ['paused'], (c) =>
      c.startAt > now ? 'scheduled' : 'running',
    );
    const waiting = (await this.deps.campaigns.drivers(campaignId)).filter(
      (d) => d.state === 'scheduled' || d.state === 'retry_scheduled',
    );
    await this.scheduleDrivers(campaign, waiting, (d) => {
      const at = d.nextAttemptAt ?? campaign.startAt;
      return at > now ? at : now;
    });
    return campaign;
  }

  /**
   * → `canceled` from any non-final status: waiting drivers become `canceled` at once and their work is dropped;
   * a call in flight is not hung up — it finishes and is recorded, and its driver gets no further attempt.
   */
  async cancel(orgId: string, campaignId: string): Promise<Campaign> {
    let campaign = await this.changeStatus(
      orgId,
      campaignId,
      ['scheduled', 'running', 'paused'],
      () => 'canceled',
    );
    const now = this.deps.clock.now().toISOString();
    for (const driver of await this.deps.campaigns.drivers(campaignId)) {
      if (driver.state === 'calling' || isFinalDriverState(driver.state)) continue;
      await this.deps.dueWork.cancel(campaignDriverKey(campaignId, driver.driverId));
      const result = await this.deps.campaigns.updateDriver(campaignId, driver.driverId, ({ driver: d }) =>
        d.state === 'scheduled' || d.state === 'retry_scheduled'
          ? { ...withoutNextAttempt(d), state: 'canceled', updatedAt: now }
          : null,
      );
      if (result?.changed) {
        campaign = result.campaign;
        await publishNotice(this.deps, orgId, { kind: 'campaign_progress', campaign, driver: result.driver });
      }
    }
    return campaign;
  }

  private async changeStatus(
    orgId: string,
    campaignId: string,
    from: readonly CampaignStatus[],
    to: (campaign: Campaign) => CampaignStatus,
  ): Promise<Campaign> {
    const found = await this.deps.campaigns.get(campaignId);
    if (!found || found.orgId !== orgId) throw new AppError('not_found', 'campaign not found');
    const now = this.deps.clock.now().toISOString();
    let refused: CampaignStatus | undefined;
    const updated = await this.deps.campaigns.updateCampaign(campaignId, (c) => {
      refused = undefined;
      if (!from.includes(c.status)) {
        refused = c.status;
        return null;
      }
      return { ...c, status: to(c), updatedAt: now };
    });
    if (!updated) throw new AppError('not_found', 'campaign not found');
    if (refused !== undefined) {
      throw new AppError('invalid_state', `the campaign is ${refused}`, { details: { status: refused } });
    }
    await publishNotice(this.deps, orgId, { kind: 'campaign_progress', campaign: updated });
    return updated;
  }

  private async scheduleDrivers(
    campaign: Campaign,
    drivers: CampaignDriver[],
    dueAt: (driver: CampaignDriver) => string,
  ): Promise<void> {
    const now = this.deps.clock.now();
    let next = 0;
    const worker = async () => {
      while (next < drivers.length) {
        const driver = drivers[next++]!;
        const payload: CampaignDriverWork = { campaignId: campaign.campaignId, driverId: driver.driverId };
        // `leased` means a worker is on this driver right now; it reschedules the driver itself.
        await this.deps.dueWork.schedule({
          key: campaignDriverKey(campaign.campaignId, driver.driverId),
          kind: DUE_KINDS.campaignDriver,
          dueAt: new Date(dueAt(driver)),
          payload: JSON.stringify(payload),
          now,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCHEDULE_CONCURRENCY, drivers.length) }, worker));
  }
}

/** `cmp_` + 32 hex of sha256(org, key): a retry finds the campaign; orgs never collide. */
export function idempotentCampaignId(orgId: string, key: string): string {
  return 'cmp_' + createHash('sha256').update(`campaign\n${orgId}\n${key}`).digest('hex').slice(0, 32);
}

function fingerprint(input: CreateCampaignInput): string {
  const { idempotencyKey: _key, createdBy: _by, ...request } = input;
  return createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 32);
}

function withoutNextAttempt(driver: CampaignDriver): CampaignDriver {
  const { nextAttemptAt: _omit, ...rest } = driver;
  return rest;
}
