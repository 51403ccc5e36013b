// Builds the adapters behind the ports from config: Google (Firestore + Pub/Sub, or their emulators) or in-memory.
import type { BackendConfig } from './config.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import type { CallStore } from './ports/call-store.ts';
import type { EventBus } from './ports/event-bus.ts';
import type { IdempotencyStore } from './ports/idempotency-store.ts';
import type { UserStore } from './ports/user-store.ts';
import { MemoryCallStore } from './adapters/memory/memory-call-store.ts';
import { MemoryEventBus } from './adapters/memory/memory-event-bus.ts';
import { MemoryIdempotencyStore } from './adapters/memory/memory-idempotency-store.ts';
import type { TicketLedger } from './ports/ticket-ledger.ts';
import { MemoryTicketLedger } from './adapters/memory/memory-ticket-ledger.ts';
import { MemoryUserStore } from './adapters/memory/memory-user-store.ts';

export interface Backend {
  store: CallStore;
  bus: EventBus;
  /** Dispatcher accounts (login). */
  users: UserStore;
  /** First answers of one-time operations (repeated provider webhooks get the same answer). */
  idempotency: IdempotencyStore;
  /** Consumed relay tickets (single use across relay instances). */
  tickets: TicketLedger;
  /** Releases clients (Firestore, Pub/Sub). */
  close(): Promise<void>;
}

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
      close: async () => {},
    };
  }
  const { createGoogleBackend } = await import('./adapters/google/google-backend.ts');
  return createGoogleBackend(config, { logger, clock });
}
