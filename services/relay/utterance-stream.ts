// Latest utterance per call for call-list sockets: one org's partials and segments, coalesced per socket (latest wins).
import type { CallEvent, PartialSegment } from '../../core/domain/call-event.ts';
import type { PartialPosition } from '../../core/ports/event-bus.ts';
import type { LiveUtterance, UtterancesMessage } from '../../core/protocol/relay-messages.ts';

/** A socket that asked for utterances. */
export interface UtteranceListener {
  send(frame: string): void;
  /**
   * Whether a frame of `bytes` may be queued now; while not, the flush waits (and keeps coalescing) instead of
   * queueing more on a socket that is not reading.
   */
  canSend(bytes: number): boolean;
}

export interface UtteranceStreamOptions {
  /** At most one `utterances` frame per socket per this many ms (`RELAY_UTTERANCE_MS`). */
  intervalMs: number;
  /** Calls whose latest utterance (and stream positions) one org keeps on this instance (`RELAY_UTTERANCE_CALLS`). */
  maxCalls: number;
  now: () => number;
}

interface CallState {
  utterance?: LiveUtterance;
  /** Last durable seq seen, so a redelivered segment does not replace newer words. */
  lastSeq: number;
  /** Last position per provider stream, so a replayed or late partial is dropped (as call feeds do). */
  streams: Map<string, number>;
}

/** One socket's pending utterances: one per call, flushed at most every `intervalMs`, held while congested. */
class UtteranceBatch {
  private readonly pending = new Map<string, LiveUtterance>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  /** Held until the `calls` snapshot is sent, so no utterance precedes the list it belongs to. */
  private started = false;
  private closed = false;

  constructor(
    private readonly listener: UtteranceListener,
    private readonly options: UtteranceStreamOptions,
  ) {}

  offer(utterance: LiveUtterance): void {
    if (this.closed) return;
    this.pending.delete(utterance.callId);
    this.pending.set(utterance.callId, utterance);
    // Bounded like the org's state: a socket held back for long keeps the calls that spoke last.
    if (this.pending.size > this.options.maxCalls) this.pending.delete(this.pending.keys().next().value!);
    this.arm();
  }

  start(): void {
    this.started = true;
    this.arm();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private arm(): void {
    if (!this.started || this.closed || this.timer || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastFlushAt + this.options.intervalMs - this.options.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    this.lastFlushAt = this.options.now();
    const message: UtterancesMessage = { type: 'utterances', utterances: [...this.pending.values()] };
    const frame = JSON.stringify(message);
    if (!this.listener.canSend(Buffer.byteLength(frame))) {
      // Backpressure: a socket that is not reading gets nothing more queued; newer words replace what waits here.
      this.arm();
      return;
    }
    this.pending.clear();
    this.listener.send(frame);
  }
}

/** One org's utterance stream on this instance: kept only while at least one socket of the org wants it. */
export class OrgUtterances {
  /** callId → state, least recently spoken first (Map insertion order), at most `maxCalls`. */
  private readonly calls = new Map<string, CallState>();
  private readonly batches = new Map<UtteranceListener, UtteranceBatch>();

  constructor(private readonly options: UtteranceStreamOptions) {}

  get listenerCount(): number {
    return this.batches.size;
  }

  /** Registers a socket; nothing is sent to it until `start`. */
  add(listener: UtteranceListener): void {
    this.batches.get(listener)?.close();
    this.batches.set(listener, new UtteranceBatch(listener, this.options));
  }

  /** The snapshot was sent: queue what is known of those calls, then stream. */
  start(listener: UtteranceListener, callIds: readonly string[]): void {
    const batch = this.batches.get(listener);
    if (!batch) return;
    const unknown: string[] = [];
    for (const callId of callIds) {
      const state = this.calls.get(callId);
      if (state?.utterance) batch.offer(state.utterance);
      else if (!state) unknown.push(callId);
    }
    // The snapshot was read from the store for this org: its calls are the org's.
    for (const callId of unknown) this.state(callId);
    batch.start();
  }

  remove(listener: UtteranceListener): void {
    this.batches.get(listener)?.close();
    this.batches.delete(listener);
  }

  /**
   * A partial the bus tagged with this org. Isolation does not rest on that tag alone: only calls this stream knows
   * as the org's (from a store snapshot or a durable event carrying the stored call) get their partials shown.
   */
  onPartial(partial: PartialSegment, position: PartialPosition | undefined): void {
    if (!this.calls.has(partial.callId)) return;
    const state = this.state(partial.callId);
    if (position) {
      const passed = state.streams.get(position.stream);
      if (passed !== undefined && position.at <= passed) return;
      state.streams.set(position.stream, position.at);
    }
    this.publish(state, {
      callId: partial.callId,
      speaker: partial.speaker,
      text: partial.text,
      final: false,
    });
  }

  /** A durable event of a call of this org (its stored record says so); a segment is the call's latest words. */
  onEvent(event: CallEvent): void {
    const state = this.state(event.callId);
    if (event.kind !== 'segment' || event.seq <= state.lastSeq) return;
    state.lastSeq = event.seq;
    this.publish(state, {
      callId: event.callId,
      speaker: event.speaker,
      text: event.text,
      final: true,
      seq: event.seq,
    });
  }

  close(): void {
    for (const batch of this.batches.values()) batch.close();
    this.batches.clear();
    this.calls.clear();
  }

  private publish(state: CallState, utterance: LiveUtterance): void {
    state.utterance = utterance;
    for (const batch of this.batches.values()) batch.offer(utterance);
  }

  private state(callId: string): CallState {
    let state = this.calls.get(callId);
    if (state) this.calls.delete(callId);
    else state = { lastSeq: 0, streams: new Map() };
    this.calls.set(callId, state);
    while (this.calls.size > this.options.maxCalls) this.calls.delete(this.calls.keys().next().value!);
    return state;
  }
}
