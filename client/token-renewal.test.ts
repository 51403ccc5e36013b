// TokenRenewal: renews on the injected clock's time, `leadMs` before expiry, or at half the life of short tokens.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthMessage } from '../core/protocol/relay-messages.ts';
import { TokenRenewal } from './token-renewal.ts';

describe('TokenRenewal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A clock frozen years away from the host's time: only an injected clock gets the delays right. */
  const now = new Date('2031-05-01T12:00:00Z');
  const clock = { now: () => now };
  const epochSecs = now.getTime() / 1000;

  it.each([
    ['a long-lived token, leadMs before expiry', 600, 540_000],
    ['a token living less than leadMs, at half its life', 40, 20_000],
    ['an already expired token, at once', -5, 0],
  ])('renews %s', async (_case, lifeSecs, renewAfterMs) => {
    const sent: AuthMessage[] = [];
    const renewal = new TokenRenewal({
      getToken: () => 'fresh',
      send: (m) => sent.push(m),
      clock,
      leadMs: 60_000,
    });
    renewal.schedule(epochSecs + lifeSecs);
    if (renewAfterMs > 0) {
      await vi.advanceTimersByTimeAsync(renewAfterMs - 1);
      expect(sent).toEqual([]);
    }
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ type: 'auth', token: 'fresh' }]);
  });

  it('sends nothing when getToken fails, and nothing after cancel', async () => {
    const sent: AuthMessage[] = [];
    const failing = new TokenRenewal({
      getToken: () => Promise.reject(new Error('signed out')),
      send: (m) => sent.push(m),
      clock,
      leadMs: 60_000,
    });
    await failing.renew();
    const cancelled = new TokenRenewal({ getToken: () => 't', send: (m) => sent.push(m), clock, leadMs: 0 });
    cancelled.schedule(epochSecs + 1);
    cancelled.cancel();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([]);
  });
});
