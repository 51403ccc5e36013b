// One dispatcher socket: its principal, subscriptions, token expiry, liveness and send-buffer ceiling.
import type { RawData, WebSocket } from 'ws';
import type { Principal } from '../../core/auth/principal.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import type { Clock } from '../../core/support/clock.ts';
import { CLOSE_CODES, isAppError, type CloseReason } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { parseClientMessage } from '../../core/protocol/parse-client-message.ts';
import type {
  AuthenticatedMessage,
  ClientMessage,
  ErrorMessage,
  RelayErrorCode,
  ServerMessage,
} from '../../core/protocol/relay-messages.ts';
import { assertNever } from '../../core/support/assert-never.ts';
import type { FeedSubscriber } from './call-feed.ts';
import type { CallListListener, CampaignListener, RelayHub } from './relay-hub.ts';
import type { RelayConfig } from './relay-config.ts';
import type { QuotaOwner } from './socket-quota.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ConnectionDeps {
  hub: RelayHub;
  config: RelayConfig;
  verifyToken: TokenVerifier;
  logger: Logger;
  clock: Clock;
  /** Called once when the socket is gone. One deps object is shared by every socket of a relay. */
  onClosed: (connection: Connection) => void;
}

/** How long a backlog replay waits for a peer to drain its buffer before treating it as a slow consumer. */
export const BACKLOG_DRAIN_TIMEOUT_MS = 10_000;
const DRAIN_POLL_MS = 5;

/**
 * Frames a socket may send at once: twice the rate, and never less than a full resubscribe after a reconnect
 * (every allowed subscription plus `subscribe_calls`, `auth` and a `ping`).
 */
export function inboundBurst(
  config: Pick<RelayConfig, 'maxMessagesPerSec' | 'maxSubscriptionsPerSocket'>,
): number {
  return Math.max(2 * config.maxMessagesPerSec, config.maxSubscriptionsPerSocket + 3);
}

/** `ws` send options: a `Buffer` frame is JSON text too, never a binary frame. */
const TEXT_FRAME = { binary: false } as const;

/** setTimeout's ceiling (~24.8 days); longer token lifetimes are re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What an `error` frame is about, when it is about one subscription. */
type ErrorSubject = { callId?: string; campaignId?: string };

