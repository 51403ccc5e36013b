// One webhook endpoint: its settings, test / rotate / delete, and its recent deliveries with every attempt and Retry.
import type { PublicWebhookEndpoint, WebhookAttempt } from '../../../core/domain/webhook.ts';
import type { WebhookDeliveryView } from '../../../core/protocol/rest-api.ts';
import type { ApiClient } from '../api-client.ts';
import { confirmDialog } from '../confirm-dialog.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { href } from '../router.ts';
import { secretReveal } from '../secret-reveal.ts';
import {
  deliveryStatusLabel,
  eventLabel,
  lastAttempt,
  latencyText,
  responseText,
} from '../webhook-labels.ts';
import { adminsOnly, endpointBadge, errorText } from './integrations-view.ts';

/** Poll the log this often while a delivery is pending (an attempt is due or running)... */
const BUSY_POLL_MS = 1500;
/** ...and this often otherwise (scheduled retries and new events appear without a reload). */
const IDLE_POLL_MS = 10_000;

export interface WebhookEndpointViewDeps {
  api: ApiClient;
  role: string;
  endpointId: string;
  /** Called after the endpoint was deleted (back to the list). */
  deleted(): void;
}

export function renderWebhookEndpointView(root: HTMLElement, deps: WebhookEndpointViewDeps): () => void {
  if (deps.role !== 'admin') {
    root.replaceChildren(adminsOnly());
    return () => {};
  }
  const { api, endpointId } = deps;
  let closed = false;
  let timer: number | undefined;
  let olderCursor: string | undefined;
  /** Deliveries by id, newest first as the API pages them; older pages appended by "Load older". */
  const deliveries = new Map<string, WebhookDeliveryView>();

  const head = h(
    'div',
    { class: 'card endpoint-head', id: 'endpoint-head' },
    h('p', { role: 'status' }, 'Loading endpoint…'),
  );
  const actionStatus = h('p', { id: 'endpoint-action-status', class: 'action-status', role: 'status' });
  const secretSlot = h('div', { id: 'secret-slot' });
  const logStatus = h(
    'p',
    { id: 'deliveries-status', class: 'empty', role: 'status' },
    'Loading deliveries…',
  );
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'board deliveries', id: 'deliveries', 'aria-labelledby': 'deliveries-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Time'),
        h('th', { scope: 'col' }, 'Event'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col', class: 'num' }, 'Response'),
        h('th', { scope: 'col', class: 'num' }, 'Latency'),
        h('th', { scope: 'col' }, 'Attempts'),
        h('th', { scope: 'col' }, 'Error'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  const loadOlder = h(
    'button',
    { type: 'button', id: 'load-older', class: 'button-quiet', hidden: true },
    'Load older deliveries',
  );
  const refresh = h('button', { type: 'button', id: 'refresh-deliveries', class: 'button-quiet' }, 'Refresh');

  const say = (text: string) => (actionStatus.textContent = text);

  const renderHead = (endpoint: PublicWebhookEndpoint) => {
    document.title = `${endpoint.url} · Integrations · callrelay`;
    const test = h('button', { type: 'button', id: 'send-test', class: 'button-primary' }, 'Send test event');
    const rotate = h(
      'button',
      { type: 'button', id: 'rotate-secret', class: 'button-quiet' },
      'Rotate secret',
    );
    const remove = h(
      'button',
      { type: 'button', id: 'delete-endpoint', class: 'button-danger-quiet' },
      'Delete endpoint',
    );
    test.addEventListener('click', () => {
      test.disabled = true;
      say('Sending a test event…');
      api.webhooks
        .sendTest(endpointId)
        .then(({ delivery }) => {
          upsert(delivery);
          say('Test event queued: its delivery is at the top of the log.');
          schedule(BUSY_POLL_MS);
        })
        .catch((err: unknown) => say(errorText(err, 'The test event could not be sent.')))
        .finally(() => (test.disabled = false));
    });
    rotate.addEventListener('click', () => {
      void confirmDialog({
        title: 'Rotate the signing secret?',
        message:
          'callrelay creates a new secret. The current one keeps signing alongside it for a grace period, so your receiver can switch over without missing a delivery.',
        confirm: 'Rotate secret',
        decline: 'Cancel',
      }).then(async (yes) => {
        if (!yes) return rotate.focus();
        rotate.disabled = true;
        try {
          const rotated = await api.webhooks.rotateSecret(endpointId);
          if (closed) return;
          say('');
          secretSlot.replaceChildren(
            secretReveal({
              secret: rotated.secret,
              url: endpoint.url,
              previousSecretExpiresAt: rotated.previousSecretExpiresAt,
              dismissed: () => {
                secretSlot.replaceChildren();
                rotate.focus();
              },
            }),
          );
          secretSlot.querySelector<HTMLElement>('#secret-reveal')?.focus();
        } catch (err) {
          say(errorText(err, 'The secret could not be rotated.'));
        } finally {
          rotate.disabled = false;
        }
      });
    });
    remove.addEventListener('click', () => {
      void confirmDialog({
        title: 'Delete this endpoint?',
        message: `callrelay stops sending events to ${endpoint.url} and deletes its delivery log. This cannot be undone.`,
        confirm: 'Delete endpoint',
        decline: 'Keep it',
      }).then(async (yes) => {
        if (!yes) return remove.focus();
        remove.disabled = true;
        try {
          await api.webhooks.remove(endpointId);
          if (!closed) deps.deleted();
        } catch (err) {
          say(errorText(err, 'The endpoint could not be deleted.'));
          remove.disabled = false;
        }
      });
    });
    head.replaceChildren(
      h('h1', { class: 'endpoint-title', id: 'endpoint-url' }, endpoint.url),
      ...(endpoint.description ? [h('p', { class: 'muted' }, endpoint.description)] : []),
      h(
        'dl',
        { class: 'facts' },
        fact('Status', endpointBadge(endpoint), 'status'),
        fact('Events', endpoint.events.map(eventLabel).join(', '), 'events'),
        fact('Phone numbers', endpoint.includePhoneNumbers ? 'Included' : 'Not included', 'phones'),
        fact('Created', h('time', { datetime: endpoint.createdAt }, dateTime(endpoint.createdAt)), 'created'),
      ),
      h('div', { class: 'form-actions endpoint-actions' }, test, rotate, remove),
      actionStatus,
    );
  };

  const upsert = (delivery: WebhookDeliveryView) => {
    deliveries.set(delivery.deliveryId, delivery);
    renderLog();
  };

  const renderLog = () => {
    const sorted = [...deliveries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    // Rows are replaced only when their delivery changed: a focused Retry button or an open attempt list survives a poll.
    const existing = new Map(
      [...body.children].map((row) => [
        (row as HTMLElement).dataset.deliveryId ?? '',
        row as HTMLTableRowElement,
      ]),
    );
    const rows = sorted.map((delivery) => {
      const version = JSON.stringify([delivery.status, delivery.attempts, delivery.nextAttemptAt]);
      const known = existing.get(delivery.deliveryId);
      if (known && known.dataset.version === version) return known;
      const row = deliveryRow(delivery, version, retry);
      if (known?.querySelector('details')?.open) row.querySelector('details')?.setAttribute('open', '');
      if (known?.contains(document.activeElement))
        queueMicrotask(() => row.querySelector<HTMLElement>('.retry')?.focus());
      return row;
    });
    body.replaceChildren(...rows);
    table.hidden = rows.length === 0;
    logStatus.hidden = rows.length > 0;
    logStatus.textContent = 'No deliveries yet. Send a test event to check your receiver.';
    loadOlder.hidden = !olderCursor;
  };

  const retry = (delivery: WebhookDeliveryView, button: HTMLButtonElement) => {
    button.disabled = true;
    button.textContent = 'Retrying…';
    api.webhooks
      .retry(endpointId, delivery.deliveryId)
      .then(({ delivery: updated }) => {
        say(`Retrying the ${eventLabel(updated.eventType)} delivery now.`);
        upsert(updated);
        schedule(BUSY_POLL_MS);
      })
      .catch((err: unknown) => {
        say(errorText(err, 'The delivery could not be retried.'));
        button.disabled = false;
        button.textContent = 'Retry';
      });
  };

  /** The newest page, merged into what is shown (older pages already loaded stay). */
  const poll = async () => {
    try {
      const page = await api.webhooks.deliveries(endpointId);
      if (closed) return;
      if (deliveries.size === 0) olderCursor = page.nextCursor;
      for (const delivery of page.deliveries) deliveries.set(delivery.deliveryId, delivery);
      renderLog();
    } catch (err) {
      if (closed) return;
      logStatus.hidden = false;
      logStatus.textContent = errorText(err, 'The delivery log could not be loaded.');
    }
    const busy = [...deliveries.values()].some((d) => d.status === 'pending');
    schedule(busy ? BUSY_POLL_MS : IDLE_POLL_MS);
  };

  const schedule = (ms: number) => {
    if (closed) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void poll(), document.hidden ? Math.max(ms, IDLE_POLL_MS) : ms);
  };

  refresh.addEventListener('click', () => void poll());
  loadOlder.addEventListener('click', () => {
    if (!olderCursor) return;
    loadOlder.disabled = true;
    api.webhooks
      .deliveries(endpointId, olderCursor)
      .then((page) => {
        if (closed) return;
        olderCursor = page.nextCursor;
        for (const delivery of page.deliveries) deliveries.set(delivery.deliveryId, delivery);
        renderLog();
      })
      .catch((err: unknown) => say(errorText(err, 'Older deliveries could not be loaded.')))
      .finally(() => (loadOlder.disabled = false));
  });

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('a', { class: 'back', href: href({ name: 'integrations' }) }, '← Integrations'),
      head,
      secretSlot,
      h(
        'div',
        { class: 'page-head log-head' },
        h('h2', { id: 'deliveries-title' }, 'Recent deliveries'),
        refresh,
      ),
      logStatus,
      h('div', { class: 'table-wrap' }, table),
      loadOlder,
    ),
  );

  // No single-endpoint GET: the list is short (at most 20 per org), so the page finds its endpoint there.
  api.webhooks
    .list()
    .then(({ endpoints }) => {
      if (closed) return;
      const endpoint = endpoints.find((e) => e.id === endpointId);
      if (!endpoint) {
        head.replaceChildren(
          h('h1', {}, 'Endpoint not found'),
          h(
            'p',
            { id: 'endpoint-missing' },
            'This endpoint does not exist, or it was deleted. ',
            h('a', { href: href({ name: 'integrations' }) }, 'Back to Integrations'),
          ),
        );
        logStatus.hidden = true;
        return;
      }
      renderHead(endpoint);
      void poll();
    })
    .catch((err: unknown) => {
      if (closed) return;
      head.replaceChildren(h('p', { role: 'alert' }, errorText(err, 'The endpoint could not be loaded.')));
    });

  return () => {
    closed = true;
    window.clearTimeout(timer);
  };
}

