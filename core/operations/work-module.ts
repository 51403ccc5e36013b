// The shape every background capability (campaigns, call recovery, outbound webhooks) plugs into the worker with.
import type { BusMessage } from '../ports/event-bus.ts';
import type { DueHandler } from './due-work-runner.ts';
import type { DueKind } from './due-kinds.ts';

/**
 * What the worker runs for one capability: handlers of its due-work kinds (claimed by the one `DueWorkRunner`) and a
 * consumer of bus messages (call events and notices), called for every message at least once. `onBusMessage` must
 * be idempotent (redeliveries happen) and throw only for transient failures (the message is redelivered).
 */
export interface WorkModule {
  name: string;
  handlers: Partial<Record<DueKind, DueHandler>>;
  onBusMessage(message: BusMessage): Promise<void>;
}
