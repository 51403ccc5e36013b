// The org's call list as the client sees it: the last snapshot merged with newer updates, re-requested on reconnect.
import { newestFirst, type Call } from '../core/domain/call.ts';
import type {
  CallsMessage,
  CallUpdatedMessage,
  ClientMessage,
  LiveUtterance,
  UtterancesMessage,
} from '../core/protocol/relay-messages.ts';

export interface CallListHandlers {
  onCalls(calls: Call[]): void;
  /** Only updates newer than what was already seen for that call. */
  onCallUpdated(call: Call): void;
  /**
   * The latest utterance of calls that spoke (partials included), a batch at most every few hundred ms. Giving this
   * handler asks the relay for utterances (`subscribe_calls {utterances: true}`). A listener added later gets the
   * latest utterance of every known call at once.
   */
  onUtterances?(utterances: LiveUtterance[]): void;
}

interface Followed {
  handlers: Set<CallListHandlers>;
  calls: Map<string, Call>;
  /** Latest utterance per call of the list (entries of calls that left the list are dropped on each snapshot). */
  utterances: Map<string, LiveUtterance>;
  loaded: boolean;
  /** Whether the relay was asked for utterances on this socket. */
  withUtterances: boolean;
}

/** The call list of one client, shared by all its listeners; nothing is requested until the first listener. */
export class CallList {
  private followed: Followed | undefined;
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
    this.followed ??= {
      handlers: new Set(),
      calls: new Map(),
      utterances: new Map(),
      loaded: false,
      withUtterances: false,
    };
    const list = this.followed;
    list.handlers.add(handlers);
    if (first || (handlers.onUtterances && !list.withUtterances)) {
      // The first utterance listener upgrades the subscription (the relay answers with a fresh snapshot).
      this.request();
    } else if (list.loaded) {
      handlers.onCalls([...list.calls.values()].sort(newestFirst));
      if (list.utterances.size > 0) handlers.onUtterances?.([...list.utterances.values()]);
    }
    return { unsubscribe: () => void this.followed?.handlers.delete(handlers) };
  }

  /** A new socket opened: ask for a fresh snapshot. */
  resubscribe(): void {
    if (this.followed) this.request();
  }

  onCalls(message: CallsMessage): void {
    const list = this.followed;
    if (!list) return;
    list.calls = new Map(message.calls.map((call) => [call.callId, call]));
    for (const callId of list.utterances.keys()) if (!list.calls.has(callId)) list.utterances.delete(callId);
    list.loaded = true;
    this.retry.retries = 0;
    for (const h of list.handlers) h.onCalls(message.calls);
  }

  onCallUpdated(message: CallUpdatedMessage): void {
    const list = this.followed;
    if (!list || message.call.lastSeq <= (list.calls.get(message.call.callId)?.lastSeq ?? -1)) return;
    list.calls.set(message.call.callId, message.call);
    for (const h of list.handlers) h.onCallUpdated(message.call);
  }

  /** Keeps utterances of calls the list knows (the relay sends them after the call's `call_updated`). */
  onUtterances(message: UtterancesMessage): void {
    const list = this.followed;
    if (!list) return;
    const known = message.utterances.filter((u) => list.calls.has(u.callId));
    if (known.length === 0) return;
    for (const u of known) list.utterances.set(u.callId, u);
    for (const h of list.handlers) h.onUtterances?.(known);
  }

  /** The relay could not read the list: ask again, with backoff. */
  retryLater(): void {
    clearTimeout(this.retry.timer);
    this.retry.timer = setTimeout(() => this.request(), this.retryDelay(this.retry.retries++));
  }

  cancelRetry(): void {
    clearTimeout(this.retry.timer);
  }

  private request(): void {
    const list = this.followed;
    if (!list) return;
    list.withUtterances = [...list.handlers].some((h) => h.onUtterances !== undefined);
    this.send(
      list.withUtterances ? { type: 'subscribe_calls', utterances: true } : { type: 'subscribe_calls' },
    );
  }
}
