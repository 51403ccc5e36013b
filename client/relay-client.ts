// Typed relay client for browsers and Node: reconnects with backoff, refreshes tokens, resumes every subscription gaplessly.
import type { Call } from '../core/domain/call.ts';
import { CLOSE_CODES, shouldReconnect } from '../core/support/errors.ts';
import { parseServerMessage } from '../core/protocol/parse-server-message.ts';
import {
  assertNever,
  type ClientMessage,
  type ErrorMessage,
  type EventMessage,
  type PartialMessage,
  type ServerMessage,
} from '../core/protocol/relay-messages.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

/**
 * The part of a WebSocket the client uses: the browser's `WebSocket` and `ws`'s both fit.
 * Handlers are only assigned, never called by us, hence the `never` parameters (both event types are accepted).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

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
  onStateChange?: (state: ConnectionState, detail: { code?: number }) => void;
}

/** Callbacks of one call subscription. `onEvent` sees every durable event exactly once, in seq order, no gap. */
export interface CallHandlers {
  onEvent(event: EventMessage): void;
  /** On every (re)subscribe: the call snapshot. */
  onSnapshot?(call: Call, lastSeq: number): void;
  onPartial?(partial: PartialMessage): void;
  /** `forbidden`, `bad_request` or `too_many_subscriptions` end the subscription; `unavailable` is retried. */
  onError?(error: ErrorMessage): void;
}

export interface CallListHandlers {
  onCalls(calls: Call[]): void;
  /** Only updates newer than what was already seen for that call. */
  onCallUpdated(call: Call): void;
}

export interface CallSubscription {
  readonly callId: string;
  /** Highest seq delivered to `onEvent`. */
  readonly lastSeq: number;
  unsubscribe(): void;
}

interface SubState {
  callId: string;
  handlers: CallHandlers;
  lastSeq: number;
  /** A gap was seen: events are ignored until the server re-sends `subscribed` for the resubscribe. */
  resyncing: boolean;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  retries: number;
}

const OPEN = 1;
const TERMINAL_SUB_ERRORS = new Set(['forbidden', 'not_found', 'bad_request', 'too_many_subscriptions']);

export class RelayClient {
  private socket: WebSocketLike | undefined;
  private readonly subs = new Map<string, SubState>();
  /** The org's call list as last seen (snapshot merged with updates); `loaded` once a snapshot arrived. */
  private callList:
    { handlers: Set<CallListHandlers>; calls: Map<string, Call>; loaded: boolean } | undefined;
  private attempt = 0;
  private stateValue: ConnectionState = 'idle';
  private stopped = false;
  private heard = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Retries `subscribe_calls` after the relay answered `unavailable` for the call list. */
  private callListRetry: { timer: ReturnType<typeof setTimeout> | undefined; retries: number } = {
    timer: undefined,
    retries: 0,
  };
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private readonly backoff: BackoffOptions;
  private readonly WebSocketImpl: WebSocketConstructor;

