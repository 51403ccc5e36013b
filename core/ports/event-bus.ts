// Port: the live bus carrying durable events (with the call snapshot after them) and volatile partials.
import type { Call } from '../domain/call.ts';
import type { CallEvent, PartialSegment } from '../domain/call-event.ts';
import { noticeOrderingKey, type Notice } from '../domain/notice.ts';

/**
 * Where a partial stands in its provider's stream (Twilio: `<TranscriptionSid>:<speaker>` and `SequenceId`; Twilio
 * orders content per track, not across tracks, hence one stream per track). Partials are never stored, so this is
 * what lets the relay drop a replayed or late one: positions only grow within a stream.
 */
export interface PartialPosition {
  stream: string;
  at: number;
}

export type BusMessage =
  | { type: 'event'; event: CallEvent; call: Call }
  | { type: 'partial'; partial: PartialSegment; orgId: string; position?: PartialPosition }
  /** callrelay's own conclusions (campaign progress, attention, opt-outs); at-least-once like the rest. */
  | { type: 'notice'; notice: Notice; orgId: string };

export type BusHandler = (message: BusMessage) => Promise<void> | void;

/** What a subscriber can learn about a message before decoding it (on Pub/Sub: the message attributes). */
export interface BusRoute {
  type: BusMessage['type'];
  orgId: string;
  /** Events and partials; notices have none. */
  callId?: string;
}

export interface SubscribeOptions {
  /**
   * Interest check, run before the message is decoded: a message whose route it refuses is acknowledged and dropped
   * (never handed to the handler, never redelivered). Synchronous and cheap; it runs for every message of the topic.
   * Refuse only what the subscriber can do without: a relay refuses calls nobody on it watches, whose events it
   * would read from the store anyway if someone subscribes later.
   */
  wants?: (route: BusRoute) => boolean;
}

export interface BusSubscription {
  /** Stops delivery and releases the subscription's resources (the instance subscription on Pub/Sub). */
  close(): Promise<void>;
}

/**
 * Contract (checked by `event-bus.contract.ts`):
 * - Messages of one call (ordering key = callId) reach each subscriber in publish order.
 * - Every subscriber (one per relay instance) receives every message published after it subscribed that its
 *   `wants` accepts (all of them without one); refused ones are dropped without decoding.
 * - Delivery is at-least-once: subscribers must tolerate duplicates (the relay drops them by seq).
 * - A failed publish rejects with `AppError('bus_unavailable')` and leaves later publishes for that call working.
 * - A handler that throws has the message redelivered; a message that cannot be parsed is logged and dropped.
 * - `consume(group)` is a durable, shared subscription (the worker's): the group exists from its first `consume`
 *   on and keeps every message published after that until a consumer of the group handles it — also while no
 *   consumer is attached (a worker restarting) — and the consumers of one group share its messages instead of each
 *   getting all of them. Closing a consumer detaches it; the group and what it holds remain.
 */
export interface EventBus {
  publish(message: BusMessage): Promise<void>;
  /** `name` identifies the subscriber (e.g. the relay instance id); unique per live subscriber. */
  subscribe(name: string, handler: BusHandler, options?: SubscribeOptions): Promise<BusSubscription>;
  /** Attaches a consumer to the durable group `group` (created on first use). One consumer per group per bus. */
  consume(group: string, handler: BusHandler): Promise<BusSubscription>;
}

/** The route of a decoded message: what the Pub/Sub attributes carry. */
export function routeOf(message: BusMessage): BusRoute {
  switch (message.type) {
    case 'event':
      return { type: 'event', orgId: message.call.orgId, callId: message.event.callId };
    case 'partial':
      return { type: 'partial', orgId: message.orgId, callId: message.partial.callId };
    case 'notice':
      return { type: 'notice', orgId: message.orgId };
  }
}

export function orderingKey(message: BusMessage): string {
  switch (message.type) {
    case 'event':
      return message.event.callId;
    case 'partial':
      return message.partial.callId;
    case 'notice':
      return noticeOrderingKey(message.notice, message.orgId);
  }
}
