// One campaign, live: progress, each driver's state, attempts, next attempt in the driver's time, pause/resume/cancel.
import { DRIVER_STATES, type CampaignStatus } from '../../../core/domain/campaign.ts';
import { ApiError, type ApiClient, type CampaignAction } from '../api-client.ts';
import type { CampaignDetail, CampaignDriverView, CampaignSummary } from '../../../core/protocol/rest-api.ts';
import {
  campaignStatusBadge,
  driverLocalTime,
  driverStateBadge,
  driverStateLabel,
} from '../campaign-format.ts';
import { confirmDialog } from '../confirm-dialog.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { formatDurationList } from '../duration-list.ts';
import type { LiveSource } from '../live-source.ts';
import { href } from '../router.ts';
import { finishedCount } from './campaigns-view.ts';
import { CampaignModel } from '../campaign-model.ts';

export interface CampaignViewDeps {
  api: ApiClient;
  live: LiveSource;
  campaignId: string;
}

/** Which actions a campaign in a status offers. */
const ACTIONS: Record<CampaignStatus, CampaignAction[]> = {
  scheduled: ['pause', 'cancel'],
  running: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  completed: [],
  canceled: [],
};

const ACTION_LABELS: Record<CampaignAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel campaign',
};

export function renderCampaignView(root: HTMLElement, deps: CampaignViewDeps): () => void {
  const model = new CampaignModel();
  let stopped = false;
  const head = h('div', { class: 'campaign-head' });
  const problem = h('p', { class: 'form-error', role: 'alert', id: 'campaign-error' });
  const progress = h('section', { class: 'card campaign-progress', 'aria-labelledby': 'progress-title' });
  const body = h('tbody');
  const rows = new Map<string, HTMLTableRowElement>();
  const table = h(
    'table',
    { class: 'board', id: 'drivers', 'aria-label': 'Drivers' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Driver'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col', class: 'num' }, 'Attempts'),
        h('th', { scope: 'col' }, 'Next attempt (driver’s time)'),
        h('th', { scope: 'col' }, 'Calls'),
        h('th', { scope: 'col' }, 'Outcome'),
      ),
    ),
    body,
  );
  const loading = h('p', { class: 'empty', role: 'status' }, 'Loading the campaign…');
  root.replaceChildren(
    h(
      'section',
      { class: 'page campaign-page' },
      h('a', { class: 'back', href: href({ name: 'campaigns' }) }, '← Campaigns'),
      head,
      problem,
      loading,
      progress,
      h('div', { class: 'table-wrap' }, table),
    ),
  );
  progress.hidden = true;
  table.hidden = true;

  const renderAll = () => {
    const campaign = model.campaign;
    if (!campaign) return;
    loading.hidden = true;
    progress.hidden = false;
    table.hidden = false;
    document.title = `${campaign.name} · Campaign · callrelay`;
    renderHead(head, campaign, act);
    renderProgress(progress, campaign);
    const seen = new Set<string>();
    for (const driver of model.drivers.values()) {
      seen.add(driver.driverId);
      renderRow(driver);
    }
    for (const [id, tr] of rows) {
      if (!seen.has(id)) {
        tr.remove();
        rows.delete(id);
      }
    }
  };
  const renderRow = (driver: CampaignDriverView) => {
    const fresh = driverRow(driver, model.campaign);
    const old = rows.get(driver.driverId);
    if (old) old.replaceWith(fresh);
    else body.append(fresh);
    rows.set(driver.driverId, fresh);
  };

  const showDetail = (detail: CampaignDetail) => {
    const { drivers, ...campaign } = detail;
    if (model.replace(campaign, drivers)) renderAll();
  };
  const reload = () =>
    deps.api
      .getCampaign(deps.campaignId)
      .then((detail) => {
        if (stopped) return;
        problem.textContent = '';
        showDetail(detail);
      })
      .catch((err: unknown) => {
        if (stopped) return;
        loading.hidden = true;
        problem.textContent =
          err instanceof ApiError && err.status === 404
            ? 'This campaign does not exist, or belongs to another organization.'
            : err instanceof Error
              ? err.message
              : 'The campaign could not be loaded.';
      });

  async function act(action: CampaignAction, button: HTMLButtonElement): Promise<void> {
    if (action === 'cancel') {
      const campaign = model.campaign;
      const ok = await confirmDialog({
        title: 'Cancel this campaign?',
        message: `No more calls will be placed for "${campaign?.name ?? 'this campaign'}". Calls in progress finish; drivers still waiting are marked canceled. This cannot be undone.`,
        confirm: 'Cancel campaign',
        decline: 'Keep it running',
      });
      if (!ok) return;
    }
    button.disabled = true;
    problem.textContent = '';
    try {
      const detail = await deps.api.campaignAction(deps.campaignId, action);
      if (!stopped) showDetail(detail);
    } catch (err) {
      if (stopped) return;
      problem.textContent = err instanceof Error ? err.message : 'That did not work. Try again.';
      // The campaign moved on meanwhile (e.g. completed): show what it is now.
      if (err instanceof ApiError && err.code === 'invalid_state') void reload();
    } finally {
      button.disabled = false;
    }
  }

  const unsubscribe = deps.live.subscribeCampaign(deps.campaignId, {
    snapshot(campaign, drivers) {
      if (model.replace(campaign, drivers)) renderAll();
    },
    updated(campaign, driver) {
      if (!model.update(campaign, driver)) return;
      if (driver && rows.has(driver.driverId)) {
        renderHead(head, campaign, act);
        renderProgress(progress, model.campaign ?? campaign);
        renderRow(model.drivers.get(driver.driverId) ?? driver);
      } else renderAll();
    },
    error(_code, message) {
      problem.textContent = message;
    },
  });
  // Whatever happened while the relay was unreachable is read again once it is back.
  let wasOpen = deps.live.status().state === 'open';
  const offStatus = deps.live.onStatus((status) => {
    const open = status.state === 'open';
    if (open && !wasOpen) void reload();
    wasOpen = open;
  });
  void reload();
  return () => {
    stopped = true;
    unsubscribe();
    offStatus();
  };
}

