// The campaign body's validation: duplicates at each repeat, the problem cap, rows in order, values never quoted.
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../core/support/errors.ts';
import type { FieldProblem } from '../../core/protocol/rest-api.ts';
import { campaignBody, campaignDriver } from './api.test-kit.ts';
import { CAMPAIGN_PROBLEMS_MAX, parseCampaignRequest } from './campaign-request.ts';

function problemsOf(body: unknown): FieldProblem[] {
  try {
    parseCampaignRequest(body);
  } catch (err) {
    if (isAppError(err) && err.code === 'validation_failed') return err.details as FieldProblem[];
    throw err;
  }
  throw new Error('expected validation_failed');
}

describe('parseCampaignRequest', () => {
  it('trims rows and keeps only the fields it knows', () => {
    const parsed = parseCampaignRequest(
      campaignBody(1, { drivers: [campaignDriver(0, { driverId: ' drv_0 ', extra: 'dropped' })] }),
    );
    expect(parsed.drivers[0]).toEqual({ ...campaignDriver(0), driverId: 'drv_0' });
  });

  it('names every repeat of a driverId after the first', () => {
    const drivers = [
      campaignDriver(0),
      campaignDriver(1),
      campaignDriver(0),
      campaignDriver(0, { driverId: 'drv_0 ' }),
    ];
    expect(problemsOf(campaignBody(0, { drivers }))).toEqual([
      { field: 'drivers.2.driverId', problem: 'duplicate of drivers.0.driverId' },
      { field: 'drivers.3.driverId', problem: 'duplicate of drivers.0.driverId' },
    ]);
  });

  it(`lists at most ${CAMPAIGN_PROBLEMS_MAX} problems and counts the rest`, () => {
    const drivers = Array.from({ length: 1000 }, () => ({ phoneNumber: '+1987' }));
    const problems = problemsOf({ name: 'x', drivers });
    expect(problems).toHaveLength(CAMPAIGN_PROBLEMS_MAX + 1);
    expect(problems[0]!.field).toBe('drivers.0.driverId');
    expect(problems.at(-1)).toEqual({ field: '(body)', problem: '2000 more problems not listed' });
    expect(JSON.stringify(problems)).not.toContain('1987');
  });

  it('refuses a body that is not an object', () => {
    expect(problemsOf([])).toEqual([{ field: '(body)', problem: expect.any(String) }]);
  });
});
