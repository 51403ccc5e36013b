// Per-call sequencer: turns the at-least-once bus plus the store into one gapless, duplicate-free stream per call.
import { publicCall } from '../../core/domain/call.ts';
import type { CallEvent, PartialSegment } from '../../core/domain/call-event.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { PartialPosition } from '../../core/ports/event-bus.ts';
import { eventMessage, partialMessage, type SubscribedMessage } from '../../core/protocol/relay-messages.ts';

/** Where a feed sends frames: one per subscribed socket. */
export interface FeedSubscriber {
  /**
   * Sends one pre-serialized text frame: JSON as a string, or as its UTF-8 bytes (the same `Buffer` goes to every
   * subscriber of an event, encoded once). Must not throw.
   */
  send(frame: string | Buffer): void;
  /**
   * Awaited before each backlog frame: resolves when the subscriber can take more (paces a long history so it is not
   * a 4008), or false when it will take no more (closed, or over its budget): the replay stops.
   */
  ready(): Promise<boolean>;
  /** The feed can no longer guarantee continuity: the subscriber must drop and resume (closes the socket). */
  fail(): void;
}

export interface CallFeedDeps {
  store: CallStore;
  logger: Logger;
  /** Recent events kept in memory; resumes within this window need no store read. */
  ringSize: number;
  backlogPageSize: number;
  /** Pauses between store retries when filling a gap (the store may be briefly unavailable). */
  retryDelaysMs?: readonly number[];
}

export type SubscribeOutcome = 'subscribed' | 'forbidden';

interface RingEntry {
  seq: number;
  /** The event's frame, UTF-8 encoded once: live delivery and every replay send these same bytes. */
  frame: Buffer;
}

const DEFAULT_RETRY_DELAYS_MS = [100, 400, 1600] as const;

/** Where one subscriber is: the highest seq it was sent, and whether it still replays its backlog. */
interface SubscriberState {
  cursor: number;
  /** Replaying its backlog (off the queue, at its own pace): live events are not sent to it until it caught up. */
  catchingUp: boolean;
}

/**
 * One call's stream. Every operation on the feed's state (joining a subscriber, bus event, partial) runs on one serial
 * queue, so a store read and live events never interleave: live events that arrive meanwhile wait behind it and are
 * then de-duplicated by seq. A subscriber's backlog replay runs *off* the queue at that subscriber's pace, so a socket
 * that does not read never holds back the call's live events for the others; it switches to live delivery the moment
 * its cursor reaches `lastSeq`. Invariants: `lastSeq` is the highest seq delivered to live subscribers; every
 * subscriber is sent every seq up to its cursor exactly once, in order; `ring` holds the most recent delivered events,
 * contiguous, ending at `lastSeq`.
 */
export class CallFeed {
  /** Highest delivered seq; undefined until the first successful subscribe reads the call. */
  private lastSeq: number | undefined;
  private orgId: string | undefined;
  private ring: RingEntry[] = [];
  private readonly subscribers = new Map<FeedSubscriber, SubscriberState>();
  /** Highest partial position forwarded per provider stream (a call has one or two: one per track). */
  private readonly partialPositions = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private pendingSubscribes = 0;
  private readonly retryDelaysMs: readonly number[];
  /** Counters for tests and logs. */
  readonly stats = { duplicatesDropped: 0, gapsFilled: 0, storeReads: 0 };

