// Routes bus messages to per-call feeds and org call-list listeners; owns feed lifetime (idle feeds kept, bounded).
import { publicCall, type Call } from '../../core/domain/call.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import type { CallUpdatedMessage, CallsMessage } from '../../core/protocol/relay-messages.ts';
import { CallFeed, type FeedSubscriber, type SubscribeOutcome } from './call-feed.ts';

/** Receives the org's call list: a snapshot, then one frame per durable event of any call of the org. */
export interface CallListListener {
  send(frame: string): void;
}

export interface RelayHubDeps {
  store: CallStore;
  logger: Logger;
  ringSize: number;
  backlogPageSize: number;
  /** Feeds without subscribers kept (least recently used first out) so quick resumes hit the ring. */
  maxIdleFeeds: number;
  retryDelaysMs?: readonly number[];
}

/** Size of the `calls` snapshot sent for `subscribe_calls`. */
export const CALL_LIST_SNAPSHOT_LIMIT = 100;

interface ListenerState {
  /** Updates that arrived while the snapshot was being read, sent after it. */
  pending: Call[] | undefined;
}

export class RelayHub {
  private readonly feeds = new Map<string, CallFeed>();
  /** Idle feed ids in least-recently-used order (Map keeps insertion order). */
  private readonly idle = new Map<string, true>();
  private readonly listeners = new Map<string, Map<CallListListener, ListenerState>>();

  constructor(private readonly deps: RelayHubDeps) {}

  /**
   * Handles one bus message; never waits for store reads (feeds queue their own work). Throws for no message the bus
   * can deliver: the bus codec drops unknown types before they reach the hub.
   */
  onBusMessage(message: BusMessage): void {
    switch (message.type) {
      case 'event': {
        this.feeds.get(message.event.callId)?.onEvent(message.event);
        this.publishCallUpdate(message.call);
        return;
      }
      case 'partial': {
        this.feeds.get(message.partial.callId)?.onPartial(message.partial, message.orgId, message.position);
        return;
      }
      case 'notice':
        // Campaign progress reaches campaign subscribers (docs/PROTOCOL.md); other notices are for other consumers.
        return;
      default:
        assertNever(message);
    }
  }

  /** Subscribes `sub` to a call of `orgId` (see `CallFeed.subscribe`). */
  async subscribe(
    callId: string,
    sub: FeedSubscriber,
    orgId: string,
    afterSeq?: number,
  ): Promise<SubscribeOutcome> {
    const feed = this.feedFor(callId);
    try {
      return await feed.subscribe(sub, orgId, afterSeq);
    } finally {
      this.release(feed);
    }
  }

  /** Reconciles every call someone is subscribed to with the store (see `CallFeed.reconcile`). */
  async reconcileActive(): Promise<void> {
    const active = [...this.feeds.values()].filter((feed) => feed.subscriberCount > 0);
    await Promise.all(active.map((feed) => feed.reconcile()));
  }

  unsubscribe(callId: string, sub: FeedSubscriber): void {
    const feed = this.feeds.get(callId);
    if (!feed) return;
    feed.unsubscribe(sub);
    this.release(feed);
  }

  /** Sends the org's call snapshot, then `call_updated` frames; updates racing the snapshot are not lost. */
  async subscribeCalls(orgId: string, listener: CallListListener): Promise<void> {
    let org = this.listeners.get(orgId);
    if (!org) this.listeners.set(orgId, (org = new Map()));
    const state: ListenerState = { pending: [] };
    org.set(listener, state);
    try {
      const page = await this.deps.store.listCalls(orgId, {}, { limit: CALL_LIST_SNAPSHOT_LIMIT });
      const snapshot: CallsMessage = { type: 'calls', calls: page.calls.map(publicCall) };
      listener.send(JSON.stringify(snapshot));
      const seen = new Map(page.calls.map((c) => [c.callId, c.lastSeq]));
      for (const call of state.pending ?? []) {
        if (call.lastSeq > (seen.get(call.callId) ?? -1)) listener.send(callUpdatedFrame(call));
      }
      state.pending = undefined;
    } catch (err) {
      this.unsubscribeCalls(orgId, listener);
      throw err;
    }
  }

  unsubscribeCalls(orgId: string, listener: CallListListener): void {
    const org = this.listeners.get(orgId);
    org?.delete(listener);
    if (org?.size === 0) this.listeners.delete(orgId);
  }

  /** Live feed count (with or without subscribers), for readiness output and tests. */
  get feedCount(): number {
    return this.feeds.size;
  }

  /** The feed of a call if one exists (tests and diagnostics). */
  feed(callId: string): CallFeed | undefined {
    return this.feeds.get(callId);
  }

  private publishCallUpdate(call: Call): void {
    const org = this.listeners.get(call.orgId);
    if (!org) return;
    let frame: string | undefined;
    for (const [listener, state] of org) {
      if (state.pending) state.pending.push(call);
      else listener.send((frame ??= callUpdatedFrame(call)));
    }
  }

  private feedFor(callId: string): CallFeed {
    let feed = this.feeds.get(callId);
    if (!feed) {
      feed = new CallFeed(callId, this.deps, (f) => this.drop(f));
      this.feeds.set(callId, feed);
    }
    this.idle.delete(callId);
    return feed;
  }

  /** After a subscriber leaves: keep an initialized idle feed for quick resumes, within the idle budget. */
  private release(feed: CallFeed): void {
    if (feed.inUse || this.feeds.get(feed.callId) !== feed) return;
    if (!feed.initialized || this.deps.maxIdleFeeds === 0) {
      this.drop(feed);
      return;
    }
    this.idle.delete(feed.callId);
    this.idle.set(feed.callId, true);
    while (this.idle.size > this.deps.maxIdleFeeds) {
      const oldest = this.idle.keys().next().value as string;
      const victim = this.feeds.get(oldest);
      if (victim) this.drop(victim);
      else this.idle.delete(oldest);
    }
  }

  private drop(feed: CallFeed): void {
    if (this.feeds.get(feed.callId) === feed && !feed.inUse) {
      this.feeds.delete(feed.callId);
      this.idle.delete(feed.callId);
    }
  }
}

function callUpdatedFrame(call: Call): string {
  const message: CallUpdatedMessage = { type: 'call_updated', call: publicCall(call) };
  return JSON.stringify(message);
}
