// History: past calls with filters (dates, driver, outcome, campaign, transcript words), paging, deep links, CSV.
import type { Call } from '../../../core/domain/call.ts';
import { OUTCOME_FILTERS, type OutcomeFilter } from '../../../core/domain/call-facets.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { callDurationSecs } from '../call-timing.ts';
import { h } from '../dom.ts';
import { dateTime, duration } from '../format.ts';
import { filtersFromUrl, filtersToApi, filtersToUrl, type HistoryFilters } from '../history-query.ts';
import { href, navigate } from '../router.ts';
import { statusBadge } from '../status-badge.ts';

/** Calls per page of the History list. */
const PAGE_SIZE = 25;

const OUTCOME_LABELS: Record<OutcomeFilter, string> = {
  acknowledged: 'Acknowledged',
  not_acknowledged: 'Not acknowledged',
  unreachable: 'Unreachable',
  escalation: 'Needs escalation',
  opted_out: 'Opted out',
};

/** Renders the History page for the filters in `query` (the route's); returns its cleanup. */
export function renderHistoryView(root: HTMLElement, deps: { api: ApiClient; query: string }): () => void {
  const filters = filtersFromUrl(new URLSearchParams(deps.query));
  let stopped = false;
  let cursor: string | undefined;

  const input = (id: string, label: string, attrs: Record<string, string>, value?: string) => {
    const el = h('input', { id, name: id, ...attrs, ...(value ? { value } : {}) });
    return { el, wrap: h('div', { class: 'field' }, h('label', { for: id }, label), el) };
  };
  const from = input('history-from', 'From', { type: 'date' }, filters.from);
  const until = input('history-until', 'Until', { type: 'date' }, filters.until);
  const driver = input(
    'history-driver',
    'Driver id',
    { type: 'text', autocomplete: 'off' },
    filters.driverId,
  );
  const campaign = input(
    'history-campaign',
    'Campaign id',
    { type: 'text', autocomplete: 'off' },
    filters.campaignId,
  );
  const q = input(
    'history-q',
    'Words said in the call',
    { type: 'search', placeholder: 'e.g. reefer door', autocomplete: 'off' },
    filters.q,
  );
  const outcome = h(
    'select',
    { id: 'history-outcome', name: 'history-outcome' },
    h('option', { value: '' }, 'Any outcome'),
    ...OUTCOME_FILTERS.map((o) =>
      h('option', { value: o, selected: filters.outcome === o }, OUTCOME_LABELS[o]),
    ),
  );
  const status = h('p', { id: 'history-status', class: 'muted', role: 'status' });
  const error = h('div', { id: 'history-error', class: 'form-error', role: 'alert' });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'board', id: 'history-table', 'aria-describedby': 'history-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Driver'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Outcome'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
        h('th', { scope: 'col' }, 'Campaign'),
      ),
    ),
    body,
  );
  const more = h('button', { type: 'button', class: 'button-quiet', id: 'history-more' }, 'Load older calls');
  // The wrapper is what hides: `.button-quiet` sets `display`, which would override the button's own `hidden`.
  const moreWrap = h('div', { class: 'history-more', hidden: true }, more);
  const exportButton = h(
    'button',
    { type: 'button', class: 'button-quiet', id: 'history-export' },
    'Export CSV',
  );

  const current = (): HistoryFilters => {
    const out: HistoryFilters = {};
    if (from.el.value) out.from = from.el.value;
    if (until.el.value) out.until = until.el.value;
    if (driver.el.value.trim()) out.driverId = driver.el.value.trim();
    if (outcome.value) out.outcome = outcome.value as OutcomeFilter;
    if (campaign.el.value.trim()) out.campaignId = campaign.el.value.trim();
    if (q.el.value.trim()) out.q = q.el.value.trim();
    return out;
  };
  const form = h(
    'form',
    { class: 'card history-filters', 'aria-label': 'Filters', novalidate: true },
    h('div', { class: 'field-row' }, from.wrap, until.wrap),
    h(
      'div',
      { class: 'field-row' },
      driver.wrap,
      h('div', { class: 'field' }, h('label', { for: 'history-outcome' }, 'Outcome'), outcome),
    ),
    h('div', { class: 'field-row' }, campaign.wrap, q.wrap),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'button-primary', id: 'history-search' }, 'Search'),
      exportButton,
      h('a', { href: href({ name: 'history', query: '' }) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // The filters go into the URL: the list is a link, and the route change renders it.
    const query = filtersToUrl(current()).toString();
    if (query === deps.query) void load(false);
    else navigate({ name: 'history', query });
  });
  more.addEventListener('click', () => void load(true));
  exportButton.addEventListener('click', () => void download());

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'history-title' }, 'Call history'),
        h('a', { class: 'button-quiet', href: href({ name: 'board' }) }, 'Live calls'),
      ),
      form,
      error,
      status,
      h('div', { class: 'table-wrap' }, table),
      moreWrap,
    ),
  );

  async function load(append: boolean): Promise<void> {
    error.textContent = '';
    status.textContent = 'Loading calls…';
    const query = filtersToApi(filters);
    query.set('limit', String(PAGE_SIZE));
    if (append && cursor) query.set('cursor', cursor);
    try {
      const page = await deps.api.listCalls(query);
      if (stopped) return;
      if (!append) body.replaceChildren();
      body.append(...page.calls.map(row));
      cursor = page.nextCursor;
      moreWrap.hidden = !cursor;
      table.hidden = body.children.length === 0;
      const shown = body.children.length === 1 ? '1 call' : `${body.children.length} calls`;
      status.textContent =
        body.children.length === 0 && !cursor
          ? 'No calls match these filters.'
          : page.scanLimited
            ? `Showing ${shown}; the search paused after reading many calls. Load older calls to keep searching.`
            : `Showing ${shown}${cursor ? '; older calls follow' : ''}.`;
    } catch (err) {
      if (stopped) return;
      status.textContent = '';
      error.textContent = problemText(err);
    }
  }

  async function download(): Promise<void> {
    error.textContent = '';
    exportButton.setAttribute('disabled', '');
    status.textContent = 'Preparing the CSV export…';
    try {
      const blob = await deps.api.exportCalls(filtersToApi(current()));
      if (stopped) return;
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: 'calls.csv', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked later: the download reads the Blob after this task.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.textContent = 'Export downloaded.';
    } catch (err) {
      if (stopped) return;
      status.textContent = '';
      error.textContent = problemText(err);
    } finally {
      exportButton.removeAttribute('disabled');
    }
  }

  void load(false);
  return () => {
    stopped = true;
  };
}

