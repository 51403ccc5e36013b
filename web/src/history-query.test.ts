// History filters: deep links round-trip, bad values are dropped, local days become the API's instants.
import { describe, expect, it } from 'vitest';
import { filtersFromUrl, filtersToApi, filtersToUrl } from './history-query.ts';

describe('history query', () => {
  it('round-trips filters through the URL and drops malformed values', () => {
    const filters = {
      from: '2030-01-02',
      until: '2030-01-31',
      outcome: 'escalation',
      q: 'reefer door',
    } as const;
    expect(filtersFromUrl(filtersToUrl(filters))).toEqual(filters);
    expect(filtersFromUrl(new URLSearchParams('from=yesterday&outcome=maybe&driverId=%20&x=1'))).toEqual({});
  });

  it('sends local days as instants, until as the exclusive next midnight', () => {
    const api = filtersToApi({ from: '2030-01-02', until: '2030-01-02', driverId: 'drv_1' });
    expect(api.get('from')).toBe(new Date(2030, 0, 2).toISOString());
    expect(api.get('to')).toBe(new Date(2030, 0, 3).toISOString());
    expect(api.get('driverId')).toBe('drv_1');
    expect(api.has('q')).toBe(false);
  });
});
