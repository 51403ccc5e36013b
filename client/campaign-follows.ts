// The client's followed campaigns: a snapshot on every (re)subscribe, then live updates; retried or ended on errors.
import type {
  CampaignMessage,
  CampaignUpdatedMessage,
  ClientMessage,
  ErrorMessage,
  LiveCampaignDriver,
} from '../core/protocol/relay-messages.ts';
import type { CampaignSummary } from '../core/protocol/rest-api.ts';

/** Callbacks of one campaign follow. The relay never sends an update older than what this socket already has. */
export interface CampaignHandlers {
  /** On every (re)subscribe, including after each reconnect: the whole campaign, drivers in input order. */
  onSnapshot(campaign: CampaignSummary, drivers: LiveCampaignDriver[]): void;
  /** A later change: the campaign now, and the driver that changed (absent for campaign-only changes). */
  onUpdate(campaign: CampaignSummary, driver?: LiveCampaignDriver): void;
  /** `not_found`, `bad_request` or `too_many_subscriptions` end the follow; `unavailable` is retried. */
  onError?(error: ErrorMessage): void;
}

export interface CampaignFollow {
  readonly campaignId: string;
  unsubscribe(): void;
}

interface FollowState {
  campaignId: string;
  handlers: Set<CampaignHandlers>;
  /** Current state once a snapshot arrived (for listeners added later). */
  campaign: CampaignSummary | undefined;
  drivers: Map<string, LiveCampaignDriver>;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  retries: number;
}

const TERMINAL_ERRORS = new Set(['forbidden', 'not_found', 'bad_request', 'too_many_subscriptions']);

/** Every campaign one client follows, keyed by campaign id; listeners of one campaign share one subscription. */
export class CampaignFollows {
  private readonly follows = new Map<string, FollowState>();

  /**
   * @param send sends on the open socket (a no-op while there is none: the next open subscribes again).
   * @param retryDelay backoff before the `attempt`-th retry after an `unavailable`.
   */
  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly retryDelay: (attempt: number) => number,
  ) {}

  /** Adds a listener; one added after the snapshot gets the current state (snapshot merged with updates) at once. */
  add(campaignId: string, handlers: CampaignHandlers): CampaignFollow {
    let state = this.follows.get(campaignId);
    if (!state) {
      state = {
        campaignId,
        handlers: new Set(),
        campaign: undefined,
        drivers: new Map(),
        retryTimer: undefined,
        retries: 0,
      };
      this.follows.set(campaignId, state);
      this.send({ type: 'subscribe_campaign', campaignId });
    } else if (state.campaign) {
      handlers.onSnapshot(state.campaign, [...state.drivers.values()]);
    }
    state.handlers.add(handlers);
    const followed = state;
    return {
      campaignId,
      unsubscribe: () => {
        if (!followed.handlers.delete(handlers) || followed.handlers.size > 0) return;
        if (this.follows.get(campaignId) !== followed) return;
        clearTimeout(followed.retryTimer);
        this.follows.delete(campaignId);
        this.send({ type: 'unsubscribe_campaign', campaignId });
      },
    };
  }

  /** Whether `campaignId` is followed (an error about it is then ours). */
  has(campaignId: string): boolean {
    return this.follows.has(campaignId);
  }

  /** A new socket opened: a fresh snapshot of every followed campaign. */
  resubscribeAll(): void {
    for (const state of this.follows.values())
      this.send({ type: 'subscribe_campaign', campaignId: state.campaignId });
  }

  onCampaign(message: CampaignMessage): void {
    const state = this.follows.get(message.campaign.campaignId);
    if (!state) return;
    state.retries = 0;
    state.campaign = message.campaign;
    state.drivers = new Map(message.drivers.map((d) => [d.driverId, d]));
    for (const h of state.handlers) h.onSnapshot(message.campaign, message.drivers);
  }

  onCampaignUpdated(message: CampaignUpdatedMessage): void {
    const state = this.follows.get(message.campaign.campaignId);
    // Before the snapshot of a (re)subscribe nothing applies: the snapshot that follows is at least as new.
    if (!state?.campaign) return;
    state.campaign = message.campaign;
    if (message.driver) state.drivers.set(message.driver.driverId, message.driver);
    for (const h of state.handlers) h.onUpdate(message.campaign, message.driver);
  }

  /** An error about a followed campaign: reported, then the follow ends (terminal codes) or is retried. */
  onError(error: ErrorMessage): void {
    const state = error.campaignId === undefined ? undefined : this.follows.get(error.campaignId);
    if (!state) return;
    for (const h of state.handlers) h.onError?.(error);
    if (TERMINAL_ERRORS.has(error.code)) {
      clearTimeout(state.retryTimer);
      this.follows.delete(state.campaignId);
      return;
    }
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(
      () => this.send({ type: 'subscribe_campaign', campaignId: state.campaignId }),
      this.retryDelay(state.retries++),
    );
  }

  /** The client closed for good: no retry fires afterwards. */
  cancelRetries(): void {
    for (const state of this.follows.values()) clearTimeout(state.retryTimer);
  }
}
