// The API's route table (dispatch tools, dashboard).
import type { Route } from '../http/router.ts';
import type { ApiDeps } from './api-deps.ts';
import { createAnalyticsHandler } from './analytics.ts';
import { createListAttentionHandler, createResolveAttentionHandler } from './attention.ts';
import {
  createCampaignActionHandler,
  createCreateCampaignHandler,
  createGetCampaignHandler,
  createListCampaignsHandler,
} from './campaigns.ts';
import { createCallEventsHandler, createGetCallHandler, createListCallsHandler } from './calls.ts';
import { createCallExportHandler } from './call-export.ts';
import { createFetchConversationHandler } from './fetch-conversation.ts';
import { createEndCallHandler, createTakeoverHandler } from './interventions.ts';
import { createLoginHandler } from './login.ts';
import { createRefreshHandler } from './refresh.ts';
import { createRelayTicketHandler } from './relay-tickets.ts';
import {
  createAddSuppressionHandler,
  createListSuppressionsHandler,
  createRemoveSuppressionHandler,
} from './suppressions.ts';
import { createTriggerCallHandler } from './trigger-call.ts';
import {
  createCreateWebhookEndpointHandler,
  createDeleteWebhookEndpointHandler,
  createListWebhookDeliveriesHandler,
  createListWebhookEndpointsHandler,
  createRetryWebhookDeliveryHandler,
  createRotateWebhookSecretHandler,
  createTestWebhookEndpointHandler,
} from './webhook-endpoints.ts';

/**
 * The dispatcher API's routes. `functions/app.ts` composes the `api` function from these, Twilio's voice webhook and
 * the shared `healthRoute` (registering a route twice makes the router refuse the table).
 */
export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/auth/login',
      handler: createLoginHandler({
        users: deps.users,
        signToken: deps.signToken,
        limiter: deps.limiter,
        passwordWork: deps.passwordWork,
        trustedProxyHops: deps.config.trustedProxyHops,
      }),
    },
    { method: 'POST', pattern: '/auth/refresh', handler: createRefreshHandler(deps) },
    { method: 'POST', pattern: '/relay/tickets', handler: createRelayTicketHandler(deps) },
    { method: 'POST', pattern: '/driver_data/call-elevenlabs', handler: createTriggerCallHandler(deps) },
    {
      method: 'POST',
      pattern: '/driver_data/conversations/:conversationId/fetch',
      handler: createFetchConversationHandler(deps),
    },
    { method: 'GET', pattern: '/calls', handler: createListCallsHandler(deps) },
    // Before `/calls/:callId`, which would otherwise take `export` for a call id.
    { method: 'GET', pattern: '/calls/export', handler: createCallExportHandler(deps) },
    { method: 'GET', pattern: '/calls/:callId', handler: createGetCallHandler(deps) },
    { method: 'GET', pattern: '/calls/:callId/events', handler: createCallEventsHandler(deps) },
    { method: 'POST', pattern: '/calls/:callId/takeover', handler: createTakeoverHandler(deps) },
    { method: 'POST', pattern: '/calls/:callId/end', handler: createEndCallHandler(deps) },
    { method: 'POST', pattern: '/webhook-endpoints', handler: createCreateWebhookEndpointHandler(deps) },
    { method: 'GET', pattern: '/webhook-endpoints', handler: createListWebhookEndpointsHandler(deps) },
    {
      method: 'DELETE',
      pattern: '/webhook-endpoints/:endpointId',
      handler: createDeleteWebhookEndpointHandler(deps),
    },
    {
      method: 'POST',
      pattern: '/webhook-endpoints/:endpointId/rotate-secret',
      handler: createRotateWebhookSecretHandler(deps),
    },
    {
      method: 'GET',
      pattern: '/webhook-endpoints/:endpointId/deliveries',
      handler: createListWebhookDeliveriesHandler(deps),
    },
    {
      method: 'POST',
      pattern: '/webhook-endpoints/:endpointId/deliveries/:deliveryId/retry',
      handler: createRetryWebhookDeliveryHandler(deps),
    },
    {
      method: 'POST',
      pattern: '/webhook-endpoints/:endpointId/test',
      handler: createTestWebhookEndpointHandler(deps),
    },
    { method: 'POST', pattern: '/campaigns', handler: createCreateCampaignHandler(deps) },
    { method: 'GET', pattern: '/campaigns', handler: createListCampaignsHandler(deps) },
    { method: 'GET', pattern: '/campaigns/:campaignId', handler: createGetCampaignHandler(deps) },
    ...(['pause', 'resume', 'cancel'] as const).map((action) => ({
      method: 'POST' as const,
      pattern: `/campaigns/:campaignId/${action}`,
      handler: createCampaignActionHandler(deps, action),
    })),
    { method: 'GET', pattern: '/suppressions', handler: createListSuppressionsHandler(deps) },
    { method: 'POST', pattern: '/suppressions', handler: createAddSuppressionHandler(deps) },
    {
      method: 'DELETE',
      pattern: '/suppressions/:suppressionId',
      handler: createRemoveSuppressionHandler(deps),
    },
    { method: 'GET', pattern: '/attention', handler: createListAttentionHandler(deps) },
    {
      method: 'POST',
      pattern: '/attention/:attentionId/resolve',
      handler: createResolveAttentionHandler(deps),
    },
    { method: 'GET', pattern: '/analytics', handler: createAnalyticsHandler(deps) },
  ];
}
