// Port set: every stateful dependency of callrelay, as one value the composition builds (Google or in-memory).
import type { AnalyticsStore } from './analytics-store.ts';
import type { AttentionQueue } from './attention-queue.ts';
import type { CallStore } from './call-store.ts';
import type { CampaignStore } from './campaign-store.ts';
import type { DueWork } from './due-work.ts';
import type { EventBus } from './event-bus.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import type { SuppressionList } from './suppression-list.ts';
import type { TicketLedger } from './ticket-ledger.ts';
import type { UserStore } from './user-store.ts';
import type { WebhookEndpoints } from './webhook-endpoints.ts';

export interface Backend {
  store: CallStore;
  bus: EventBus;
  /** Dispatcher accounts (login). */
  users: UserStore;
  /** First answers of one-time operations (repeated provider webhooks get the same answer). */
  idempotency: IdempotencyStore;
  /** Work due at a time, leased to one worker and retried (campaign dials, webhook deliveries). */
  dueWork: DueWork;
  /** Campaigns and their drivers (the schedule itself is in `dueWork`). */
  campaigns: CampaignStore;
  /** Numbers each org must never dial. */
  suppressions: SuppressionList;
  /** What needs a human. */
  attention: AttentionQueue;
  /** Analytics counter documents (kept by the worker's analytics module). */
  analytics: AnalyticsStore;
  /** Customers' outbound webhook endpoints and their delivery logs. */
  webhooks: WebhookEndpoints;
  /** Consumed relay tickets (single use across relay instances). */
  tickets: TicketLedger;
  /** Releases clients (Firestore, Pub/Sub). */
  close(): Promise<void>;
}