function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    const details = Array.isArray(err.details)
      ? (err.details as { field?: unknown; problem?: unknown }[])
          .map((d) => `${String(d.field ?? '').replace(/^query\./, '')} ${String(d.problem ?? '')}`.trim())
          .join('; ')
      : '';
    return details ? `${err.message}: ${details}` : err.message;
  }
  return 'Something went wrong. Try again.';
}

function row(call: Call): HTMLTableRowElement {
  const secs = callDurationSecs(call, new Date());
  const outcome = call.facets
    ? [
        OUTCOME_LABELS[call.facets.outcome],
        ...(call.facets.escalation ? [OUTCOME_LABELS.escalation] : []),
        ...(call.facets.optedOut ? [OUTCOME_LABELS.opted_out] : []),
      ].join(' · ')
    : '—';
  return h(
    'tr',
    { 'data-call-id': call.callId },
    h(
      'td',
      { 'data-label': 'Driver' },
      h('a', { href: href({ name: 'call', callId: call.callId }) }, call.driver?.name ?? 'Unknown driver'),
      call.driver?.id ? h('div', { class: 'muted small' }, call.driver.id) : null,
    ),
    h('td', { 'data-label': 'Started' }, h('time', { datetime: call.createdAt }, dateTime(call.createdAt))),
    h('td', { 'data-label': 'Status' }, statusBadge(call.status)),
    h('td', { 'data-label': 'Outcome', 'data-outcome': call.facets?.outcome ?? '' }, outcome),
    h('td', { 'data-label': 'Duration', class: 'num' }, secs === undefined ? '—' : duration(secs)),
    h('td', { 'data-label': 'Campaign' }, call.campaign?.campaignId ?? '—'),
  );
}
