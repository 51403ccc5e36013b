// In-process EventBus: per-subscriber FIFO delivery with redelivery when a handler throws.
import {
  routeOf,
  type BusHandler,
  type BusMessage,
  type BusRoute,
  type BusSubscription,
  type EventBus,
  type SubscribeOptions,
} from '../../ports/event-bus.ts';
import { AppError } from '../../support/errors.ts';
import { copyPlain } from '../../support/plain-clone.ts';

interface Subscriber {
  handler: BusHandler;
  wants?: (route: BusRoute) => boolean;
  queue: BusMessage[];
  draining: boolean;
  closed: boolean;
}

export class MemoryEventBus implements EventBus {
  private readonly subscribers = new Map<string, Subscriber>();
  /** Durable groups: their queue keeps filling while no consumer is attached. */
  private readonly groups = new Map<string, Subscriber>();
  /** Test seam: when set, publish rejects as an unavailable bus would. */
  failPublishes = false;

  async publish(message: BusMessage): Promise<void> {
    if (this.failPublishes) throw new AppError('bus_unavailable', 'live bus is unavailable');
    // One copy for all subscribers, so the publisher may reuse its objects (as with a real broker).
    const copy = copyPlain(message);
    let route: BusRoute | undefined;
    for (const sub of [...this.subscribers.values(), ...this.groups.values()]) {
      if (sub.wants && !sub.wants((route ??= routeOf(message)))) continue;
      sub.queue.push(copy);
      void this.drain(sub);
    }
  }

  async consume(group: string, handler: BusHandler): Promise<BusSubscription> {
    const found = this.groups.get(group);
    if (found && !found.closed) throw new TypeError(`bus group ${group} already has a consumer`);
    const sub: Subscriber = { handler, queue: found?.queue ?? [], draining: false, closed: false };
    this.groups.set(group, sub);
    void this.drain(sub);
    return {
      close: async () => {
        // Detach only: the group keeps collecting messages for the next consumer.
        sub.closed = true;
      },
    };
  }

  async subscribe(
    name: string,
    handler: BusHandler,
    options: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (this.subscribers.has(name)) throw new TypeError(`bus subscriber ${name} already exists`);
    const sub: Subscriber = { handler, queue: [], draining: false, closed: false };
    if (options.wants) sub.wants = options.wants;
    this.subscribers.set(name, sub);
    return {
      close: async () => {
        sub.closed = true;
        this.subscribers.delete(name);
      },
    };
  }

  private async drain(sub: Subscriber): Promise<void> {
    if (sub.draining || sub.closed) return;
    sub.draining = true;
    try {
      while (!sub.closed && sub.queue.length > 0) {
        const message = sub.queue[0]!;
        try {
          await sub.handler(message);
          sub.queue.shift();
        } catch {
          // Redeliver after a short pause, like a nack.
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      sub.draining = false;
    }
  }
}
