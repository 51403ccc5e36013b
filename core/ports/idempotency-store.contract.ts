// Contract suite every IdempotencyStore adapter must pass (memory and Firestore run the same cases).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../support/clock.ts';
import type { IdempotencyStore } from './idempotency-store.ts';

/** A clock tests move by hand, so leases and retention expire without waiting. */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-03-01T08:00:00Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Registers the contract cases; `make` returns a store over empty, isolated storage that reads `clock`. */
export function idempotencyStoreContract(
  name: string,
  make: (clock: Clock) => Promise<IdempotencyStore> | IdempotencyStore,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    const key = () => `twilio-voice:${randomUUID()}`;
    const LEASE = 20_000;
    const RETAIN = 3_600_000;

    it('claims a new key once, then answers busy, then done with the first value', async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const k = key();
      expect(await store.claim(k, LEASE)).toEqual({ state: 'claimed' });
      expect(await store.claim(k, LEASE)).toEqual({ state: 'busy' });
      await store.complete(k, '<Response>first</Response>', RETAIN);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'done', value: '<Response>first</Response>' });
      await store.complete(k, '<Response>second</Response>', RETAIN);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'done', value: '<Response>first</Response>' });
    });

    it('gives exactly one of many concurrent claims the work', async () => {
      const store = await make(new ManualClock());
      const k = key();
      const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim(k, LEASE)));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'busy')).toHaveLength(7);
    });

    it('lets a key be claimed again after a release or an expired lease, never after done', async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const k = key();
      await store.claim(k, LEASE);
      await store.release(k);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'claimed' });
      clock.advance(LEASE + 1);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'claimed' });
      await store.complete(k, 'v', RETAIN);
      await store.release(k);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'done', value: 'v' });
    });

    it('forgets a done record after its retention', async () => {
      const clock = new ManualClock();
      const store = await make(clock);
      const k = key();
      await store.claim(k, LEASE);
      await store.complete(k, 'v', RETAIN);
      clock.advance(RETAIN + 1);
      expect(await store.claim(k, LEASE)).toEqual({ state: 'claimed' });
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const store = await make(new ManualClock());
      const a = `${key()}/a:b%2F`;
      const b = `${a}x`;
      await store.claim(a, LEASE);
      await store.complete(a, 'A', RETAIN);
      expect(await store.claim(b, LEASE)).toEqual({ state: 'claimed' });
      expect(await store.claim(a, LEASE)).toEqual({ state: 'done', value: 'A' });
    });
  });
}
