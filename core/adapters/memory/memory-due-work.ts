// In-memory DueWork for the embedded mode: one process, items in a Map; every operation is synchronous, hence atomic.
import { randomUUID } from 'node:crypto';
import type {
  ClaimRequest,
  DueItem,
  DueWork,
  ScheduleRequest,
  ScheduleResult,
} from '../../ports/due-work.ts';
import { checkClaimRequest } from '../../ports/due-work.ts';

/** While leased, `dueAt` is the lease end: the item is due again exactly when its lease runs out. */
interface Entry {
  kind: string;
  payload: string;
  dueAt: number;
  attempt: number;
  leaseToken: string | null;
}

export class MemoryDueWork implements DueWork {
  private readonly entries = new Map<string, Entry>();

  async schedule({ key, kind, dueAt, payload, now }: ScheduleRequest): Promise<ScheduleResult> {
    const found = this.entries.get(key);
    if (found?.leaseToken && found.dueAt > now.getTime()) return { state: 'leased' };
    this.entries.set(key, { kind, payload, dueAt: dueAt.getTime(), attempt: 0, leaseToken: null });
    return { state: 'scheduled' };
  }

  async claimDue(request: ClaimRequest): Promise<DueItem[]> {
    checkClaimRequest(request);
    const now = request.now.getTime();
    const kinds = request.kinds && new Set(request.kinds);
    const due = [...this.entries]
      .filter(([, e]) => e.dueAt <= now && (!kinds || kinds.has(e.kind)))
      .sort(([, a], [, b]) => a.dueAt - b.dueAt)
      .slice(0, request.limit);
    return due.map(([key, entry]) => {
      const item: DueItem = {
        key,
        kind: entry.kind,
        payload: entry.payload,
        dueAt: new Date(entry.dueAt),
        attempt: entry.attempt + 1,
        leaseToken: randomUUID(),
        leaseUntil: new Date(now + request.leaseMs),
      };
      this.entries.set(key, {
        ...entry,
        dueAt: item.leaseUntil.getTime(),
        attempt: item.attempt,
        leaseToken: item.leaseToken,
      });
      return item;
    });
  }

  async complete(key: string, leaseToken: string): Promise<boolean> {
    if (this.entries.get(key)?.leaseToken !== leaseToken) return false;
    this.entries.delete(key);
    return true;
  }

  async reschedule(key: string, leaseToken: string, dueAt: Date, payload?: string): Promise<boolean> {
    const found = this.entries.get(key);
    if (found?.leaseToken !== leaseToken) return false;
    this.entries.set(key, {
      ...found,
      dueAt: dueAt.getTime(),
      payload: payload ?? found.payload,
      leaseToken: null,
    });
    return true;
  }

  async cancel(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
