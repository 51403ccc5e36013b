// In-memory IdempotencyStore for the embedded mode: one process, records kept in a Map and dropped when they expire.
import { systemClock, type Clock } from '../../support/clock.ts';
import type { Claim, IdempotencyStore } from '../../ports/idempotency-store.ts';

type Entry = { state: 'claimed'; until: number } | { state: 'done'; value: string; until: number };

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock = systemClock) {}

  async claim(key: string, leaseMs: number): Promise<Claim> {
    const now = this.clock.now().getTime();
    const entry = this.live(key, now);
    if (entry?.state === 'done') return { state: 'done', value: entry.value };
    if (entry) return { state: 'busy' };
    this.entries.set(key, { state: 'claimed', until: now + leaseMs });
    return { state: 'claimed' };
  }

  async complete(key: string, value: string, retainMs: number): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.live(key, now)?.state === 'done') return;
    this.entries.set(key, { state: 'done', value, until: now + retainMs });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state === 'claimed') this.entries.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
