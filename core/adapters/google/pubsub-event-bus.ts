// Pub/Sub EventBus: one ordered topic; each subscriber gets its own short-lived ordered subscription, each consumer
// group one durable shared subscription.
import type { CreateSubscriptionOptions, Message, PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import { AppError, isAppError } from '../../support/errors.ts';
import type { Logger } from '../../support/log.ts';
import type {
  BusHandler,
  BusMessage,
  BusSubscription,
  EventBus,
  SubscribeOptions,
} from '../../ports/event-bus.ts';
import { encodeBusMessage, parseBusMessage, routeFromAttributes } from './bus-message-codec.ts';
import { OrderedDispatcher } from './ordered-dispatcher.ts';

export interface PubSubEventBusOptions {
  /** Topic carrying the live bus (`BackendConfig.topic`). */
  topic: string;
  logger: Logger;
  /**
   * Hard limit on one publish, retries and reconnects included (the client's own retry deadline is only checked
   * between attempts, so an unreachable endpoint can hold a publish for 20 s+). Default 10 s: a webhook must answer
   * before the provider gives up on it (Twilio waits 15 s).
   */
  publishTimeoutMs?: number;
  /**
   * How long a publish may wait for more messages to batch with. Default 0 (sent on the next tick): the client
   * batches per ordering key (a call), and one call's messages already batch while its previous publish is in
   * flight, so the client's default 10 ms linger only added 10 ms to every webhook.
   */
  publishBatchMs?: number;
  /** Time a subscriber has to ack before redelivery. Default 30 s. */
  ackDeadlineSeconds?: number;
  /**
   * Idle time after which Pub/Sub deletes a subscription nobody pulls from: the janitor for instances that died
   * without `close()`. Default (and Pub/Sub's minimum) 1 day.
   */
  subscriptionTtlSeconds?: number;
}

export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
export const DEFAULT_ACK_DEADLINE_SECONDS = 30;
export const DEFAULT_PUBLISH_BATCH_MS = 0;
export const DEFAULT_SUBSCRIPTION_TTL_SECONDS = 24 * 60 * 60;

/** Pub/Sub subscription ids: letters, digits and `-_.~+%`, starting with a letter; the topic prefix covers the start. */
const SUBSCRIBER_NAME = /^[A-Za-z0-9._~+%-]{1,200}$/;

/** Retention of a durable group's unacknowledged messages: Pub/Sub's maximum, 7 days. */
const GROUP_RETENTION_SECONDS = 7 * 24 * 60 * 60;

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;

/**
 * EventBus on Pub/Sub with message ordering: the ordering key is the callId, so each subscription sees a call's
 * messages in publish order. `subscribe` creates `${topic}-${name}`; `close()` deletes it, and the subscription's
 * expiration policy removes the ones of instances that crashed.
 */
export class PubSubEventBus implements EventBus {
  private readonly topic: Topic;
  private readonly logger: Logger;
  private readonly publishTimeoutMs: number;
  private readonly subscriptions = new Map<string, BusSubscription>();

  constructor(
    pubsub: PubSub,
    private readonly options: PubSubEventBusOptions,
  ) {
    this.logger = options.logger;
    this.publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    this.topic = pubsub.topic(options.topic, {
      messageOrdering: true,
      batching: { maxMilliseconds: options.publishBatchMs ?? DEFAULT_PUBLISH_BATCH_MS },
      gaxOpts: { timeout: this.publishTimeoutMs },
    });
  }

  /** Creates the topic if it does not exist yet. */
  async ensureTopic(): Promise<void> {
    try {
      await this.topic.create();
    } catch (err) {
      if (grpcCode(err) !== ALREADY_EXISTS) throw busError('could not create the bus topic', err);
    }
  }

  async publish(message: BusMessage): Promise<void> {
    const encoded = encodeBusMessage(message);
    // A failed ordered publish pauses its key; without resuming, every later event of the call would fail too.
    // Resume whenever the failure lands, even after the deadline below has already answered the caller.
    const sent = this.topic.publishMessage(encoded).catch((err: unknown) => {
      this.topic.resumePublishing(encoded.orderingKey);
      throw err;
    });
    try {
      await withDeadline(sent, this.publishTimeoutMs);
    } catch (err) {
      throw busError('live bus is unavailable', err);
    }
  }

  async subscribe(
    name: string,
    handler: BusHandler,
    options: SubscribeOptions = {},
  ): Promise<BusSubscription> {
    if (!SUBSCRIBER_NAME.test(name))
      throw new TypeError(`bus subscriber name ${JSON.stringify(name)} is not valid`);
    if (this.subscriptions.has(name)) throw new TypeError(`bus subscriber ${name} already exists`);
    const subscription = await this.openSubscription(`${this.options.topic}-${name}`, {
      expirationPolicy: {
        ttl: { seconds: this.options.subscriptionTtlSeconds ?? DEFAULT_SUBSCRIPTION_TTL_SECONDS },
      },
    });
    return this.attach(name, subscription, handler, { deleteOnClose: true, ...options });
  }

  /**
   * The durable group `${topic}-group-${group}`: created once, never deleted by callrelay (in production it is the
   * infra's subscription), with the longest retention Pub/Sub allows, so a worker that is down loses nothing.
   */
  async consume(group: string, handler: BusHandler): Promise<BusSubscription> {
    if (!SUBSCRIBER_NAME.test(group))
      throw new TypeError(`bus group name ${JSON.stringify(group)} is not valid`);
    const key = `group:${group}`;
    if (this.subscriptions.has(key)) throw new TypeError(`bus group ${group} already has a consumer`);
    const subscription = await this.openSubscription(`${this.options.topic}-group-${group}`, {
      messageRetentionDuration: { seconds: GROUP_RETENTION_SECONDS },
      expirationPolicy: {},
    });
    return this.attach(key, subscription, handler, { deleteOnClose: false });
  }

  private attach(
    key: string,
    subscription: Subscription,
    handler: BusHandler,
    { deleteOnClose, wants }: { deleteOnClose: boolean } & SubscribeOptions,
  ): BusSubscription {
    const log = this.logger.child({ subscription: subscription.name });
    const dispatcher = new OrderedDispatcher<BusMessage>(async (message) => {
      try {
        await handler(message);
      } catch (err) {
        log.warn('bus handler failed; the message will be redelivered', { err });
        throw err;
      }
    });
    const onMessage = (raw: Message): void => {
      // Attributes first: a message nobody here wants is acked without decoding its body. Without attributes (a
      // publisher that sets none) the route is unknown, and the message is decoded as before.
      const route = wants && routeFromAttributes(raw.attributes);
      if (route && !wants(route)) {
        raw.ack();
        return;
      }
      const message = parseBusMessage(raw.data);
      if (!message) {
        log.warn('dropping a malformed bus message', { messageId: raw.id });
        raw.ack();
        return;
      }
      dispatcher.dispatch({
        id: raw.id,
        key: raw.orderingKey ?? '',
        payload: message,
        ack: () => raw.ack(),
        nack: () => raw.nack(),
      });
    };
    const onError = (err: Error): void => log.error('bus subscription error', { err });
    subscription.on('message', onMessage);
    subscription.on('error', onError);

    let closing: Promise<void> | undefined;
    const handle: BusSubscription = {
      close: () => {
        closing ??= (async () => {
          this.subscriptions.delete(key);
          subscription.removeListener('message', onMessage);
          await subscription.close();
          subscription.removeListener('error', onError);
          if (!deleteOnClose) return;
          try {
            await subscription.delete();
          } catch (err) {
            if (grpcCode(err) !== NOT_FOUND)
              log.warn('could not delete the subscription; its expiration policy will', { err });
          }
        })();
        return closing;
      },
    };
    this.subscriptions.set(key, handle);
    return handle;
  }

  /** Closes (and deletes) every subscription still open and sends what is still batched. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions.values()].map((s) => s.close()));
    await this.topic.flush();
  }

  private async openSubscription(
    subscriptionName: string,
    lifetime: CreateSubscriptionOptions,
  ): Promise<Subscription> {
    try {
      const [subscription] = await this.topic.createSubscription(subscriptionName, {
        enableMessageOrdering: true,
        ackDeadlineSeconds: this.options.ackDeadlineSeconds ?? DEFAULT_ACK_DEADLINE_SECONDS,
        ...lifetime,
      });
      return subscription;
    } catch (err) {
      // Left behind by a previous process with the same name: take it over rather than fail the restart.
      if (grpcCode(err) === ALREADY_EXISTS) {
        this.logger.warn('reusing an existing bus subscription', { subscription: subscriptionName });
        return this.topic.subscription(subscriptionName);
      }
      throw busError('could not subscribe to the live bus', err);
    }
  }
}

/** Settles like `promise`, or rejects once `ms` have passed; the timer never outlives the race. */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function grpcCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

function busError(message: string, cause: unknown): AppError {
  return isAppError(cause) ? cause : new AppError('bus_unavailable', message, { cause });
}
