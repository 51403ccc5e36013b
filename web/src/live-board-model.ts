// The live board's state without the DOM: calls, their latest words and verdicts, and which rows changed since the last
// paint — so a burst of relay messages costs one DOM pass per animation frame, touching only the changed rows.
import { newestFirst, type Call } from '../../core/domain/call.ts';
import type { AttentionReason } from '../../core/domain/attention.ts';
import { callVerdict, type CallVerdict } from '../../core/domain/call-verdict.ts';
import type { LiveUtterance } from '../../core/protocol/relay-messages.ts';

/** One row: the call, its latest words, and how it reads at a glance. */
export interface BoardRow {
  call: Call;
  words?: LiveUtterance;
  verdict: CallVerdict;
  /** The attention queue's reasons for this call (empty: nothing to do). */
  attention: AttentionReason[];
}

export type BoardFilter = 'all' | 'attention';

export class LiveBoardModel {
  private readonly rows = new Map<string, BoardRow>();
  /** Rows to repaint; `removed` rows to take out; `order` when a row came or went. */
  private dirty = new Set<string>();
  private removed = new Set<string>();
  private orderChanged = false;
  private attentionCount = 0;
  loaded = false;

  /** A fresh snapshot (also after a reconnect) replaces the list; updates newer than it are kept, words too. */
  snapshot(calls: readonly Call[]): void {
    const incoming = new Set(calls.map((c) => c.callId));
    for (const callId of this.rows.keys()) {
      if (incoming.has(callId)) continue;
      this.forget(callId);
    }
    for (const call of calls) this.upsert(call);
    this.loaded = true;
  }

  /** Applies an update when newer than what the row holds. */
  updated(call: Call): void {
    this.upsert(call);
    this.loaded = true;
  }

  /** Latest words; those of calls not (yet) on the board are ignored. */
  utterances(list: readonly LiveUtterance[]): void {
    for (const u of list) {
      const row = this.rows.get(u.callId);
      if (!row) continue;
      row.words = u;
      this.dirty.add(u.callId);
    }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Calls that need a human (the attention queue's rules), whatever the filter. */
  get needsAttention(): number {
    return this.attentionCount;
  }

  row(callId: string): BoardRow | undefined {
    return this.rows.get(callId);
  }

  /** Whether `filter` shows the row. */
  static shows(row: BoardRow, filter: BoardFilter): boolean {
    return filter === 'all' || row.attention.length > 0;
  }

  /** Takes what changed since the last call: rows to repaint, rows gone, and the order when it changed. */
  takeChanges(): { dirty: string[]; removed: string[]; order?: string[] } {
    const changes = {
      dirty: [...this.dirty].filter((id) => this.rows.has(id)),
      removed: [...this.removed],
      ...(this.orderChanged
        ? {
            order: [...this.rows.values()]
              .map((r) => r.call)
              .sort(newestFirst)
              .map((c) => c.callId),
          }
        : {}),
    };
    this.dirty = new Set();
    this.removed = new Set();
    this.orderChanged = false;
    return changes;
  }

  get hasChanges(): boolean {
    return this.dirty.size > 0 || this.removed.size > 0 || this.orderChanged;
  }

  private upsert(call: Call): void {
    const known = this.rows.get(call.callId);
    if (known && known.call.lastSeq >= call.lastSeq) return;
    const { verdict, attention } = callVerdict(call);
    if (known) {
      this.attentionCount += Number(attention.length > 0) - Number(known.attention.length > 0);
      known.call = call;
      known.verdict = verdict;
      known.attention = attention;
    } else {
      this.rows.set(call.callId, { call, verdict, attention });
      this.attentionCount += Number(attention.length > 0);
      this.removed.delete(call.callId);
      this.orderChanged = true;
    }
    this.dirty.add(call.callId);
  }

  private forget(callId: string): void {
    const row = this.rows.get(callId);
    if (!row) return;
    this.attentionCount -= Number(row.attention.length > 0);
    this.rows.delete(callId);
    this.dirty.delete(callId);
    this.removed.add(callId);
    this.orderChanged = true;
  }
}
