// Routes bus messages to per-call feeds, org call-list listeners and campaign followers; owns feed lifetime.
import { publicCall, type Call } from '../../core/domain/call.ts';
import type { Campaign, CampaignDriver } from '../../core/domain/campaign.ts';
import { publicCampaignDriver, type Notice } from '../../core/domain/notice.ts';
import { campaignSummary } from '../../core/protocol/campaign-views.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { CampaignStore } from '../../core/ports/campaign-store.ts';
import type { BusMessage, BusRoute } from '../../core/ports/event-bus.ts';
import type {
  CallUpdatedMessage,
  CallsMessage,
  CampaignUpdatedMessage,
} from '../../core/protocol/relay-messages.ts';
import { CallFeed, type FeedSubscriber, type SubscribeOutcome } from './call-feed.ts';
import { CampaignView } from './campaign-view.ts';
import { OrgUtterances, type UtteranceListener, type UtteranceStreamOptions } from './utterance-stream.ts';

/** Receives the org's call list: a snapshot, then one frame per durable event of any call of the org. */
export interface CallListListener extends UtteranceListener {
  /** A text frame: JSON as a string, or as its UTF-8 bytes (one `call_updated` is encoded once for every listener). */
  send(frame: string | Buffer): void;
}

/** Receives one campaign's stream: a `campaign` snapshot, then `campaign_updated` frames. */
export interface CampaignListener {
  send(frame: string): void;
}

/** `not_found` covers another org's campaign too; `superseded`: unsubscribed (or subscribed again) meanwhile. */
export type CampaignSubscribeOutcome = 'subscribed' | 'not_found' | 'superseded';

export interface RelayHubDeps {
  store: CallStore;
  campaigns: CampaignStore;
  logger: Logger;
  ringSize: number;
  backlogPageSize: number;
  /** Feeds without subscribers kept (least recently used first out) so quick resumes hit the ring. */
  maxIdleFeeds: number;
  retryDelaysMs?: readonly number[];
  /** Coalescing of latest utterances for `subscribe_calls {utterances: true}`. */
  utterances: UtteranceStreamOptions;
}

/** Size of the `calls` snapshot sent for `subscribe_calls`. */
export const CALL_LIST_SNAPSHOT_LIMIT = 100;

interface ListenerState {
  /** Updates that arrived while the snapshot was being read, sent after it. */
  pending: Call[] | undefined;
}

interface CampaignFollower {
  orgId: string;
  view: CampaignView;
  /** Notices that arrived while the snapshot was being read, applied (newer ones only) after it. */
  pending: Array<{ orgId: string; campaign: Campaign; driver?: CampaignDriver }> | undefined;
}

