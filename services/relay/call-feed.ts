// Per-call sequencer: turns the at-least-once bus plus the store into one gapless, duplicate-free stream per call.
import { publicCall } from '../../core/call.ts';
import type { CallEvent, PartialSegment } from '../../core/call-event.ts';
import type { Logger } from '../../core/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import { eventMessage, partialMessage, type SubscribedMessage } from '../../core/protocol/relay-messages.ts';

/** Where a feed sends frames: one per subscribed socket. */
export interface FeedSubscriber {
  /** Sends one pre-serialized frame (the same string goes to every subscriber). Must not throw. */
  send(frame: string): void;
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
  frame: string;
}

const DEFAULT_RETRY_DELAYS_MS = [100, 400, 1600] as const;

/**
 * One call's stream. Every operation (subscribe, bus event, partial) runs on one serial queue, so a backlog read
 * and live events never interleave: live events that arrive during a subscribe wait behind it and are then
 * de-duplicated by seq. Invariants: `lastSeq` is the highest seq delivered to subscribers; every seq up to it was
 * delivered exactly once, in order; `ring` holds the most recent delivered events, contiguous, ending at `lastSeq`.
 */
export class CallFeed {
  /** Highest delivered seq; undefined until the first successful subscribe reads the call. */
  private lastSeq: number | undefined;
  private orgId: string | undefined;
  private ring: RingEntry[] = [];
  private readonly subscribers = new Map<FeedSubscriber, { cursor: number }>();
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
  subscribe(sub: FeedSubscriber, orgId: string, afterSeq?: number): Promise<SubscribeOutcome> {
    this.pendingSubscribes++;
    return this.enqueue(() => this.doSubscribe(sub, orgId, afterSeq ?? 0)).finally(() => {
      this.pendingSubscribes--;
    });
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
  onPartial(partial: PartialSegment, orgId: string): void {
    void this.enqueue(async () => {
      if (this.orgId !== orgId || this.subscribers.size === 0) return;
      const frame = JSON.stringify(partialMessage(partial));
      for (const sub of this.subscribers.keys()) sub.send(frame);
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

  private async doSubscribe(sub: FeedSubscriber, orgId: string, afterSeq: number): Promise<SubscribeOutcome> {
    // A resubscribe continues from what this socket was already sent: replaying it again would let one cheap frame
    // cost a whole history of sends. (A socket cannot have lost frames it was sent; to start over, unsubscribe first.)
    const sent = this.subscribers.get(sub)?.cursor ?? 0;
    this.subscribers.delete(sub);
    this.stats.storeReads++;
    const call = await this.deps.store.getCall(this.callId);
    // Same answer for a missing call and another org's call: no hint whether it exists.
    if (!call || call.orgId !== orgId) return 'forbidden';
    if (this.lastSeq === undefined) {
      this.orgId = call.orgId;
      this.lastSeq = call.lastSeq;
      this.ring = [];
    } else if (call.lastSeq > this.lastSeq) {
      // The bus has not brought these yet (or lost them): catch every current subscriber up first.
      await this.fillTo(call.lastSeq);
    }
    const lastSeq = this.lastSeq;
    const subscribed: SubscribedMessage = {
      type: 'subscribed',
      callId: this.callId,
      lastSeq,
      call: publicCall(call),
    };
    sub.send(JSON.stringify(subscribed));
    const from = Math.max(afterSeq, sent);
    if (from < lastSeq) await this.replay(sub, from, lastSeq);
    this.subscribers.set(sub, { cursor: Math.max(from, lastSeq) });
    return 'subscribed';
  }

  /** Sends events `afterSeq+1 .. upTo` to one subscriber, from the ring when it covers them, else from the store. */
  private async replay(sub: FeedSubscriber, afterSeq: number, upTo: number): Promise<void> {
    const first = this.ring[0];
    if (first && first.seq <= afterSeq + 1) {
      for (const entry of this.ring) {
        if (entry.seq <= afterSeq) continue;
        if (!(await sub.ready())) return;
        sub.send(entry.frame);
      }
      return;
    }
    // An empty ring is seeded with the tail of this replay, but only once the replay reached `upTo`: a replay cut
    // short by a store failure must not leave a ring that stops before `lastSeq` (a later resume would skip the rest).
    const seed: RingEntry[] | undefined = this.ring.length === 0 ? [] : undefined;
    let cursor = afterSeq;
    while (cursor < upTo) {
      this.stats.storeReads++;
      const page = await this.deps.store.eventsAfter(
        this.callId,
        cursor,
        Math.min(this.deps.backlogPageSize, upTo - cursor),
      );
      if (page.length === 0)
        throw new Error(`store has no events after seq ${cursor} (expected up to ${upTo})`);
      for (const event of page) {
        if (event.seq > upTo) break;
        if (event.seq !== cursor + 1) throw new Error(`store returned seq ${event.seq} after ${cursor}`);
        const frame = JSON.stringify(eventMessage(event));
        if (!(await sub.ready())) return;
        sub.send(frame);
        if (seed && upTo - event.seq < this.deps.ringSize) seed.push({ seq: event.seq, frame });
        cursor = event.seq;
      }
    }
    if (seed && this.ring.length === 0) this.ring = seed;
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
    const frame = JSON.stringify(eventMessage(event));
    this.lastSeq = event.seq;
    if (this.deps.ringSize > 0) {
      this.ring.push({ seq: event.seq, frame });
      if (this.ring.length > this.deps.ringSize) this.ring.shift();
    }
    for (const [sub, state] of this.subscribers) {
      if (event.seq <= state.cursor) continue;
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
