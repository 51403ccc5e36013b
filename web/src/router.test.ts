// parseRoute/href: every route survives a round trip, so deep links to each page work.
import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './router.ts';

describe('router', () => {
  it.each<Route>([
    { name: 'board' },
    { name: 'new-call' },
    { name: 'call', callId: 'call_1' },
    { name: 'campaigns' },
    { name: 'new-campaign' },
    { name: 'campaign', campaignId: 'cmp_a/b c' },
    { name: 'attention', tab: 'open' },
    { name: 'attention', tab: 'resolved' },
    { name: 'suppressions' },
  ])('round-trips %o', (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('does not mistake "new" for a campaign id, and reports unknown paths', () => {
    expect(parseRoute('#/campaigns/new')).toEqual({ name: 'new-campaign' });
    expect(parseRoute('#/campaigns/x/y')).toEqual({ name: 'not-found', path: '/campaigns/x/y' });
  });
});
