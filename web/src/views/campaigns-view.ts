// Campaigns: the org's campaigns, newest first, with status, progress and when each was created.
import { FINAL_DRIVER_STATES, type DriverState } from '../../../core/domain/campaign.ts';
import type { ApiClient } from '../api-client.ts';
import type { CampaignSummary } from '../../../core/protocol/rest-api.ts';
import { campaignStatusBadge } from '../campaign-format.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { href } from '../router.ts';

export function renderCampaignsView(root: HTMLElement, deps: { api: ApiClient }): () => void {
  let stopped = false;
  let cursor: string | undefined;
  const body = h('tbody');
  const status = h('p', { class: 'empty', role: 'status' }, 'Loading campaigns…');
  const problem = h('p', { class: 'form-error', role: 'alert' });
  const more = h('button', { type: 'button', class: 'button-quiet', hidden: true }, 'Load more');
  const table = h(
    'table',
    { class: 'board', id: 'campaigns', 'aria-describedby': 'campaigns-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Campaign'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Progress'),
        h('th', { scope: 'col', class: 'num' }, 'Drivers'),
        h('th', { scope: 'col' }, 'Created'),
      ),
    ),
    body,
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'campaigns-title' }, 'Campaigns'),
        h('a', { class: 'button-primary', href: href({ name: 'new-campaign' }) }, 'New campaign'),
      ),
      problem,
      status,
      h('div', { class: 'table-wrap' }, table),
      more,
    ),
  );
  const load = () => {
    more.disabled = true;
    deps.api
      .listCampaigns(cursor)
      .then((page) => {
        if (stopped) return;
        body.append(...page.campaigns.map(row));
        cursor = page.nextCursor;
        more.hidden = !cursor;
        table.hidden = body.children.length === 0;
        status.hidden = body.children.length > 0;
        status.replaceChildren(
          'No campaigns yet. ',
          h('a', { href: href({ name: 'new-campaign' }) }, 'Create one'),
          ' from a CSV of drivers.',
        );
      })
      .catch((err: unknown) => {
        if (stopped) return;
        status.hidden = true;
        problem.textContent = err instanceof Error ? err.message : 'The campaigns could not be loaded.';
      })
      .finally(() => (more.disabled = false));
  };
  more.addEventListener('click', load);
  load();
  return () => {
    stopped = true;
  };
}

function row(campaign: CampaignSummary): HTMLTableRowElement {
  const done = finishedCount(campaign.counts);
  return h(
    'tr',
    { 'data-campaign-id': campaign.campaignId },
    h(
      'td',
      { 'data-label': 'Campaign' },
      h('a', { href: href({ name: 'campaign', campaignId: campaign.campaignId }) }, campaign.name),
    ),
    h('td', { 'data-label': 'Status' }, campaignStatusBadge(campaign.status)),
    h(
      'td',
      { 'data-label': 'Progress' },
      h('progress', { max: campaign.driverCount || 1, value: done, 'aria-label': 'Drivers finished' }),
      h('span', { class: 'muted small' }, ` ${done} of ${campaign.driverCount} done`),
      campaign.counts.calling
        ? h('span', { class: 'muted small' }, ` · ${campaign.counts.calling} calling`)
        : null,
    ),
    h('td', { 'data-label': 'Drivers', class: 'num' }, campaign.driverCount),
    h(
      'td',
      { 'data-label': 'Created' },
      h('time', { datetime: campaign.createdAt }, dateTime(campaign.createdAt)),
    ),
  );
}

/** Drivers in a final state. */
export function finishedCount(counts: Partial<Record<DriverState, number>>): number {
  let done = 0;
  for (const state of FINAL_DRIVER_STATES) done += counts[state] ?? 0;
  return done;
}