function fact(label: string, value: Node | string, key: string): HTMLElement {
  return h('div', { 'data-fact': key }, h('dt', {}, label), h('dd', {}, value));
}

function deliveryRow(
  delivery: WebhookDeliveryView,
  version: string,
  retry: (delivery: WebhookDeliveryView, button: HTMLButtonElement) => void,
): HTMLTableRowElement {
  const last = lastAttempt(delivery.attempts);
  const button = h(
    'button',
    {
      type: 'button',
      class: 'button-quiet retry',
      'aria-label': `Retry the ${eventLabel(delivery.eventType)} delivery`,
    },
    'Retry',
  );
  button.addEventListener('click', () => retry(delivery, button));
  const statusCell = h(
    'span',
    { class: `badge badge-delivery-${delivery.status}`, 'data-status': delivery.status },
    deliveryStatusLabel(delivery.status),
  );
  const next =
    delivery.status === 'pending' && delivery.nextAttemptAt && delivery.attempts.length > 0
      ? h(
          'div',
          { class: 'muted small' },
          'next try ',
          h('time', { datetime: delivery.nextAttemptAt }, dateTime(delivery.nextAttemptAt)),
        )
      : null;
  return h(
    'tr',
    { 'data-delivery-id': delivery.deliveryId, 'data-status': delivery.status, 'data-version': version },
    h(
      'td',
      { 'data-label': 'Time' },
      h('time', { datetime: delivery.createdAt, title: delivery.createdAt }, dateTime(delivery.createdAt)),
    ),
    h(
      'td',
      { 'data-label': 'Event' },
      eventLabel(delivery.eventType),
      h('div', { class: 'muted small' }, delivery.eventType),
    ),
    h('td', { 'data-label': 'Status' }, statusCell, next),
    h('td', { 'data-label': 'Response', class: 'num', 'data-field': 'status-code' }, responseText(last)),
    h('td', { 'data-label': 'Latency', class: 'num', 'data-field': 'latency' }, latencyText(last)),
    h('td', { 'data-label': 'Attempts', 'data-field': 'attempts' }, attemptsDetails(delivery.attempts)),
    h('td', { 'data-label': 'Error', class: 'delivery-error', 'data-field': 'error' }, last?.error ?? ''),
    h('td', { 'data-label': '' }, button),
  );
}

/** "3 attempts", opening to each attempt's time, response, latency and error (the receiver's view of the retries). */
function attemptsDetails(attempts: readonly WebhookAttempt[]): Node | string {
  if (attempts.length === 0) return 'none yet';
  return h(
    'details',
    { class: 'attempts' },
    h('summary', {}, attempts.length === 1 ? '1 attempt' : `${attempts.length} attempts`),
    h(
      'ol',
      {},
      ...attempts.map((a) =>
        h(
          'li',
          { 'data-attempt-status': a.error ? 'failed' : 'succeeded' },
          h('time', { datetime: a.at }, dateTime(a.at)),
          ` · ${responseText(a)} · ${latencyText(a)}`,
          a.manual ? ' · manual' : '',
          a.error ? h('div', { class: 'delivery-error small' }, a.error) : null,
        ),
      ),
    ),
  );
}
