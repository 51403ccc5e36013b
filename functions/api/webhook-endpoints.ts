// /webhook-endpoints: an org's outbound webhook endpoints (admin only), their delivery log, retries and test events.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '../../core/auth/principal.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import {
  publicEndpoint,
  rotatedEndpoint,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_LIMITS,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../core/domain/webhook.ts';
import { enqueueTestDelivery, retryDelivery } from '../../core/operations/webhook-deliveries.ts';
import { newWebhookSecret } from '../../core/operations/webhook-signature.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { DueWork } from '../../core/ports/due-work.ts';
import type { WebhookEndpoints } from '../../core/ports/webhook-endpoints.ts';
import type { WebhookTransport } from '../../core/ports/webhook-transport.ts';
import type {
  CreateWebhookEndpointResponse,
  ListWebhookDeliveriesResponse,
  ListWebhookEndpointsResponse,
  RotateWebhookSecretResponse,
  WebhookDeliveryAccepted,
  WebhookDeliveryView,
} from '../../core/protocol/rest-api.ts';
import type { Clock } from '../../core/support/clock.ts';
import { AppError } from '../../core/support/errors.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth, type AuthedHandler } from './authenticate.ts';
import { jsonBody, queryObject, validate } from './request-input.ts';
import { auditAction } from './audit-action.ts';
import type { AuditDeps } from '../../core/operations/record-audit.ts';

/** What the webhook routes need (one field of `ApiDeps`). */
export interface WebhookApiDeps {
  endpoints: WebhookEndpoints;
  dueWork: DueWork;
  /** Checks URLs at creation with the same rule deliveries apply. */
  transport: WebhookTransport;
  store: Pick<CallStore, 'getCall'>;
  clock: Clock;
  /** `WEBHOOK_SECRET_GRACE_SECS`. */
  secretGraceSecs: number;
}

const L = WEBHOOK_LIMITS;

const createSchema = z.object({
  url: z
    .string({ error: 'must be a string' })
    .min(1, 'is required')
    .max(L.urlMax, `is longer than ${L.urlMax} characters`),
  events: z
    .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }), {
      error: 'must be an array',
    })
    .min(1, 'needs at least 1 event type')
    .max(WEBHOOK_EVENT_TYPES.length, `allows at most ${WEBHOOK_EVENT_TYPES.length} entries`)
    .refine((events) => new Set(events).size === events.length, 'must not repeat an event type'),
  description: z
    .string({ error: 'must be a string' })
    .max(L.descriptionMax, `is longer than ${L.descriptionMax} characters`)
    .optional(),
  includePhoneNumbers: z.boolean({ error: 'must be true or false' }).optional(),
});

const deliveriesQuery = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= L.deliveriesPageMax, `must be between 1 and ${L.deliveriesPageMax}`)
    .optional(),
  cursor: z.string().max(512, 'is too long').optional(),
});

/** Webhook endpoints carry integration details (URLs often embed a receiver's token): only admins see or change them. */
function adminOnly(verify: TokenVerifier, handler: AuthedHandler): HttpHandler {
  return withAuth(verify, (req, ctx, principal) => {
    if (principal.role !== 'admin') {
      throw new AppError('forbidden', 'webhook endpoints are managed by admins');
    }
    return handler(req, ctx, principal);
  });
}

async function ownedEndpoint(
  deps: WebhookApiDeps,
  principal: Principal,
  id: string,
): Promise<WebhookEndpoint> {
  const endpoint = await deps.endpoints.getEndpoint(principal.org, id);
  if (!endpoint) throw new AppError('not_found', 'webhook endpoint not found');
  return endpoint;
}

function deliveryView(delivery: WebhookDelivery): WebhookDeliveryView {
  const { body, orgId: _org, ...rest } = delivery;
  return { ...rest, payload: JSON.parse(body) as unknown };
}

type Deps = AuditDeps & { verifyToken: TokenVerifier; webhooks: WebhookApiDeps };

/** Host of an endpoint URL for the audit trail: paths and queries often embed a receiver's token, so only the host. */
function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** `POST /webhook-endpoints` → 201 with the secret (shown only here). The URL is checked as deliveries check it. */
export function createCreateWebhookEndpointHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, ctx, principal) => {
    const input = validate(createSchema, jsonBody(req));
    await deps.webhooks.transport.checkUrl(input.url);
    const secret = newWebhookSecret();
    const endpoint: WebhookEndpoint = {
      id: `ep_${randomBytes(12).toString('base64url')}`,
      orgId: principal.org,
      url: input.url,
      events: input.events,
      ...(input.description ? { description: input.description } : {}),
      includePhoneNumbers: input.includePhoneNumbers ?? false,
      secrets: { current: secret },
      status: 'active',
      createdAt: deps.webhooks.clock.now().toISOString(),
    };
    await deps.webhooks.endpoints.createEndpoint(endpoint, L.endpointsPerOrg);
    await auditAction(
      deps,
      ctx,
      principal,
      {
        action: 'webhook_endpoint.created',
        target: { endpointId: endpoint.id },
        details: { host: urlHost(endpoint.url), events: [...endpoint.events] },
      },
      `webhook_endpoint.created:${endpoint.id}`,
    );
    return json(201, { ...publicEndpoint(endpoint), secret } satisfies CreateWebhookEndpointResponse);
  });
}

