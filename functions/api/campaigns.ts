// /campaigns: create (idempotent per key), list, read, pause, resume and cancel the caller's org's campaigns.
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Campaign } from '../../core/domain/campaign.ts';
import type { CampaignCommands } from '../../core/operations/campaign-commands.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import { campaignDetail, campaignSummary } from '../../core/protocol/campaign-views.ts';
import type { CampaignDetail, ListCampaignsResponse } from '../../core/protocol/rest-api.ts';
import { AppError } from '../../core/support/errors.ts';
import { enforceBodyRules, type BodyRules } from '../http/body-rules.ts';
import { json, type HttpHandler, type HttpResponse } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import { parseCampaignRequest } from './campaign-request.ts';
import { auditAction } from './audit-action.ts';
import type { AuditDeps } from '../../core/operations/record-audit.ts';
import { idempotencyKeyOf, jsonBody, pageQuery, queryObject, resourceId, validate } from './request-input.ts';

/**
 * Body limit of `POST /campaigns`: 1 MiB, the local server's limit for every route, checked here too so Cloud
 * Functions (whose framework reads far larger bodies) refuses the same campaigns. 1,000 drivers with typical
 * violations take about 0.5 MB.
 */
export const CAMPAIGN_BODY_RULES: BodyRules = { mediaTypes: ['application/json'], maxBytes: 1024 * 1024 };

/** Page sizes of `GET /campaigns`. */
export const CAMPAIGN_PAGE = { default: 20, max: 100 } as const;

export interface CampaignsDeps extends AuditDeps {
  verifyToken: TokenVerifier;
  campaigns: CampaignStore;
  campaignCommands: CampaignCommands;
  /** Zone shown for a driver stored without one (`ORG_DEFAULT_TIMEZONE`). */
  config: { orgDefaultTimezone: string };
}

const listQuery = pageQuery(CAMPAIGN_PAGE.max);

/**
 * 201 with the new campaign, every driver `scheduled`; 200 (`Idempotent-Replayed: true`) with the stored one when
 * the org used the `Idempotency-Key` before for the same body; 409 `conflict` for a different body.
 */
export function createCreateCampaignHandler(deps: CampaignsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, ctx, principal) => {
    enforceBodyRules(req, CAMPAIGN_BODY_RULES);
    const idempotencyKey = idempotencyKeyOf(req);
    const input = parseCampaignRequest(jsonBody(req));
    const { campaign, replayed } = await deps.campaignCommands.create({
      orgId: principal.org,
      createdBy: principal.sub,
      name: input.name,
      ...(input.startAt ? { startAt: input.startAt } : {}),
      ...(input.callingWindow ? { callingWindow: input.callingWindow } : {}),
      ...(input.retry ? { retry: input.retry } : {}),
      ...(input.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: input.maxConcurrentCalls } : {}),
      drivers: input.drivers.map((d) => ({
        driverId: d.driverId,
        driverName: d.driverName,
        phoneNumber: d.phoneNumber,
        ...(d.timezone ? { timezone: d.timezone } : {}),
        violations: d.violations,
      })),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    // Keyed by the campaign: a replay rewrites the same entry (or stores it if the first write failed).
    await auditAction(
      deps,
      ctx,
      principal,
      {
        action: 'campaign.created',
        target: { campaignId: campaign.campaignId },
        details: { drivers: input.drivers.length },
      },
      `campaign.created:${campaign.campaignId}`,
    );
    return json(
      replayed ? 200 : 201,
      await detail(deps, campaign),
      replayed ? { 'idempotent-replayed': 'true' } : {},
    );
  });
}

/** Newest first; `nextCursor` (opaque) fetches the next, older page. */
export function createListCampaignsHandler(deps: CampaignsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(listQuery, queryObject(req.query), 'query');
    const page = await deps.campaigns.list(principal.org, {
      limit: q.limit ?? CAMPAIGN_PAGE.default,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      campaigns: page.campaigns.map(campaignSummary),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListCampaignsResponse);
  });
}

/** The campaign with every driver (no phone numbers); 404 when unknown or another org's. */
export function createGetCampaignHandler(deps: CampaignsDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const campaign = await ownedCampaign(
      deps.campaigns,
      principal,
      resourceId(req, 'campaignId', 'campaign'),
    );
    return json(200, await detail(deps, campaign));
  });
}

/** What `POST /campaigns/{id}/<action>` does. */
export type CampaignAction = 'pause' | 'resume' | 'cancel';

/**
 * 200 with the campaign after the change; 409 `invalid_state` (details `{ status }`) when the action does not apply
 * to its current status; 404 when unknown or another org's.
 */
export function createCampaignActionHandler(deps: CampaignsDeps, action: CampaignAction): HttpHandler {
  return withAuth(deps.verifyToken, async (req, ctx, principal): Promise<HttpResponse> => {
    const campaignId = resourceId(req, 'campaignId', 'campaign');
    const campaign = await deps.campaignCommands[action](principal.org, campaignId);
    // Pause and resume may repeat (random ids); a campaign is canceled once (keyed).
    await auditAction(
      deps,
      ctx,
      principal,
      {
        action: CAMPAIGN_AUDIT_ACTIONS[action],
        target: { campaignId },
        details: { status: campaign.status },
      },
      action === 'cancel' ? `campaign.canceled:${campaignId}` : undefined,
    );
    return json(200, await detail(deps, campaign));
  });
}

const CAMPAIGN_AUDIT_ACTIONS = {
  pause: 'campaign.paused',
  resume: 'campaign.resumed',
  cancel: 'campaign.canceled',
} as const satisfies Record<CampaignAction, string>;

async function ownedCampaign(
  store: CampaignStore,
  principal: Principal,
  campaignId: string,
): Promise<Campaign> {
  const campaign = await store.get(campaignId);
  if (!campaign || campaign.orgId !== principal.org) throw new AppError('not_found', 'campaign not found');
  return campaign;
}

async function detail(deps: CampaignsDeps, campaign: Campaign): Promise<CampaignDetail> {
  const drivers = await deps.campaigns.drivers(campaign.campaignId);
  return campaignDetail(campaign, drivers, deps.config.orgDefaultTimezone);
}
