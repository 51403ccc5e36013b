// Builds the background capabilities the worker runs (the WorkModules) from configuration and a built backend.
import type { Backend } from '../ports/backend.ts';
import type { WorkModule } from '../operations/work-module.ts';
import { createWebhookWork } from '../operations/webhook-work.ts';
import type { Clock } from '../support/clock.ts';
import { parseWebhookConfig, type Env } from '../support/config.ts';
import type { Logger } from '../support/log.ts';
import { createWebhookTransport } from './webhook-transport.ts';
import { createDialing, parseDialingConfig } from './dialing.ts';
import { createCallWork } from '../operations/call-work.ts';
import { createAnalyticsWork } from '../operations/analytics-work.ts';
import { parseOrgTimezone } from './org-time-zone.ts';

export interface WorkModulesInput {
  env: Env;
  backend: Backend;
  logger: Logger;
  clock: Clock;
}

/** Every module, each from its own settings in `env` (parsed here, once, so a bad setting fails at start). */
export async function createWorkModules(input: WorkModulesInput): Promise<WorkModule[]> {
  const { backend, logger, clock } = input;
  const webhooks = parseWebhookConfig(input.env);
  const dialingConfig = parseDialingConfig(input.env);
  const orgTimezone = parseOrgTimezone(input.env);
  // The worker dials too (campaign attempts, recovered single calls): its own dialer over the same backend.
  const { dialer, agent } = createDialing({ config: dialingConfig, backend, logger, clock });
  return [
    createCallWork({
      store: backend.store,
      bus: backend.bus,
      campaigns: backend.campaigns,
      suppressions: backend.suppressions,
      attention: backend.attention,
      dueWork: backend.dueWork,
      dialer,
      conversations: agent,
      clock,
      logger,
      settings: dialingConfig.scheduler,
    }),
    createWebhookWork({
      endpoints: backend.webhooks,
      dueWork: backend.dueWork,
      store: backend.store,
      transport: createWebhookTransport(webhooks),
      clock,
      logger,
      config: webhooks,
    }),
    createAnalyticsWork({
      analytics: backend.analytics,
      store: backend.store,
      timeZone: orgTimezone,
      logger,
    }),
  ];
}
