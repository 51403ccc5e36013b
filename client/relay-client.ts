// Typed relay client for browsers and Node: reconnects with backoff, refreshes tokens, resumes every subscription gaplessly.
import { CLOSE_CODES, shouldReconnect } from '../core/support/errors.ts';
import { parseServerMessage } from '../core/protocol/parse-server-message.ts';
import { assertNever } from '../core/support/assert-never.ts';
import {
  type ClientMessage,
  type ErrorMessage,
  type ServerMessage,
} from '../core/protocol/relay-messages.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { CallList, type CallListHandlers } from './call-list.ts';
import { CampaignFollows, type CampaignFollow, type CampaignHandlers } from './campaign-follows.ts';
import { CallSubscriptions, type CallHandlers, type CallSubscription } from './call-subscriptions.ts';
import { Heartbeat } from './heartbeat.ts';
import { systemClientClock, TokenRenewal, type ClientClock } from './token-renewal.ts';
import { detach, SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './web-socket-like.ts';

export type { CallListHandlers } from './call-list.ts';
export type { CallHandlers, CallSubscription } from './call-subscriptions.ts';
export type { CampaignFollow, CampaignHandlers } from './campaign-follows.ts';
export type { ClientClock } from './token-renewal.ts';
export type { WebSocketConstructor, WebSocketLike } from './web-socket-like.ts';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RelayClientOptions {
  /** `ws(s)://host/ws/calls/transcriptions`. */
  url: string;
  /**
   * Returns a current token; called for every refresh (sent in-band as `auth`), and for every connection unless
   * `getTicket` is given.
   */
  getToken: () => string | Promise<string>;
  /**
   * Returns a fresh single-use relay ticket (`POST /relay/tickets`); called for every connection, which then carries
   * `?ticket=` instead of `?token=`, so a long-lived token never appears in a URL (or a proxy's logs).
   */
  getTicket?: () => string | Promise<string>;
  /** Defaults to `globalThis.WebSocket` (browsers, Node ≥ 22); pass `ws`'s `WebSocket` on older Node. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffOptions>;
  /** Refresh the token this long before it expires (default 60 s; half the lifetime for shorter tokens). */
  refreshLeadMs?: number;
  /** Sends `ping` this often; a connection silent for two intervals is dropped and re-established (default 30 s). */
  heartbeatMs?: number;
  random?: () => number;
  /** Time source for token expiry (default: the system clock); core's `Clock` fits. */
  clock?: ClientClock;
  onStateChange?: (state: ConnectionState, detail: { code?: number }) => void;
}

/** One connection's lifecycle (open, reconnect with backoff, close), routing each server message to its part. */
export class RelayClient {
  private socket: WebSocketLike | undefined;
  private readonly subscriptions: CallSubscriptions;
  private readonly callList: CallList;
  private readonly campaigns: CampaignFollows;
  private readonly renewal: TokenRenewal;
  private readonly heartbeat: Heartbeat;
  private attempt = 0;
  private stateValue: ConnectionState = 'idle';
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: BackoffOptions;
  private readonly WebSocketImpl: WebSocketConstructor;

  constructor(private readonly options: RelayClientOptions) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!impl) throw new TypeError('no WebSocket implementation: pass options.WebSocket (e.g. from "ws")');
    this.WebSocketImpl = impl;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const send = (message: ClientMessage) => this.send(message);
    const retryDelay = (attempt: number) => backoffDelay(attempt, this.backoff, options.random);
    this.subscriptions = new CallSubscriptions(send, retryDelay);
    this.callList = new CallList(send, retryDelay);
    this.campaigns = new CampaignFollows(send, retryDelay);
    this.renewal = new TokenRenewal({
      getToken: options.getToken,
      send,
      clock: options.clock ?? systemClientClock,
      leadMs: options.refreshLeadMs ?? 60_000,
    });
    this.heartbeat = new Heartbeat(options.heartbeatMs ?? 30_000);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Opens the connection (and keeps it open until `close`). */
  connect(): void {
    if (this.stateValue !== 'idle') return;
    void this.open();
  }

  /** Subscribes to a call from `afterSeq` (default: its whole history). One subscription per call per client. */
  subscribe(callId: string, handlers: CallHandlers, options: { afterSeq?: number } = {}): CallSubscription {
    return this.subscriptions.add(callId, handlers, options.afterSeq ?? 0);
  }

  /**
   * Follows the org's call list: a snapshot on every (re)connect, then updates. A listener added after the first
   * snapshot gets the current list (snapshot merged with updates, newest first) at once.
   */
  subscribeCalls(handlers: CallListHandlers): { unsubscribe(): void } {
    return this.callList.add(handlers);
  }

  /**
   * Follows one campaign of the org: `onSnapshot` with the whole campaign on every (re)connect, then `onUpdate` for
   * each change (never older than what was already delivered). Listeners of one campaign share one subscription; one
   * added after the snapshot gets the current state at once. `not_found` (missing or another org's) ends the follow.
   */
  followCampaign(campaignId: string, handlers: CampaignHandlers): CampaignFollow {
    return this.campaigns.add(campaignId, handlers);
  }

  /**
   * Sends the token `getToken` returns now, in-band (`auth`) on the open socket, so the relay learns its new `exp`
   * at once. Call it when the application obtained a fresh token (e.g. after `POST /auth/refresh`); without it the
   * client still asks `getToken` shortly before the current token's `exp`. A no-op while not connected: the next
   * connection asks `getToken` anyway.
   */
  reauthenticate(): void {
    if (this.stopped || this.stateValue !== 'open') return;
    void this.renewal.renew();
  }

  /** Closes for good: no reconnect, timers cleared. */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    this.subscriptions.cancelRetries();
    this.campaigns.cancelRetries();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      detach(socket);
      socket.close(CLOSE_CODES.normal.code, 'client closed');
    }
    this.setState('closed', {});
  }

  private async open(): Promise<void> {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting', {});
    let credential: string;
    try {
      credential = this.options.getTicket
        ? `ticket=${encodeURIComponent(await this.options.getTicket())}`
        : `token=${encodeURIComponent(await this.options.getToken())}`;
    } catch {
      if (!this.stopped) this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const separator = this.options.url.includes('?') ? '&' : '?';
    const socket = new this.WebSocketImpl(`${this.options.url}${separator}${credential}`);
    this.socket = socket;
    socket.onopen = () => this.onOpen(socket);
    socket.onmessage = (event: { data: unknown }) => {
      this.heartbeat.heardFrom();
      if (typeof event.data !== 'string') return;
      const message = parseServerMessage(event.data);
      if (message) this.onMessage(message);
    };
    socket.onclose = (event: { code: number }) => this.onClose(socket, event.code);
    socket.onerror = () => {}; // a close event always follows
  }

  private onOpen(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    this.setState('open', {});
    this.heartbeat.start(
      () => this.send({ type: 'ping' }),
      () => this.onSilence(socket),
    );
    this.subscriptions.resubscribeAll();
    this.callList.resubscribe();
    this.campaigns.resubscribeAll();
  }

  /** Silent for a whole interval after a ping: the link is dead even if no close arrived. */
  private onSilence(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    detach(socket);
    socket.close(CLOSE_CODES.heartbeat_timeout.code, CLOSE_CODES.heartbeat_timeout.reason);
    this.onClose(socket, CLOSE_CODES.abnormal.code);
  }

  private onClose(socket: WebSocketLike, code: number): void {
    if (socket !== this.socket) return;
    detach(socket);
    this.socket = undefined;
    this.clearTimers();
    if (this.stopped) return;
    if (!shouldReconnect(code)) {
      this.stopped = true;
      this.setState('closed', { code });
      return;
    }
    this.scheduleReconnect(code);
  }

  private scheduleReconnect(code?: number): void {
    const delay = backoffDelay(this.attempt++, this.backoff, this.options.random);
    this.setState('reconnecting', code === undefined ? {} : { code });
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'authenticated':
        this.attempt = 0;
        this.renewal.schedule(message.exp);
        return;
      case 'subscribed':
        this.subscriptions.onSubscribed(message);
        return;
      case 'call_status':
      case 'segment':
      case 'transcript':
      case 'intervention':
        this.subscriptions.onEvent(message);
        return;
      case 'partial':
        this.subscriptions.onPartial(message);
        return;
      case 'calls':
        this.callList.onCalls(message);
        return;
      case 'call_updated':
        this.callList.onCallUpdated(message);
        return;
      case 'utterances':
        this.callList.onUtterances(message);
        return;
      case 'campaign':
        this.campaigns.onCampaign(message);
        return;
      case 'campaign_updated':
        this.campaigns.onCampaignUpdated(message);
        return;
      case 'error':
        this.onError(message);
        return;
      case 'unsubscribed':
      case 'unsubscribed_campaign':
      case 'pong':
        return;
      default:
        assertNever(message);
    }
  }

  private onError(error: ErrorMessage): void {
    if (error.code === 'token_expired') {
      void this.renewal.renew();
      return;
    }
    if (error.campaignId !== undefined) {
      this.campaigns.onError(error);
      return;
    }
    if (error.callId === undefined && error.code === 'unavailable' && this.callList.followedByAnyone) {
      // Only the call list is answered `unavailable` without a callId: ask for it again, with backoff.
      this.callList.retryLater();
      return;
    }
    this.subscriptions.onError(error);
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === SOCKET_OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState, detail: { code?: number }): void {
    if (this.stateValue === state && detail.code === undefined) return;
    this.stateValue = state;
    this.options.onStateChange?.(state, detail);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    this.renewal.cancel();
    this.heartbeat.stop();
    this.callList.cancelRetry();
  }
}