export class Connection implements FeedSubscriber, CallListListener, CampaignListener {
  private principal: Principal;
  /** callId → generation, so an `unsubscribe` racing a pending `subscribe` wins. */
  private readonly subscriptions = new Map<string, number>();
  /** campaignId → generation, likewise; counted with `subscriptions` against the per-socket cap. */
  private readonly campaigns = new Map<string, number>();
  private generation = 0;
  private listensToCalls = false;
  private closing = false;
  private alive = true;
  private expiryTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private terminateTimer: NodeJS.Timeout | undefined;
  /**
   * Per-socket state is kept lean: a relay holds tens of thousands of sockets (docs/BENCHMARKS.md, `sockets`), so what
   * most sockets never use — the child logger (~2 KB of closures), the `closed()` promise — is created on first use.
   */
  private logger: Logger | undefined;
  /** Inbound frame budget: `maxMessagesPerSec` on average, bursts of `inboundBurst(config)`. */
  private readonly inbound: TokenBucket;
  private isClosed = false;
  private closedWaiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly ws: WebSocket,
    principal: Principal,
    private readonly deps: ConnectionDeps,
  ) {
    this.principal = principal;
    this.inbound = new TokenBucket(
      inboundBurst(deps.config),
      deps.config.maxMessagesPerSec,
      deps.clock.now().getTime(),
    );
    // The listeners are shared functions that find this connection through `CONNECTIONS`: four closures (and their
    // context) per socket would cost ~300 bytes on each of tens of thousands.
    CONNECTIONS.set(ws, this);
    ws.on('message', onWsMessage);
    ws.on('pong', onWsPong);
    ws.on('error', onWsError);
    ws.on('close', onWsClose);
    this.scheduleExpiry();
    this.sendMessage(this.authenticated());
  }

  /**
   * FeedSubscriber/CallListListener/CampaignListener: one pre-serialized frame, always a text frame (a `Buffer` holds
   * the JSON's UTF-8 bytes, encoded once for every subscriber); past the ceiling, close 4008.
   */
  send(frame: string | Buffer): void {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, TEXT_FRAME);
    if (this.ws.bufferedAmount > this.deps.config.maxBufferedBytes) {
      this.log.warn('slow consumer: send buffer ceiling reached', { bufferedAmount: this.ws.bufferedAmount });
      this.close('slow_consumer');
    }
  }

  /**
   * UtteranceListener: a coalesced frame is queued only while the unsent bytes stay within half the buffer ceiling
   * (or nothing is unsent), so volatile words never make a socket a slow consumer; they wait and coalesce instead.
   */
  canSend(bytes: number): boolean {
    const buffered = this.ws.bufferedAmount;
    return buffered === 0 || buffered + bytes <= this.deps.config.maxBufferedBytes / 2;
  }

  /**
   * FeedSubscriber: backlog pacing and cost. Each replayed event is charged to the inbound budget
   * (1/`replayEventsPerMessage` of a frame), so replays cannot be multiplied for free; beyond it the socket closes
   * with 1008. Waits while more than half the buffer ceiling is unsent; a peer that does not drain within
   * `BACKLOG_DRAIN_TIMEOUT_MS` is a slow consumer (4008).
   */
  async ready(): Promise<boolean> {
    if (this.closing) return false;
    if (!this.inbound.charge(1 / this.deps.config.replayEventsPerMessage, this.deps.clock.now().getTime())) {
      this.log.warn('client exceeded its message rate with replays; closing');
      this.close('policy');
      return false;
    }
    const threshold = this.deps.config.maxBufferedBytes / 2;
    const now = () => this.deps.clock.now().getTime();
    const deadline = now() + BACKLOG_DRAIN_TIMEOUT_MS;
    while (!this.closing && this.ws.bufferedAmount > threshold) {
      if (now() > deadline) {
        this.close('slow_consumer');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    return !this.closing;
  }

  /** FeedSubscriber: the call's feed lost continuity; the client reconnects and resumes from its last seq. */
  fail(): void {
    this.close('internal');
  }

  /** Who holds this socket (org + `sub`; an in-band `auth` never changes them): the socket quota's key. */
  get owner(): QuotaOwner {
    return this.principal;
  }

  /** Resolves once the socket is fully closed. */
  closed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    if (!this.closedWaiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.closedWaiter = { promise, resolve };
    }
    return this.closedWaiter.promise;
  }

  /** Heartbeat tick: terminates a peer that did not answer the previous ping, else pings again. */
  heartbeat(): void {
    if (!this.alive) {
      this.log.info('peer missed a heartbeat; terminating');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /** Closes with a catalogue code; the peer gets `closeGraceMs` to answer before the socket is destroyed. */
  close(reason: CloseReason): void {
    if (this.closing) return;
    this.closing = true;
    this.leaveAll();
    const entry = CLOSE_CODES[reason];
    this.ws.close(entry.code, entry.reason);
    this.terminateTimer = setTimeout(() => this.ws.terminate(), this.deps.config.closeGraceMs);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    if (!this.inbound.take(this.deps.clock.now().getTime())) {
      this.log.warn('client exceeded its message rate; closing', { sub: this.principal.sub });
      this.close('policy');
      return;
    }
    if (isBinary) {
      this.sendError('bad_request', 'binary frames are not supported; send JSON text');
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      this.sendError('bad_request', parsed.reason, parsed);
      return;
    }
    void this.handle(parsed.message).catch((err: unknown) => {
      this.log.error('message handling failed', { type: parsed.message.type, err });
      this.close('internal');
    });
  }

  private async handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(message.callId, message.afterSeq);
      case 'unsubscribe': {
        if (this.subscriptions.delete(message.callId)) this.deps.hub.unsubscribe(message.callId, this);
        this.sendMessage({ type: 'unsubscribed', callId: message.callId });
        return;
      }
      case 'subscribe_calls':
        return this.subscribeCalls(message.utterances === true);
      case 'subscribe_campaign':
        return this.subscribeCampaign(message.campaignId);
      case 'unsubscribe_campaign': {
        if (this.campaigns.delete(message.campaignId))
          this.deps.hub.unsubscribeCampaign(message.campaignId, this);
        this.sendMessage({ type: 'unsubscribed_campaign', campaignId: message.campaignId });
        return;
      }
      case 'auth':
        return this.reauthenticate(message.token);
      case 'ping':
        this.sendMessage({ type: 'pong' });
        return;
      default:
        assertNever(message);
    }
  }

  private async subscribe(callId: string, afterSeq: number | undefined): Promise<void> {
    const { hub, config } = this.deps;
    if (!this.subscriptions.has(callId) && this.atSubscriptionCap()) {
      this.sendError(
        'too_many_subscriptions',
        `at most ${config.maxSubscriptionsPerSocket} subscriptions per socket`,
        { callId },
      );
      return;
    }
    const generation = ++this.generation;
    this.subscriptions.set(callId, generation);
    let outcome;
    try {
      outcome = await hub.subscribe(callId, this, this.principal.org, afterSeq);
    } catch (err) {
      if (this.subscriptions.get(callId) === generation) this.subscriptions.delete(callId);
      this.log.warn('subscribe failed', { callId, err });
      this.sendError('unavailable', 'history is unavailable; retry shortly', { callId });
      return;
    }
    const current = this.subscriptions.get(callId) === generation;
    if (outcome === 'forbidden') {
      if (current) this.subscriptions.delete(callId);
      this.sendError('forbidden', 'not allowed to subscribe to this call', { callId });
      return;
    }
    // Unsubscribed (or closed) while the backlog was being read. A newer `subscribe` for the same call is queued
    // behind this one on the call's feed and re-registers this socket itself: leave it alone.
    if (this.closing || !this.subscriptions.has(callId)) hub.unsubscribe(callId, this);
  }

  /** Calls and campaigns share `maxSubscriptionsPerSocket`. */
  private atSubscriptionCap(): boolean {
    return this.subscriptions.size + this.campaigns.size >= this.deps.config.maxSubscriptionsPerSocket;
  }

  /** A campaign snapshot then its updates; a second `subscribe_campaign` for it starts over with a fresh snapshot. */
  private async subscribeCampaign(campaignId: string): Promise<void> {
    const { hub, config } = this.deps;
    if (!this.campaigns.has(campaignId) && this.atSubscriptionCap()) {
      this.sendError(
        'too_many_subscriptions',
        `at most ${config.maxSubscriptionsPerSocket} subscriptions per socket`,
        { campaignId },
      );
      return;
    }
    const generation = ++this.generation;
    this.campaigns.set(campaignId, generation);
    const forget = () => {
      if (this.campaigns.get(campaignId) === generation) this.campaigns.delete(campaignId);
    };
    let outcome;
    try {
      outcome = await hub.subscribeCampaign(campaignId, this.principal.org, this);
    } catch (err) {
      forget();
      this.log.warn('campaign snapshot failed', { campaignId, err });
      this.sendError('unavailable', 'campaign is unavailable; retry shortly', { campaignId });
      return;
    }
    if (outcome === 'not_found') {
      forget();
      // The same answer whether the campaign does not exist or belongs to another org.
      this.sendError('not_found', 'no such campaign', { campaignId });
      return;
    }
    if (this.closing) hub.unsubscribeCampaign(campaignId, this);
  }

  private async subscribeCalls(utterances: boolean): Promise<void> {
    const { hub } = this.deps;
    const org = this.principal.org;
    if (this.listensToCalls) hub.unsubscribeCalls(org, this);
    this.listensToCalls = true;
    try {
      await hub.subscribeCalls(org, this, { utterances });
    } catch (err) {
      this.listensToCalls = false;
      this.log.warn('call list failed', { err });
      this.sendError('unavailable', 'call list is unavailable; retry shortly');
      return;
    }
    if (this.closing) hub.unsubscribeCalls(org, this);
  }

  /** In-band refresh: same subject and org only; an expired token closes 4001, an invalid or foreign one closes. */
  private async reauthenticate(token: string): Promise<void> {
    let next: Principal;
    try {
      next = await this.deps.verifyToken(token);
    } catch (err) {
      if (this.closing) return;
      if (isAppError(err) && err.code === 'token_expired') this.close('token_expired');
      else this.close('policy');
      return;
    }
    if (this.closing) return;
    if (next.sub !== this.principal.sub || next.org !== this.principal.org) {
      this.close('forbidden');
      return;
    }
    this.principal = next;
    this.scheduleExpiry();
    this.sendMessage(this.authenticated());
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const ms = this.principal.exp * 1000 - this.deps.clock.now().getTime();
    if (ms > MAX_TIMER_MS) {
      this.expiryTimer = setTimeout(() => this.scheduleExpiry(), MAX_TIMER_MS);
      return;
    }
    this.expiryTimer = setTimeout(() => this.onTokenExpired(), Math.max(0, ms));
  }

  private onTokenExpired(): void {
    if (this.closing) return;
    this.sendError('token_expired', 'token expired; send auth with a fresh token');
    this.graceTimer = setTimeout(() => this.close('token_expired'), this.deps.config.tokenGraceMs);
  }

  private authenticated(): AuthenticatedMessage {
    return {
      type: 'authenticated',
      sub: this.principal.sub,
      org: this.principal.org,
      exp: this.principal.exp,
    };
  }

  private sendMessage(message: ServerMessage): void {
    this.send(JSON.stringify(message));
  }

  private sendError(code: RelayErrorCode, message: string, subject: ErrorSubject = {}): void {
    const error: ErrorMessage = {
      type: 'error',
      code,
      message,
      ...(subject.callId === undefined ? {} : { callId: subject.callId }),
      ...(subject.campaignId === undefined ? {} : { campaignId: subject.campaignId }),
    };
    this.sendMessage(error);
  }

  private leaveAll(): void {
    for (const callId of this.subscriptions.keys()) this.deps.hub.unsubscribe(callId, this);
    this.subscriptions.clear();
    for (const campaignId of this.campaigns.keys()) this.deps.hub.unsubscribeCampaign(campaignId, this);
    this.campaigns.clear();
    if (this.listensToCalls) this.deps.hub.unsubscribeCalls(this.principal.org, this);
    this.listensToCalls = false;
  }

  private onSocketClosed(): void {
    this.closing = true;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.graceTimer);
    clearTimeout(this.terminateTimer);
    // Whatever fails while leaving, the relay must forget this socket (its counts) and `closed()` must resolve.
    try {
      this.leaveAll();
    } finally {
      try {
        this.deps.onClosed(this);
      } finally {
        this.isClosed = true;
        this.closedWaiter?.resolve();
      }
    }
  }

  /** This socket's logger (its `sub` and `org` on every entry), created on first use. */
  private get log(): Logger {
    return (this.logger ??= this.deps.logger.child({ sub: this.principal.sub, org: this.principal.org }));
  }

  /**
   * The `ws` events, dispatched by the shared listeners below. A throw inside a `ws` listener would surface as an
   * uncaught exception and end the process: every one is guarded, and a socket whose handling failed is closed with
   * 1011 (the client resumes).
   */
  onWsEvent(event: WsEvent): void {
    switch (event.type) {
      case 'message':
        return this.guarded('message', () => this.onFrame(event.data, event.isBinary));
      case 'pong':
        this.alive = true;
        return;
      case 'error':
        return this.guarded('error', () => this.log.debug('socket error', { err: event.err }));
      case 'close':
        return this.guarded('close', () => this.onSocketClosed());
      default:
        assertNever(event);
    }
  }

  /** Runs a socket listener; a throw is logged and ends this socket (1011), never the process. */
  private guarded(event: string, handler: () => void): void {
    try {
      handler();
    } catch (err) {
      this.log.error('socket handler failed; closing the socket', { event, err });
      if (event === 'close') return;
      try {
        this.close('internal');
      } catch {
        this.ws.terminate();
      }
    }
  }
}

/** A `ws` event for {@link Connection.onWsEvent}. */
type WsEvent =
  | { type: 'message'; data: RawData; isBinary: boolean }
  | { type: 'pong' }
  | { type: 'error'; err: Error }
  | { type: 'close' };

/** The connection of each open socket, for the shared listeners (weak: a socket gone is an entry gone). */
const CONNECTIONS = new WeakMap<WebSocket, Connection>();

function onWsMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  CONNECTIONS.get(this)?.onWsEvent({ type: 'message', data, isBinary });
}

function onWsPong(this: WebSocket): void {
  CONNECTIONS.get(this)?.onWsEvent({ type: 'pong' });
}

function onWsError(this: WebSocket, err: Error): void {
  CONNECTIONS.get(this)?.onWsEvent({ type: 'error', err });
}

function onWsClose(this: WebSocket): void {
  CONNECTIONS.get(this)?.onWsEvent({ type: 'close' });
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
