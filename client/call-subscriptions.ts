// The client's call subscriptions: gapless delivery in seq order, resume after reconnects, retry or end on errors.
import type { Call } from '../core/domain/call.ts';
import type {
  ClientMessage,
  ErrorMessage,
  EventMessage,
  PartialMessage,
  SubscribedMessage,
} from '../core/protocol/relay-messages.ts';

/** Callbacks of one call subscription. `onEvent` sees every durable event exactly once, in seq order, no gap. */
export interface CallHandlers {
  onEvent(event: EventMessage): void;
  /** On every (re)subscribe: the call snapshot. */
  onSnapshot?(call: Call, lastSeq: number): void;
  onPartial?(partial: PartialMessage): void;
  /** `forbidden`, `bad_request` or `too_many_subscriptions` end the subscription; `unavailable` is retried. */
  onError?(error: ErrorMessage): void;
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

/** Errors after which the relay will never serve this subscription: it ends instead of being retried. */
const TERMINAL_SUB_ERRORS = new Set(['forbidden', 'not_found', 'bad_request', 'too_many_subscriptions']);

/** Every call subscription of one client, keyed by call id (one per call). */
export class CallSubscriptions {
  private readonly subs = new Map<string, SubState>();

  /**
   * @param send sends on the open socket (a no-op while there is none: the next open resubscribes).
   * @param retryDelay backoff before the `attempt`-th retry of a subscription the relay answered `unavailable`.
   */
  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly retryDelay: (attempt: number) => number,
  ) {}

  add(callId: string, handlers: CallHandlers, afterSeq: number): CallSubscription {
    if (this.subs.has(callId)) throw new TypeError(`already subscribed to ${callId}`);
    const state: SubState = {
      callId,
      handlers,
      lastSeq: afterSeq,
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

  /** A new socket opened: resume every subscription after its last delivered event. */
  resubscribeAll(): void {
    for (const sub of this.subs.values()) {
      sub.resyncing = false;
      this.sendSubscribe(sub);
    }
  }

  onSubscribed(message: SubscribedMessage): void {
    const sub = this.subs.get(message.callId);
    if (!sub) return;
    sub.resyncing = false;
    sub.retries = 0;
    sub.handlers.onSnapshot?.(message.call, message.lastSeq);
  }

  onEvent(event: EventMessage): void {
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

  onPartial(partial: PartialMessage): void {
    this.subs.get(partial.callId)?.handlers.onPartial?.(partial);
  }

  /** An error about one call: reported, then the subscription ends (terminal codes) or is retried with backoff. */
  onError(error: ErrorMessage): void {
    const sub = error.callId === undefined ? undefined : this.subs.get(error.callId);
    if (!sub) return;
    sub.handlers.onError?.(error);
    if (TERMINAL_SUB_ERRORS.has(error.code)) {
      this.subs.delete(sub.callId);
      return;
    }
    clearTimeout(sub.retryTimer);
    sub.retryTimer = setTimeout(() => this.sendSubscribe(sub), this.retryDelay(sub.retries++));
  }

  /** The client closed for good: no retry fires afterwards. */
  cancelRetries(): void {
    for (const sub of this.subs.values()) clearTimeout(sub.retryTimer);
  }

  private sendSubscribe(sub: SubState): void {
    // afterSeq is always sent: a resume continues after the last delivered event.
    this.send({ type: 'subscribe', callId: sub.callId, afterSeq: sub.lastSeq });
  }
}
