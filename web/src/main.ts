// Dashboard entry: load runtime config, restore the tab's session, connect to the relay, route between views.
import { createApiClient } from './api-client.ts';
import { mountConnectionIndicator } from './connection-indicator.ts';
import { h } from './dom.ts';
import type { LiveSource } from './live-source.ts';
import { createRelayConnection } from './relay-connection.ts';
import { navigate, parseRoute, type Route } from './router.ts';
import { loadRuntimeConfig } from './runtime-config.ts';
import { SessionStore } from './session.ts';
import { watchSessionExpiry } from './session-renewal.ts';
import { renderAnalyticsView } from './views/analytics-view.ts';
import { renderAttentionView } from './views/attention-view.ts';
import { renderBoardView } from './views/board-view.ts';
import { renderCampaignFormView } from './views/campaign-form-view.ts';
import { renderCampaignView } from './views/campaign-view.ts';
import { renderCampaignsView } from './views/campaigns-view.ts';
import { renderCallFormView } from './views/call-form-view.ts';
import { renderCallView } from './views/call-view.ts';
import { renderHistoryView } from './views/history-view.ts';
import { renderIntegrationsView } from './views/integrations-view.ts';
import { renderWebhookEndpointView } from './views/webhook-endpoint-view.ts';
import { renderLoginView } from './views/login-view.ts';
import { renderSuppressionsView } from './views/suppressions-view.ts';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const whoami = document.getElementById('whoami')!;
const logout = document.getElementById('logout')!;
const connection = document.getElementById('connection')!;
const banner = document.getElementById('banner')!;
const navIntegrations = document.getElementById('nav-integrations')!;

async function start(): Promise<void> {
  const config = await loadRuntimeConfig();
  const session = new SessionStore();
  const api = createApiClient(config.apiBaseUrl, () => session.token());
  let live: LiveSource | undefined;
  let stopIndicator = () => {};
  let stopView = () => {};
  let afterLogin: Route = { name: 'board' };
  let loginNotice: string | undefined;

  const connect = (): LiveSource => {
    if (live) return live;
    live = createRelayConnection({
      relayUrl: config.relayUrl,
      getToken: () => session.token(),
      getTicket: async () => (await api.relayTicket()).ticket,
    });
    stopIndicator = mountConnectionIndicator(connection, live);
    return live;
  };
  const disconnect = () => {
    stopIndicator();
    live?.close();
    live = undefined;
  };

  const show = () => {
    stopView();
    const route = parseRoute(window.location.hash);
    const current = session.get();
    nav.hidden = !current;
    logout.hidden = !current;
    // Only admins manage webhook endpoints; a dispatcher following a link still gets a page saying so.
    navIntegrations.hidden = current?.role !== 'admin';
    whoami.textContent = current ? `${current.email ?? current.sub} · ${current.org}` : '';
    if (!current && route.name !== 'login') {
      afterLogin = route;
      navigate({ name: 'login' });
      return;
    }
    main.focus({ preventScroll: true });
    markCurrentNav(route);
    switch (route.name) {
      case 'login':
        disconnect();
        stopView = renderLoginView(main, {
          api,
          session,
          ...(loginNotice ? { notice: loginNotice } : {}),
          done: () => {
            loginNotice = undefined;
            navigate(afterLogin.name === 'login' ? { name: 'board' } : afterLogin);
          },
        });
        return;
      case 'board':
        document.title = 'Live calls · callrelay';
        stopView = renderBoardView(main, { live: connect() });
        return;
      case 'history':
        document.title = 'Call history · callrelay';
        stopView = renderHistoryView(main, { api, query: route.query });
        return;
      case 'call':
        document.title = 'Call · callrelay';
        stopView = renderCallView(main, { live: connect(), callId: route.callId, api });
        return;
      case 'new-call':
        document.title = 'Call a driver · callrelay';
        stopView = renderCallFormView(main, { api, created: (callId) => navigate({ name: 'call', callId }) });
        return;
      case 'campaigns':
        document.title = 'Campaigns · callrelay';
        stopView = renderCampaignsView(main, { api });
        return;
      case 'new-campaign':
        document.title = 'New campaign · callrelay';
        stopView = renderCampaignFormView(main, {
          api,
          created: (campaignId) => navigate({ name: 'campaign', campaignId }),
        });
        return;
      case 'campaign':
        document.title = 'Campaign · callrelay';
        stopView = renderCampaignView(main, { api, live: connect(), campaignId: route.campaignId });
        return;
      case 'attention':
        document.title = 'Needs attention · callrelay';
        stopView = renderAttentionView(main, { api, tab: route.tab });
        return;
      case 'suppressions':
        document.title = 'Suppressed numbers · callrelay';
        stopView = renderSuppressionsView(main, { api });
        return;
      case 'analytics':
        document.title = 'Analytics · callrelay';
        stopView = renderAnalyticsView(main, { api });
        return;
      case 'integrations':
        document.title = 'Integrations · callrelay';
        stopView = renderIntegrationsView(main, { api, role: current?.role ?? '' });
        return;
      case 'webhook-endpoint':
        document.title = 'Webhook endpoint · callrelay';
        stopView = renderWebhookEndpointView(main, {
          api,
          role: current?.role ?? '',
          endpointId: route.endpointId,
          deleted: () => navigate({ name: 'integrations' }),
        });
        return;
      case 'not-found':
        stopView = () => {};
        main.replaceChildren(
          h(
            'section',
            { class: 'page' },
            h('h1', {}, 'Page not found'),
            h('p', {}, h('a', { href: '#/calls' }, 'Back to live calls')),
          ),
        );
        return;
    }
  };

  /** The header link of the page shown (its section: a campaign's page marks "Campaigns"). */
  const markCurrentNav = (route: Route) => {
    const section =
      route.name === 'campaign' || route.name === 'new-campaign'
        ? 'campaigns'
        : route.name === 'call'
          ? 'board'
          : route.name === 'webhook-endpoint'
            ? 'integrations'
            : route.name;
    for (const link of nav.querySelectorAll<HTMLAnchorElement>('a[data-section]')) {
      if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  };

  watchSessionExpiry({
    api,
    session,
    banner,
    // Hand the new token to the open socket now (in-band `auth`), so the live views never reconnect.
    renewed: () => live?.reauthenticate(),
    expired: () => {
      loginNotice = 'Your session expired. Sign in again to continue.';
      disconnect();
      navigate({ name: 'login' });
    },
  });
  logout.addEventListener('click', () => {
    session.clear();
    disconnect();
    afterLogin = { name: 'board' };
    navigate({ name: 'login' });
  });
  window.addEventListener('hashchange', show);
  show();
}

start().catch((err: unknown) => {
  main.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('h1', {}, 'The dashboard could not start'),
      h('p', { role: 'alert' }, err instanceof Error ? err.message : 'Unknown error.'),
      h(
        'button',
        { type: 'button', class: 'button-primary', onclick: () => window.location.reload() },
        'Try again',
      ),
    ),
  );
});