export function createListWebhookEndpointsHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (_req, _ctx, principal) => {
    const endpoints = await deps.webhooks.endpoints.listEndpoints(principal.org);
    return json(200, { endpoints: endpoints.map(publicEndpoint) } satisfies ListWebhookEndpointsResponse);
  });
}

/** `DELETE /webhook-endpoints/{id}` → 204; its pending deliveries are dropped with its log. */
export function createDeleteWebhookEndpointHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, ctx, principal) => {
    const endpointId = req.params.endpointId ?? '';
    const deleted = await deps.webhooks.endpoints.deleteEndpoint(principal.org, endpointId);
    if (!deleted) throw new AppError('not_found', 'webhook endpoint not found');
    await auditAction(
      deps,
      ctx,
      principal,
      { action: 'webhook_endpoint.deleted', target: { endpointId }, details: {} },
      `webhook_endpoint.deleted:${endpointId}`,
    );
    return { status: 204 };
  });
}

/** A new secret (shown once); the old one keeps signing for the grace period, so receivers can switch over. */
export function createRotateWebhookSecretHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, ctx, principal) => {
    const now = deps.webhooks.clock.now();
    const secret = newWebhookSecret();
    const grace = deps.webhooks.secretGraceSecs;
    const updated = await deps.webhooks.endpoints.updateEndpoint(
      principal.org,
      req.params.endpointId ?? '',
      (e) => rotatedEndpoint(e, secret, now, grace),
    );
    if (!updated) throw new AppError('not_found', 'webhook endpoint not found');
    const previousSecretExpiresAt = updated.secrets.previous?.expiresAt ?? now.toISOString();
    // Neither secret is recorded: only that it was rotated and when the old one stops signing.
    await auditAction(deps, ctx, principal, {
      action: 'webhook_endpoint.secret_rotated',
      target: { endpointId: updated.id },
      details: { previousSecretExpiresAt },
    });
    return json(200, { secret, previousSecretExpiresAt } satisfies RotateWebhookSecretResponse);
  });
}

/** The endpoint's deliveries, newest first, each with every attempt; `nextCursor` fetches older ones. */
export function createListWebhookDeliveriesHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, _ctx, principal) => {
    const q = validate(deliveriesQuery, queryObject(req.query), 'query');
    const endpoint = await ownedEndpoint(deps.webhooks, principal, req.params.endpointId ?? '');
    const page = await deps.webhooks.endpoints.listDeliveries(endpoint.id, {
      limit: q.limit ?? L.deliveriesPageDefault,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      deliveries: page.deliveries.map(deliveryView),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    } satisfies ListWebhookDeliveriesResponse);
  });
}

/** A new attempt now with the same `webhook-id` (replay of a delivered or failed event). 202: it runs in the background. */
export function createRetryWebhookDeliveryHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, ctx, principal) => {
    const endpoint = await ownedEndpoint(deps.webhooks, principal, req.params.endpointId ?? '');
    const delivery = await deps.webhooks.endpoints.getDelivery(endpoint.id, req.params.deliveryId ?? '');
    if (!delivery) throw new AppError('not_found', 'delivery not found');
    const updated = await retryDelivery(deps.webhooks, delivery, deps.webhooks.clock.now());
    await auditAction(deps, ctx, principal, {
      action: 'webhook_endpoint.delivery_retried',
      target: { endpointId: endpoint.id },
      details: { deliveryId: delivery.deliveryId },
    });
    return json(202, { delivery: deliveryView(updated) } satisfies WebhookDeliveryAccepted);
  });
}

/** Sends a `webhook.test` event through the normal delivery path (also to a disabled endpoint: success re-enables it). */
export function createTestWebhookEndpointHandler(deps: Deps): HttpHandler {
  return adminOnly(deps.verifyToken, async (req, ctx, principal) => {
    const endpoint = await ownedEndpoint(deps.webhooks, principal, req.params.endpointId ?? '');
    const delivery = await enqueueTestDelivery(deps.webhooks, endpoint, deps.webhooks.clock.now());
    await auditAction(
      deps,
      ctx,
      principal,
      {
        action: 'webhook_endpoint.test_sent',
        target: { endpointId: endpoint.id },
        details: { deliveryId: delivery.deliveryId },
      },
      `webhook_endpoint.test_sent:${delivery.deliveryId}`,
    );
    return json(202, { delivery: deliveryView(delivery) } satisfies WebhookDeliveryAccepted);
  });
}
