// Heartbeat: pings every interval while the relay answers; one silent interval after a ping ends the link once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from './heartbeat.ts';

describe('Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps pinging while something is heard, and reports silence once', () => {
    const heartbeat = new Heartbeat(1_000);
    let pings = 0;
    let silences = 0;
    heartbeat.start(
      () => pings++,
      () => silences++,
    );
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(1_000);
      heartbeat.heardFrom();
    }
    expect([pings, silences]).toEqual([3, 0]);
    vi.advanceTimersByTime(1_000); // ping, nothing heard
    vi.advanceTimersByTime(1_000); // silent for a whole interval
    vi.advanceTimersByTime(5_000);
    expect([pings, silences]).toEqual([4, 1]);
  });

  it('stops beating on stop', () => {
    const heartbeat = new Heartbeat(1_000);
    let pings = 0;
    heartbeat.start(
      () => pings++,
      () => {},
    );
    heartbeat.stop();
    vi.advanceTimersByTime(10_000);
    expect(pings).toBe(0);
  });
});
