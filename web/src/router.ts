// Hash routes (`#/calls/abc`): work on any static host, including Firebase Hosting, with no rewrite rules.
import { assertNever } from '../../core/support/assert-never.ts';

export type Route =
  | { name: 'login' }
  | { name: 'board' }
  /** `query`: the History filters (`history-query.ts`), so a filtered list is a link. */
  | { name: 'history'; query: string }
  | { name: 'call'; callId: string }
  | { name: 'new-call' }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/calls';
  if (path === '/login') return { name: 'login' };
  if (path === '/calls' || path === '/') return { name: 'board' };
  if (path === '/new') return { name: 'new-call' };
  const history = /^\/history(?:\?(.*))?$/.exec(path);
  if (history) return { name: 'history', query: history[1] ?? '' };
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
    case 'not-found':
      return `#${route.path}`;
    default:
      return assertNever(route);
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}