function renderHead(
  head: HTMLElement,
  campaign: CampaignSummary,
  act: (action: CampaignAction, button: HTMLButtonElement) => Promise<void>,
): void {
  const buttons = ACTIONS[campaign.status].map((action) => {
    const button = h(
      'button',
      {
        type: 'button',
        id: `campaign-${action}`,
        class: action === 'cancel' ? 'button-danger-quiet' : 'button-quiet',
      },
      ACTION_LABELS[action],
    );
    button.addEventListener('click', () => void act(action, button));
    return button;
  });
  head.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { id: 'campaign-title' }, campaign.name, ' ', campaignStatusBadge(campaign.status)),
      h('div', { class: 'campaign-actions' }, ...buttons),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Starts', dateTime(campaign.startAt)),
      fact('Calling window', `${campaign.callingWindow.start}–${campaign.callingWindow.end} driver’s time`),
      fact(
        'Attempts',
        `${campaign.retry.maxAttempts}, waiting ${formatDurationList(campaign.retry.backoffSecs)}`,
      ),
      fact('Calls at once', String(campaign.maxConcurrentCalls)),
      fact('Created', dateTime(campaign.createdAt)),
    ),
  );
}

function fact(label: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function renderProgress(section: HTMLElement, campaign: CampaignSummary): void {
  const done = finishedCount(campaign.counts);
  const total = campaign.driverCount;
  section.replaceChildren(
    h('h2', { id: 'progress-title' }, 'Progress'),
    h(
      'div',
      { class: 'progress-line' },
      h('progress', {
        id: 'campaign-progress',
        max: total || 1,
        value: done,
        'aria-label': 'Drivers finished',
      }),
      h('span', { id: 'progress-text' }, `${done} of ${total} drivers finished`),
    ),
    h(
      'ul',
      { class: 'state-counts', id: 'state-counts' },
      ...DRIVER_STATES.filter((state) => (campaign.counts[state] ?? 0) > 0).map((state) =>
        h(
          'li',
          { 'data-state': state },
          driverStateBadge(state),
          ' ',
          h(
            'span',
            { class: 'count', 'aria-label': `${driverStateLabel(state)}: ${campaign.counts[state]}` },
            campaign.counts[state],
          ),
        ),
      ),
    ),
  );
}

function driverRow(driver: CampaignDriverView, campaign: CampaignSummary | undefined): HTMLTableRowElement {
  const waiting = driver.state === 'scheduled' || driver.state === 'retry_scheduled';
  // Before the engine first looks at a driver it has no nextAttemptAt: the campaign's start is the earliest.
  const at = waiting ? (driver.nextAttemptAt ?? campaign?.startAt) : undefined;
  const next = at
    ? h(
        'time',
        { datetime: at, title: driver.timezone || 'org default time zone' },
        driver.nextAttemptAt ? '' : 'not before ',
        driverLocalTime(at, driver.timezone),
      )
    : h('span', { class: 'muted' }, '—');
  const calls = driver.callIds.length
    ? h(
        'ul',
        { class: 'call-links' },
        ...driver.callIds.map((callId, i) =>
          h('li', {}, h('a', { href: href({ name: 'call', callId }) }, `Attempt ${i + 1}`)),
        ),
      )
    : h('span', { class: 'muted' }, '—');
  return h(
    'tr',
    { 'data-driver-id': driver.driverId, 'data-state': driver.state },
    h(
      'td',
      { 'data-label': 'Driver' },
      h('strong', {}, driver.driverName),
      h('div', { class: 'muted small' }, driver.driverId),
    ),
    h('td', { 'data-label': 'State' }, driverStateBadge(driver.state)),
    h('td', { 'data-label': 'Attempts', class: 'num attempts' }, driver.attempts),
    h('td', { 'data-label': 'Next attempt', class: 'next-attempt' }, next),
    h('td', { 'data-label': 'Calls' }, calls),
    h('td', { 'data-label': 'Outcome', class: 'outcome-cell' }, outcomeText(driver)),
  );
}

function outcomeText(driver: CampaignDriverView): string {
  const outcome = driver.outcome;
  if (!outcome) return '';
  if (outcome.failure) return `Last attempt: ${outcome.failure.replace('-', ' ')}`;
  const parts: string[] = [];
  if (outcome.eta) parts.push(`ETA ${outcome.eta}`);
  if (outcome.escalationNeeded) parts.push('escalation requested');
  if (outcome.summary) parts.push(outcome.summary);
  return parts.join(' · ');
}
