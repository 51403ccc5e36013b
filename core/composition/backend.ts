// Picks the adapters behind the ports from config: Google (Firestore + Pub/Sub, or their emulators) or in-memory.
import type { Backend } from '../ports/backend.ts';
import type { BackendConfig } from '../support/config.ts';
import type { Clock } from '../support/clock.ts';
import { systemClock } from '../support/clock.ts';
import type { Logger } from '../support/log.ts';
import { createLogger } from '../support/log.ts';
import { MemoryAnalyticsStore } from '../adapters/memory/memory-analytics-store.ts';
import { MemoryAttentionQueue } from '../adapters/memory/memory-attention-queue.ts';
import { MemoryCampaignStore } from '../adapters/memory/memory-campaign-store.ts';
import { MemorySuppressionList } from '../adapters/memory/memory-suppression-list.ts';
import { MemoryCallStore } from '../adapters/memory/memory-call-store.ts';
import { MemoryDueWork } from '../adapters/memory/memory-due-work.ts';
import { MemoryEventBus } from '../adapters/memory/memory-event-bus.ts';
import { MemoryIdempotencyStore } from '../adapters/memory/memory-idempotency-store.ts';
import { MemoryTicketLedger } from '../adapters/memory/memory-ticket-ledger.ts';
import { MemoryUserStore } from '../adapters/memory/memory-user-store.ts';
import { MemoryWebhookEndpoints } from '../adapters/memory/memory-webhook-endpoints.ts';

export type { Backend };

export async function createBackend(
  config: BackendConfig,
  deps: { logger?: Logger; clock?: Clock } = {},
): Promise<Backend> {
  const logger = deps.logger ?? createLogger();
  const clock = deps.clock ?? systemClock;
  if (config.backend === 'memory') {
    return {
      store: new MemoryCallStore(clock),
      bus: new MemoryEventBus(),
      users: new MemoryUserStore(clock),
      idempotency: new MemoryIdempotencyStore(clock),
      tickets: new MemoryTicketLedger(clock),
      dueWork: new MemoryDueWork(),
      campaigns: new MemoryCampaignStore(clock),
      suppressions: new MemorySuppressionList(),
      attention: new MemoryAttentionQueue(),
      analytics: new MemoryAnalyticsStore(),
      webhooks: new MemoryWebhookEndpoints(),
      close: async () => {},
    };
  }
  const { createGoogleBackend } = await import('../adapters/google/google-backend.ts');
  return createGoogleBackend(config, { logger, clock });
}
