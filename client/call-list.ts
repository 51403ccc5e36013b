// The org's call list as the client sees it: the last snapshot merged with newer updates, re-requested on reconnect.
import { newestFirst, type Call } from '../core/domain/call.ts';
import type { CallsMessage, CallUpdatedMessage, ClientMessage } from '../core/protocol/relay-messages.ts';

export interface CallListHandlers {
  onCalls(calls: Call[]): void;
  /** Only updates newer than what was already seen for that call. */
  onCallUpdated(call: Call): void;
}

/** The call list of one client, shared by all its listeners; nothing is requested until the first listener. */
export class CallList {
  /** `loaded` once a snapshot arrived. */
  private followed:
    { handlers: Set<CallListHandlers>; calls: Map<string, Call>; loaded: boolean } | undefined;
  /** Retries `subscribe_calls` after the relay answered `unavailable` for the call list. */
  private retry: { timer: ReturnType<typeof setTimeout> | undefined; retries: number } = {
    timer: undefined,
    retries: 0,
  };

  /**
   * @param send sends on the open socket (a no-op while there is none: the next open asks again).
   * @param retryDelay backoff before the `attempt`-th retry after an `unavailable`.
   */
  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly retryDelay: (attempt: number) => number,
  ) {}

  /** Whether anyone follows the list (then the relay's `unavailable` without a callId is about it). */
  get followedByAnyone(): boolean {
    return this.followed !== undefined;
  }

  /** Adds a listener; one added after the first snapshot gets the current list (newest first) at once. */
  add(handlers: CallListHandlers): { unsubscribe(): void } {
    const first = !this.followed;
    this.followed ??= { handlers: new Set(), calls: new Map(), loaded: false };
    this.followed.handlers.add(handlers);
    if (first) this.send({ type: 'subscribe_calls' });
    else if (this.followed.loaded) handlers.onCalls([...this.followed.calls.values()].sort(newestFirst));
    return { unsubscribe: () => void this.followed?.handlers.delete(handlers) };
  }

  /** A new socket opened: ask for a fresh snapshot. */
  resubscribe(): void {
    if (this.followed) this.send({ type: 'subscribe_calls' });
  }

  onCalls(message: CallsMessage): void {
    if (!this.followed) return;
    this.followed.calls = new Map(message.calls.map((call) => [call.callId, call]));
    this.followed.loaded = true;
    this.retry.retries = 0;
    for (const h of this.followed.handlers) h.onCalls(message.calls);
  }

  onCallUpdated(message: CallUpdatedMessage): void {
    const list = this.followed;
    if (!list || message.call.lastSeq <= (list.calls.get(message.call.callId)?.lastSeq ?? -1)) return;
    list.calls.set(message.call.callId, message.call);
    for (const h of list.handlers) h.onCallUpdated(message.call);
  }

  /** The relay could not read the list: ask again, with backoff. */
  retryLater(): void {
    clearTimeout(this.retry.timer);
    this.retry.timer = setTimeout(
      () => this.send({ type: 'subscribe_calls' }),
      this.retryDelay(this.retry.retries++),
    );
  }

  cancelRetry(): void {
    clearTimeout(this.retry.timer);
  }
}
