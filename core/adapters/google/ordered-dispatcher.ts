// Runs a subscriber's handler one message at a time per ordering key, so async handlers keep Pub/Sub's per-key order.
import { SerialLanes } from '../../support/serial-lanes.ts';

/** One received message as the dispatcher sees it. */
export interface Delivery<T> {
  /** Server-assigned message id: the same on redelivery. */
  id: string;
  /** Ordering key; empty means unordered (runs at once). */
  key: string;
  payload: T;
  ack(): void;
  nack(): void;
}

/** How long a key stays blocked waiting for a nacked message's redelivery before giving up on it. */
export const DEFAULT_BLOCK_MS = 60_000;

/**
 * The Node Pub/Sub client emits ordered messages in order but does not wait for the handler, so without this a slow
 * handler for seq 1 can finish after seq 2. When a handler fails the message is nacked and the key is blocked: later
 * messages of that key are nacked too (Pub/Sub redelivers them after the failed one) until the failed message comes
 * back, so a subscriber never sees a call's events out of order.
 */
export class OrderedDispatcher<T> {
  private readonly lanes = new SerialLanes();
  private readonly blocked = new Map<string, { messageId: string; until: number }>();

  constructor(
    private readonly run: (payload: T) => Promise<void>,
    private readonly options: { blockMs?: number; now?: () => number } = {},
  ) {}

  dispatch(delivery: Delivery<T>): void {
    if (!delivery.key) {
      void this.handle(delivery);
      return;
    }
    void this.lanes.run(delivery.key, () => this.handle(delivery));
  }

  /** Resolves once every message dispatched so far has been acked or nacked. */
  idle(): Promise<void> {
    return this.lanes.idle();
  }

  private async handle(delivery: Delivery<T>): Promise<void> {
    const now = this.options.now ?? Date.now;
    const block = this.blocked.get(delivery.key);
    if (block && block.messageId !== delivery.id && block.until > now()) {
      delivery.nack();
      return;
    }
    this.blocked.delete(delivery.key);
    try {
      await this.run(delivery.payload);
    } catch {
      if (delivery.key) {
        // Forget expired blocks of other keys (a call whose failed message never came back), so the map stays small.
        for (const [key, entry] of this.blocked) if (entry.until <= now()) this.blocked.delete(key);
        this.blocked.set(delivery.key, {
          messageId: delivery.id,
          until: now() + (this.options.blockMs ?? DEFAULT_BLOCK_MS),
        });
      }
      delivery.nack();
      return;
    }
    delivery.ack();
  }
}
