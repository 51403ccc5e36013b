// Hash routes (`#/calls/abc`): work on any static host, including Firebase Hosting, with no rewrite rules.
import { assertNever } from '../../core/support/assert-never.ts';

export type Route =
  | { name: 'login' }
  | { name: 'board' }
  /** `query`: the History filters (`history-query.ts`), so a filtered list is a link. */
  | { name: 'history'; query: string }
  | { name: 'call'; callId: string }
  | { name: 'new-call' }
  | { name: 'campaigns' }
  | { name: 'new-campaign' }
  | { name: 'campaign'; campaignId: string }
  | { name: 'attention'; tab: AttentionTab }
  | { name: 'suppressions' }
  | { name: 'analytics' }
  | { name: 'integrations' }
  | { name: 'webhook-endpoint'; endpointId: string }
  | { name: 'not-found'; path: string };

/** The Attention page's tabs: what still needs a human, and what was already handled. */
export type AttentionTab = 'open' | 'resolved';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/calls';
  if (path === '/login') return { name: 'login' };
  if (path === '/calls' || path === '/') return { name: 'board' };
  if (path === '/new') return { name: 'new-call' };
  const history = /^\/history(?:\?(.*))?$/.exec(path);
  if (history) return { name: 'history', query: history[1] ?? '' };
  if (path === '/campaigns') return { name: 'campaigns' };
  if (path === '/campaigns/new') return { name: 'new-campaign' };
  if (path === '/attention') return { name: 'attention', tab: 'open' };
  if (path === '/attention/resolved') return { name: 'attention', tab: 'resolved' };
  if (path === '/suppressions') return { name: 'suppressions' };
  if (path === '/analytics') return { name: 'analytics' };
  const campaign = /^\/campaigns\/([^/]+)$/.exec(path);
  if (campaign?.[1]) return { name: 'campaign', campaignId: decodeURIComponent(campaign[1]) };
  if (path === '/integrations') return { name: 'integrations' };
  const endpoint = /^\/integrations\/([^/]+)$/.exec(path);
  if (endpoint?.[1]) return { name: 'webhook-endpoint', endpointId: decodeURIComponent(endpoint[1]) };
  const match = /^\/calls\/([^/]+)$/.exec(path);
  if (match?.[1]) return { name: 'call', callId: decodeURIComponent(match[1]) };
  return { name: 'not-found', path };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'login':
      return '#/login';
    case 'board':
      return '#/calls';
    case 'new-call':
      return '#/new';
    case 'history':
      return route.query ? `#/history?${route.query}` : '#/history';
    case 'call':
      return `#/calls/${encodeURIComponent(route.callId)}`;
    case 'campaigns':
      return '#/campaigns';
    case 'new-campaign':
      return '#/campaigns/new';
    case 'campaign':
      return `#/campaigns/${encodeURIComponent(route.campaignId)}`;
    case 'attention':
      return route.tab === 'resolved' ? '#/attention/resolved' : '#/attention';
    case 'suppressions':
      return '#/suppressions';
    case 'analytics':
      return '#/analytics';
    case 'integrations':
      return '#/integrations';
    case 'webhook-endpoint':
      return `#/integrations/${encodeURIComponent(route.endpointId)}`;
    case 'not-found':
      return `#${route.path}`;
    default:
      return assertNever(route);
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}