  constructor(
    readonly callId: string,
    private readonly deps: CallFeedDeps,
    private readonly onReset: (feed: CallFeed) => void = () => {},
  ) {
    this.retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether anyone is subscribed or about to be (the feed must stay registered for the bus). */
  get inUse(): boolean {
    return this.subscribers.size > 0 || this.pendingSubscribes > 0;
  }

  /** Whether this feed has read its call (and so tracks `lastSeq`). */
  get initialized(): boolean {
    return this.lastSeq !== undefined;
  }

  /**
   * Sends `subscribed`, then every event with `seq > afterSeq` (all when absent), then live events.
   * Resolves `forbidden` (and sends nothing) when the call does not exist or belongs to another org.
   * Rejects when the store fails; the subscriber is then not registered.
   */
  async subscribe(sub: FeedSubscriber, orgId: string, afterSeq?: number): Promise<SubscribeOutcome> {
    this.pendingSubscribes++;
    try {
      const state = await this.enqueue(() => this.join(sub, orgId, afterSeq ?? 0));
      if (!state) return 'forbidden';
      await this.catchUp(sub, state);
      return 'subscribed';
    } finally {
      this.pendingSubscribes--;
    }
  }

  /** Stops delivery to `sub` immediately. */
  unsubscribe(sub: FeedSubscriber): void {
    this.subscribers.delete(sub);
  }

  /** A durable event from the bus (maybe duplicated, reordered, or after a lost one). */
  onEvent(event: CallEvent): void {
    void this.enqueue(() => this.doEvent(event)).catch((err: unknown) => this.reset(err));
  }

  /** A volatile partial from the bus: forwarded to current subscribers of the same org. */
  onPartial(partial: PartialSegment, orgId: string, position?: PartialPosition): void {
    void this.enqueue(async () => {
      if (this.orgId !== orgId || this.subscribers.size === 0) return;
      if (position) {
        // A replayed (or late) partial is not news: Twilio's positions only grow within a stream.
        const last = this.partialPositions.get(position.stream);
        if (last !== undefined && position.at <= last) return;
        this.partialPositions.set(position.stream, position.at);
      }
      const frame = encodeFrame(partialMessage(partial));
      for (const [sub, state] of this.subscribers) if (!state.catchingUp) sub.send(frame);
    });
  }

  /**
   * Catches subscribers up from the store when the bus lost a call's *latest* events: a later event would reveal such
   * a gap, but after the last one of a call nothing follows. Cheap when nothing is missing (one call read).
   */
  reconcile(): Promise<void> {
    return this.enqueue(async () => {
      if (this.lastSeq === undefined || this.subscribers.size === 0) return;
      let storedLastSeq: number;
      try {
        storedLastSeq = (await this.deps.store.getCall(this.callId))?.lastSeq ?? 0;
      } catch (err) {
        this.deps.logger.warn('reconcile read failed; will retry next round', { callId: this.callId, err });
        return;
      }
      if (storedLastSeq <= this.lastSeq) return;
      this.stats.gapsFilled++;
      await this.fillTo(storedLastSeq);
    }).catch((err: unknown) => this.reset(err));
  }

  /** Resolves once every operation queued so far has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.enqueue(async () => {});
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * On the queue: reads the call, catches every live subscriber up to the store, sends `subscribed` and registers
   * `sub` from where its replay starts. Undefined when the call is missing or another org's.
   */
  private async join(
    sub: FeedSubscriber,
    orgId: string,
    afterSeq: number,
  ): Promise<SubscriberState | undefined> {
    // A resubscribe continues from what this socket was already sent: replaying it again would let one cheap frame
    // cost a whole history of sends. (A socket cannot lose frames it was sent; to start over, unsubscribe first.)
    const sent = this.subscribers.get(sub)?.cursor ?? 0;
    this.subscribers.delete(sub);
    this.stats.storeReads++;
    const call = await this.deps.store.getCall(this.callId);
    // Same answer for a missing call and another org's call: no hint whether it exists.
    if (!call || call.orgId !== orgId) return undefined;
    if (this.lastSeq === undefined) {
      this.orgId = call.orgId;
      this.lastSeq = call.lastSeq;
      this.ring = [];
    } else if (call.lastSeq > this.lastSeq) {
      // The bus has not brought these yet (or lost them): catch every current subscriber up first.
      await this.fillTo(call.lastSeq);
    }
    const subscribed: SubscribedMessage = {
      type: 'subscribed',
      callId: this.callId,
      lastSeq: this.lastSeq,
      call: publicCall(call),
    };
    sub.send(JSON.stringify(subscribed));
    const cursor = Math.max(afterSeq, sent);
    const state: SubscriberState = { cursor, catchingUp: cursor < this.lastSeq };
    this.subscribers.set(sub, state);
    return state;
  }

  /**
   * Off the queue: sends one subscriber its backlog (events after its cursor) from the ring when it covers them, else
   * from the store, paced by `sub.ready()`, until the cursor reaches `lastSeq` (which live events may move meanwhile);
   * then the subscriber is live. Stops quietly when the subscriber left, resubscribed or will take no more; a store
   * failure unregisters it and rejects.
   */
  private async catchUp(sub: FeedSubscriber, state: SubscriberState): Promise<void> {
    const current = () => this.subscribers.get(sub) === state;
    // An empty ring is seeded with the tail of this replay, but only if it is still empty once the replay reached
    // `lastSeq`: a seed must be contiguous and end at `lastSeq`.
    let seed: RingEntry[] | undefined = this.ring.length === 0 && this.deps.ringSize > 0 ? [] : undefined;
    try {
      while (state.catchingUp && current()) {
        const lastSeq = this.lastSeq!;
        if (state.cursor >= lastSeq) {
          // Synchronous with the check: no live event can slip between the last replayed frame and going live.
          state.catchingUp = false;
          if (seed && this.ring.length === 0 && seed.at(-1)?.seq === lastSeq) this.ring = seed;
          return;
        }
        const first = this.ring[0];
        const entries =
          first && first.seq <= state.cursor + 1
            ? this.ring.slice(state.cursor + 1 - first.seq)
            : await this.backlogPage(state.cursor, lastSeq);
        if (first && first.seq <= state.cursor + 1) seed = undefined;
        for (const entry of entries) {
          if (!(await sub.ready()) || !current()) return;
          if (entry.seq !== state.cursor + 1) break;
          sub.send(entry.frame);
          state.cursor = entry.seq;
          if (seed) {
            seed.push(entry);
            if (seed.length > this.deps.ringSize) seed.shift();
          }
        }
      }
    } catch (err) {
      if (current()) this.subscribers.delete(sub);
      throw err;
    }
  }

  /** One page of stored events after `cursor`, up to `upTo`, checked contiguous. */
  private async backlogPage(cursor: number, upTo: number): Promise<RingEntry[]> {
    this.stats.storeReads++;
    const page = await this.deps.store.eventsAfter(
      this.callId,
      cursor,
      Math.min(this.deps.backlogPageSize, upTo - cursor),
    );
    if (page.length === 0)
      throw new Error(`store has no events after seq ${cursor} (expected up to ${upTo})`);
    const entries: RingEntry[] = [];
    for (const event of page) {
      if (event.seq > upTo) break;
      if (event.seq !== cursor + 1) throw new Error(`store returned seq ${event.seq} after ${cursor}`);
      entries.push({ seq: event.seq, frame: encodeFrame(eventMessage(event)) });
      cursor = event.seq;
    }
    return entries;
  }

  private async doEvent(event: CallEvent): Promise<void> {
    if (this.lastSeq === undefined) return; // Not tracking yet: the first subscribe reads the store anyway.
    if (event.seq <= this.lastSeq) {
      this.stats.duplicatesDropped++;
      return;
    }
    if (event.seq > this.lastSeq + 1) {
      this.stats.gapsFilled++;
      await this.fillTo(event.seq - 1);
    }
    this.deliver(event);
  }

  /** Reads and delivers the events after `lastSeq` up to `target` from the store, retrying transient failures. */
  private async fillTo(target: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        while (this.lastSeq! < target) {
          this.stats.storeReads++;
          const limit = Math.min(this.deps.backlogPageSize, target - this.lastSeq!);
          const page = await this.deps.store.eventsAfter(this.callId, this.lastSeq!, limit);
          if (page.length === 0)
            throw new Error(`store has no events after seq ${this.lastSeq} (need ${target})`);
          for (const event of page)
            if (event.seq === this.lastSeq! + 1 && event.seq <= target) this.deliver(event);
        }
        return;
      } catch (err) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) throw err;
        this.deps.logger.warn('gap fill failed, retrying', { callId: this.callId, attempt, err });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private deliver(event: CallEvent): void {
    const frame = encodeFrame(eventMessage(event));
    this.lastSeq = event.seq;
    if (this.deps.ringSize > 0) {
      this.ring.push({ seq: event.seq, frame });
      if (this.ring.length > this.deps.ringSize) this.ring.shift();
    }
    for (const [sub, state] of this.subscribers) {
      if (state.catchingUp || event.seq <= state.cursor) continue;
      state.cursor = event.seq;
      sub.send(frame);
    }
  }

  /** Continuity is lost (store down through every retry): drop every subscriber so clients resume, forget state. */
  private reset(err: unknown): void {
    this.deps.logger.error('call feed lost continuity; dropping its subscribers', {
      callId: this.callId,
      err,
    });
    const subs = [...this.subscribers.keys()];
    this.subscribers.clear();
    this.lastSeq = undefined;
    this.orgId = undefined;
    this.ring = [];
    for (const sub of subs) sub.fail();
    this.onReset(this);
  }
}

/**
 * A frame's UTF-8 bytes, made once per event: `ws` would otherwise encode a string again for every socket it is
 * sent to (in the kernel write call), which dominates fan-out to many subscribers.
 */
function encodeFrame(message: object): Buffer {
  return Buffer.from(JSON.stringify(message));
}