  constructor(private readonly options: RelayClientOptions) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!impl) throw new TypeError('no WebSocket implementation: pass options.WebSocket (e.g. from "ws")');
    this.WebSocketImpl = impl;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
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
    if (this.subs.has(callId)) throw new TypeError(`already subscribed to ${callId}`);
    const state: SubState = {
      callId,
      handlers,
      lastSeq: options.afterSeq ?? 0,
      resyncing: false,
      retryTimer: undefined,
      retries: 0,
    };
    this.subs.set(callId, state);
    this.sendSubscribe(state);
    return {
      callId,
      get lastSeq() {
        return state.lastSeq;
      },
      unsubscribe: () => {
        if (this.subs.get(callId) !== state) return;
        clearTimeout(state.retryTimer);
        this.subs.delete(callId);
        this.send({ type: 'unsubscribe', callId });
      },
    };
  }

  /**
   * Follows the org's call list: a snapshot on every (re)connect, then updates. A listener added after the first
   * snapshot gets the current list (snapshot merged with updates, newest first) at once.
   */
  subscribeCalls(handlers: CallListHandlers): { unsubscribe(): void } {
    const first = !this.callList;
    this.callList ??= { handlers: new Set(), calls: new Map(), loaded: false };
    this.callList.handlers.add(handlers);
    if (first) this.send({ type: 'subscribe_calls' });
    else if (this.callList.loaded) handlers.onCalls(newestFirst([...this.callList.calls.values()]));
    return { unsubscribe: () => void this.callList?.handlers.delete(handlers) };
  }

  /**
   * Sends the token `getToken` returns now, in-band (`auth`) on the open socket, so the relay learns its new `exp`
   * at once. Call it when the application obtained a fresh token (e.g. after `POST /auth/refresh`); without it the
   * client still asks `getToken` shortly before the current token's `exp`. A no-op while not connected: the next
   * connection asks `getToken` anyway.
   */
  reauthenticate(): void {
    if (this.stopped || this.stateValue !== 'open') return;
    void this.refreshToken();
  }

  /** Closes for good: no reconnect, timers cleared. */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    for (const sub of this.subs.values()) clearTimeout(sub.retryTimer);
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
      this.heard = true;
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
    this.heard = true;
    const interval = this.options.heartbeatMs ?? 30_000;
    this.heartbeatTimer = setInterval(() => this.heartbeat(socket), interval);
    for (const sub of this.subs.values()) {
      sub.resyncing = false;
      this.sendSubscribe(sub);
    }
    if (this.callList) this.send({ type: 'subscribe_calls' });
  }

  private heartbeat(socket: WebSocketLike): void {
    if (socket !== this.socket) return;
    if (!this.heard) {
      // Silent for a whole interval after a ping: the link is dead even if no close arrived.
      detach(socket);
      socket.close(CLOSE_CODES.heartbeat_timeout.code, CLOSE_CODES.heartbeat_timeout.reason);
      this.onClose(socket, CLOSE_CODES.abnormal.code);
      return;
    }
    this.heard = false;
    this.send({ type: 'ping' });
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
        this.scheduleRefresh(message.exp);
        return;
      case 'subscribed': {
        const sub = this.subs.get(message.callId);
        if (!sub) return;
        sub.resyncing = false;
        sub.retries = 0;
        sub.handlers.onSnapshot?.(message.call, message.lastSeq);
        return;
      }
      case 'call_status':
      case 'segment':
      case 'transcript':
        this.onEvent(message);
        return;
      case 'partial':
        this.subs.get(message.callId)?.handlers.onPartial?.(message);
        return;
      case 'calls': {
        if (!this.callList) return;
        this.callList.calls = new Map(message.calls.map((call) => [call.callId, call]));
        this.callList.loaded = true;
        this.callListRetry.retries = 0;
        for (const h of this.callList.handlers) h.onCalls(message.calls);
        return;
      }
      case 'call_updated': {
        const list = this.callList;
        if (!list || message.call.lastSeq <= (list.calls.get(message.call.callId)?.lastSeq ?? -1)) return;
        list.calls.set(message.call.callId, message.call);
        for (const h of list.handlers) h.onCallUpdated(message.call);
        return;
      }
      case 'error':
        this.onError(message);
        return;
      case 'unsubscribed':
      case 'pong':
        return;
      default:
        assertNever(message);
    }
  }

  private onEvent(event: EventMessage): void {
    const sub = this.subs.get(event.callId);
    if (!sub || sub.resyncing || event.seq <= sub.lastSeq) return;
    if (event.seq !== sub.lastSeq + 1) {
      // Never expected from the relay; recover rather than show a hole. The relay never re-sends what this socket
      // was already sent to a plain resubscribe, so start the subscription over from the last event processed.
      sub.resyncing = true;
      this.send({ type: 'unsubscribe', callId: sub.callId });
      this.sendSubscribe(sub);
      return;
    }
    sub.lastSeq = event.seq;
    sub.handlers.onEvent(event);
  }

  private onError(error: ErrorMessage): void {
    if (error.code === 'token_expired') {
      void this.refreshToken();
      return;
    }
    if (error.callId === undefined && error.code === 'unavailable' && this.callList) {
      // Only the call list is answered `unavailable` without a callId: ask for it again, with backoff.
      clearTimeout(this.callListRetry.timer);
      this.callListRetry.timer = setTimeout(
        () => this.send({ type: 'subscribe_calls' }),
        backoffDelay(this.callListRetry.retries++, this.backoff, this.options.random),
      );
      return;
    }
    const sub = error.callId === undefined ? undefined : this.subs.get(error.callId);
    if (!sub) return;
    sub.handlers.onError?.(error);
    if (TERMINAL_SUB_ERRORS.has(error.code)) {
      this.subs.delete(sub.callId);
      return;
    }
    clearTimeout(sub.retryTimer);
    sub.retryTimer = setTimeout(
      () => this.sendSubscribe(sub),
      backoffDelay(sub.retries++, this.backoff, this.options.random),
    );
  }

  private scheduleRefresh(exp: number): void {
    clearTimeout(this.refreshTimer);
    const left = exp * 1000 - Date.now();
    const lead = this.options.refreshLeadMs ?? 60_000;
    const delay = Math.min(2 ** 31 - 1, Math.max(0, lead < left ? left - lead : left / 2));
    this.refreshTimer = setTimeout(() => void this.refreshToken(), delay);
  }

  private async refreshToken(): Promise<void> {
    try {
      const token = await this.options.getToken();
      this.send({ type: 'auth', token });
    } catch {
      // The server closes with token_expired after its grace period; the reconnect asks for a token again.
    }
  }

  private sendSubscribe(sub: SubState): void {
    // afterSeq is always sent: a resume continues after the last delivered event.
    this.send({ type: 'subscribe', callId: sub.callId, afterSeq: sub.lastSeq });
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState, detail: { code?: number }): void {
    if (this.stateValue === state && detail.code === undefined) return;
    this.stateValue = state;
    this.options.onStateChange?.(state, detail);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.callListRetry.timer);
  }
}

/**
 * Stops listening to a socket we are done with. Its errors stay handled: closing a socket that is still connecting
 * makes `ws` emit an error, and an `error` event nobody listens to is an uncaught exception that would end the host.
 */
function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = ignore;
}

function ignore(): void {}

function newestFirst(calls: Call[]): Call[] {
  return calls.sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1));
}