export class RelayHub {
  private readonly feeds = new Map<string, CallFeed>();
  /** Idle feed ids in least-recently-used order (Map keeps insertion order). */
  private readonly idle = new Map<string, true>();
  private readonly listeners = new Map<string, Map<CallListListener, ListenerState>>();
  /** campaignId → its followers on this instance. */
  private readonly campaignFollowers = new Map<string, Map<CampaignListener, CampaignFollower>>();
  /** orgId → latest utterances, only while a socket of the org asked for them. */
  private readonly utterances = new Map<string, OrgUtterances>();

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
        this.utterances.get(message.call.orgId)?.onEvent(message.event);
        return;
      }
      case 'partial': {
        this.feeds.get(message.partial.callId)?.onPartial(message.partial, message.orgId, message.position);
        this.utterances.get(message.orgId)?.onPartial(message.partial, message.position);
        return;
      }
      case 'notice':
        this.publishNotice(message.notice, message.orgId);
        return;
      default:
        assertNever(message);
    }
  }

  /**
   * Whether a bus message with this route could reach anyone here; the bus drops the rest before decoding them. Safe
   * to refuse: a call's feed, an org's list listeners and a campaign's followers are registered before their store
   * read, and durable events are stored before they are published, so a refused event is in that read. Partials of a
   * call nobody watches are volatile by design. Feeds kept idle count as watched (their ring must stay gapless).
   */
  wants(route: BusRoute): boolean {
    switch (route.type) {
      case 'event':
        return (
          (route.callId !== undefined && this.feeds.has(route.callId)) ||
          this.listeners.has(route.orgId) ||
          this.utterances.has(route.orgId)
        );
      case 'partial':
        return (
          (route.callId !== undefined && this.feeds.has(route.callId)) || this.utterances.has(route.orgId)
        );
      case 'notice':
        return this.campaignFollowers.size > 0;
      default:
        return assertNever(route.type);
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

  /**
   * Sends the org's call snapshot, then `call_updated` frames; updates racing the snapshot are not lost. With
   * `utterances`, also the latest utterance per call, coalesced (`utterances` frames, after the snapshot).
   */
  async subscribeCalls(
    orgId: string,
    listener: CallListListener,
    options: { utterances?: boolean } = {},
  ): Promise<void> {
    let org = this.listeners.get(orgId);
    if (!org) this.listeners.set(orgId, (org = new Map()));
    const state: ListenerState = { pending: [] };
    org.set(listener, state);
    this.leaveUtterances(orgId, listener);
    if (options.utterances) {
      let stream = this.utterances.get(orgId);
      if (!stream) this.utterances.set(orgId, (stream = new OrgUtterances(this.deps.utterances)));
      stream.add(listener);
    }
    try {
      const page = await this.deps.store.listCalls(orgId, {}, { limit: CALL_LIST_SNAPSHOT_LIMIT });
      const snapshot: CallsMessage = { type: 'calls', calls: page.calls.map(publicCall) };
      listener.send(JSON.stringify(snapshot));
      const seen = new Map(page.calls.map((c) => [c.callId, c.lastSeq]));
      for (const call of state.pending ?? []) {
        if (call.lastSeq > (seen.get(call.callId) ?? -1)) listener.send(callUpdatedFrame(call));
      }
      state.pending = undefined;
      this.utterances.get(orgId)?.start(listener, [...seen.keys()]);
    } catch (err) {
      this.unsubscribeCalls(orgId, listener);
      throw err;
    }
  }

  unsubscribeCalls(orgId: string, listener: CallListListener): void {
    const org = this.listeners.get(orgId);
    org?.delete(listener);
    if (org?.size === 0) this.listeners.delete(orgId);
    this.leaveUtterances(orgId, listener);
  }

  /** Orgs whose utterances this instance tracks (tests and diagnostics: state is dropped with the last socket). */
  get utteranceOrgCount(): number {
    return this.utterances.size;
  }

  private leaveUtterances(orgId: string, listener: CallListListener): void {
    const stream = this.utterances.get(orgId);
    if (!stream) return;
    stream.remove(listener);
    if (stream.listenerCount === 0) {
      stream.close();
      this.utterances.delete(orgId);
    }
  }

  /**
   * Sends `listener` the campaign's snapshot (read after the follower is registered, so no notice is missed), then
   * the notices that arrived meanwhile when newer, then live ones. Another org's campaign is `not_found`.
   */
  async subscribeCampaign(
    campaignId: string,
    orgId: string,
    listener: CampaignListener,
  ): Promise<CampaignSubscribeOutcome> {
    let followers = this.campaignFollowers.get(campaignId);
    if (!followers) this.campaignFollowers.set(campaignId, (followers = new Map()));
    const follower: CampaignFollower = { orgId, view: new CampaignView(), pending: [] };
    followers.set(listener, follower);
    const current = () => this.campaignFollowers.get(campaignId)?.get(listener) === follower;
    try {
      const campaign = await this.deps.campaigns.get(campaignId);
      if (!campaign || campaign.orgId !== orgId) {
        if (current()) this.unsubscribeCampaign(campaignId, listener);
        return 'not_found';
      }
      const drivers = await this.deps.campaigns.drivers(campaignId);
      if (!current()) return 'superseded';
      listener.send(follower.view.snapshot(campaign, drivers));
      const pending = follower.pending ?? [];
      follower.pending = undefined;
      for (const notice of pending) this.deliverNotice(listener, follower, notice);
      return 'subscribed';
    } catch (err) {
      if (current()) this.unsubscribeCampaign(campaignId, listener);
      throw err;
    }
  }

  unsubscribeCampaign(campaignId: string, listener: CampaignListener): void {
    const followers = this.campaignFollowers.get(campaignId);
    followers?.delete(listener);
    if (followers?.size === 0) this.campaignFollowers.delete(campaignId);
  }

  /** Sockets following a campaign on this instance (tests and diagnostics). */
  campaignFollowerCount(campaignId: string): number {
    return this.campaignFollowers.get(campaignId)?.size ?? 0;
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
    let frame: Buffer | undefined;
    for (const [listener, state] of org) {
      if (state.pending) state.pending.push(call);
      else listener.send((frame ??= Buffer.from(callUpdatedFrame(call))));
    }
  }

  /** Campaign progress reaches that campaign's followers of the same org; other notices are for other consumers. */
  private publishNotice(notice: Notice, orgId: string): void {
    if (notice.kind !== 'campaign_progress' && notice.kind !== 'campaign_completed') return;
    const followers = this.campaignFollowers.get(notice.campaign.campaignId);
    if (!followers) return;
    const update = {
      orgId,
      campaign: notice.campaign,
      ...(notice.kind === 'campaign_progress' && notice.driver ? { driver: notice.driver } : {}),
    };
    let frame: string | undefined;
    const natural = () => (frame ??= campaignUpdatedFrame(update.campaign, update.driver));
    for (const [listener, follower] of followers) {
      if (follower.pending) follower.pending.push(update);
      else this.deliverNotice(listener, follower, update, natural);
    }
  }

  private deliverNotice(
    listener: CampaignListener,
    follower: CampaignFollower,
    update: { orgId: string; campaign: Campaign; driver?: CampaignDriver },
    natural = () => campaignUpdatedFrame(update.campaign, update.driver),
  ): void {
    // Org isolation does not rest on campaign ids alone: the notice and its record must both be the follower's org.
    if (update.orgId !== follower.orgId || update.campaign.orgId !== follower.orgId) return;
    const frame = follower.view.update(update.campaign, update.driver, natural);
    if (frame !== undefined) listener.send(frame);
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

function campaignUpdatedFrame(campaign: Campaign, driver: CampaignDriver | undefined): string {
  const message: CampaignUpdatedMessage = {
    type: 'campaign_updated',
    campaign: campaignSummary(campaign),
    ...(driver ? { driver: publicCampaignDriver(driver) } : {}),
  };
  return JSON.stringify(message);
}
