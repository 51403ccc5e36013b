// The driver after a finished attempt: retry in the window, final states, and what a canceled campaign changes.
import { describe, expect, it } from 'vitest';
import { emptyCounts, type Campaign, type CampaignDriver } from '../domain/campaign.ts';
import { summaryLine } from './attention-items.ts';
import { driverAfterAttempt } from './attempt-conclusion.ts';

const now = new Date('2026-07-01T18:00:00Z'); // 11:00 in Los Angeles
const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  campaignId: 'cmp_1',
  orgId: 'org',
  name: 'c',
  status: 'running',
  startAt: now.toISOString(),
  callingWindow: { start: '08:00', end: '21:00' },
  retry: { maxAttempts: 3, backoffSecs: [60, 36_000] },
  maxConcurrentCalls: 5,
  counts: emptyCounts(),
  driverCount: 1,
  createdBy: 'u',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  ...over,
});
const calling = (attempts: number): CampaignDriver => ({
  driverId: 'd',
  driverName: 'D',
  phoneNumber: '+15550000001',
  timezone: 'America/Los_Angeles',
  violations: [],
  state: 'calling',
  attempts,
  callIds: Array.from({ length: attempts }, (_, i) => `call_${i + 1}`),
  attemptClaimedAt: now.toISOString(),
  updatedAt: now.toISOString(),
});
const noAnswer = { kind: 'not_reached', failure: 'no-answer' } as const;

describe('driverAfterAttempt', () => {
  it('schedules a retry after the backoff while attempts remain', () => {
    const next = driverAfterAttempt(campaign(), calling(1), 'call_1', noAnswer, now);
    expect(next).toMatchObject({ state: 'retry_scheduled', nextAttemptAt: '2026-07-01T18:01:00.000Z' });
    expect(next.outcome).toEqual({ callId: 'call_1', acknowledged: null, failure: 'no-answer' });
    expect(next.attemptClaimedAt).toBeUndefined();
  });

  it('pushes a retry that falls outside the window to the next opening', () => {
    // 11:00 + 10 h = 21:00 local, the (exclusive) end → 08:00 next day (15:00Z).
    const next = driverAfterAttempt(campaign(), calling(2), 'call_2', noAnswer, now);
    expect(next.nextAttemptAt).toBe('2026-07-02T15:00:00.000Z');
  });

  it('is unreachable once attempts are spent, canceled when the campaign was canceled meanwhile', () => {
    expect(driverAfterAttempt(campaign(), calling(3), 'call_3', noAnswer, now).state).toBe('unreachable');
    expect(
      driverAfterAttempt(campaign({ status: 'canceled' }), calling(1), 'call_1', noAnswer, now).state,
    ).toBe('canceled');
    expect(
      driverAfterAttempt(campaign({ status: 'canceled' }), calling(3), 'call_3', noAnswer, now).state,
    ).toBe('unreachable');
  });

  it.each([
    [{ acknowledged: true }, 'acknowledged'],
    [{ acknowledged: false }, 'not_acknowledged'],
    [{ acknowledged: null }, 'not_acknowledged'],
    [{ acknowledged: true, optOut: true }, 'opted_out'],
  ] as const)('a reached driver with %j is %s (no retry)', (analysis, state) => {
    const next = driverAfterAttempt(campaign(), calling(1), 'call_1', { kind: 'reached', ...analysis }, now);
    expect(next.state).toBe(state);
    expect(next.nextAttemptAt).toBeUndefined();
  });
});

describe('summaryLine', () => {
  it('keeps one line without phone numbers, bounded', () => {
    expect(summaryLine('Driver said:\ncall me at +1 (555) 123-4567 later')).toBe(
      'Driver said: call me at [number] later',
    );
    expect(summaryLine('x'.repeat(400))).toHaveLength(300);
    expect(summaryLine('  ')).toBeUndefined();
  });
});
