// Integrations: the org's outbound webhook endpoints (admins only), and the form that adds one (its secret shown once).
import { WEBHOOK_EVENT_TYPES, type PublicWebhookEndpoint } from '../../../core/domain/webhook.ts';
import type { CreateWebhookEndpointRequest } from '../../../core/protocol/rest-api.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { h } from '../dom.ts';
import { fieldErrorsFrom } from '../field-errors.ts';
import { dateTime } from '../format.ts';
import { href } from '../router.ts';
import { secretReveal } from '../secret-reveal.ts';
import { endpointStatusText, eventHint, eventLabel } from '../webhook-labels.ts';

export interface IntegrationsViewDeps {
  api: ApiClient;
  /** The signed-in role: only admins manage endpoints (the API answers 403 to anyone else). */
  role: string;
}

export function renderIntegrationsView(root: HTMLElement, deps: IntegrationsViewDeps): () => void {
  if (deps.role !== 'admin') {
    root.replaceChildren(adminsOnly());
    return () => {};
  }
  let closed = false;
  const status = h('p', { id: 'endpoints-status', class: 'empty', role: 'status' }, 'Loading endpoints…');
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'board', id: 'endpoints', 'aria-labelledby': 'endpoints-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Endpoint'),
        h('th', { scope: 'col' }, 'Events'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Created'),
      ),
    ),
    body,
  );
  const secretSlot = h('div', { id: 'secret-slot' });
  const addButton = h(
    'button',
    {
      type: 'button',
      id: 'add-endpoint',
      class: 'button-primary',
      'aria-expanded': 'false',
      'aria-controls': 'endpoint-form',
    },
    'Add endpoint',
  );
  const form = endpointForm({
    api: deps.api,
    created: (endpoint, secret) => {
      if (closed) return;
      hideForm();
      secretSlot.replaceChildren(
        secretReveal({
          secret,
          url: endpoint.url,
          dismissed: () => {
            secretSlot.replaceChildren();
            addButton.focus();
          },
        }),
      );
      secretSlot.querySelector<HTMLElement>('#secret-reveal')?.focus();
      void load();
    },
    cancelled: () => {
      hideForm();
      addButton.focus();
    },
  });
  const showForm = () => {
    form.element.hidden = false;
    addButton.setAttribute('aria-expanded', 'true');
    form.focus();
  };
  const hideForm = () => {
    form.element.hidden = true;
    form.reset();
    addButton.setAttribute('aria-expanded', 'false');
  };
  addButton.addEventListener('click', () => (form.element.hidden ? showForm() : hideForm()));
  form.element.hidden = true;

  const load = async () => {
    try {
      const { endpoints } = await deps.api.webhooks.list();
      if (closed) return;
      body.replaceChildren(...endpoints.map(endpointRow));
      table.hidden = endpoints.length === 0;
      status.hidden = endpoints.length > 0;
      status.textContent =
        'No endpoints yet. Add one to push call and campaign outcomes into your own systems.';
    } catch (err) {
      if (closed) return;
      status.hidden = false;
      status.textContent = errorText(err, 'The endpoints could not be loaded.');
    }
  };

  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', { id: 'integrations-title' }, 'Integrations'), addButton),
      h(
        'p',
        { class: 'muted intro' },
        'callrelay sends signed webhooks (Standard Webhooks) to your systems when calls and campaigns finish. ',
        'Each event is retried until your endpoint accepts it, and every attempt is listed here.',
      ),
      secretSlot,
      form.element,
      h('h2', { id: 'endpoints-title' }, 'Endpoints'),
      status,
      h('div', { class: 'table-wrap' }, table),
    ),
  );
  void load();
  return () => {
    closed = true;
  };
}

function endpointRow(endpoint: PublicWebhookEndpoint): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-endpoint-id': endpoint.id, 'data-status': endpoint.status },
    h(
      'td',
      { 'data-label': 'Endpoint' },
      h(
        'a',
        { href: href({ name: 'webhook-endpoint', endpointId: endpoint.id }), class: 'endpoint-url' },
        endpoint.url,
      ),
      endpoint.description ? h('div', { class: 'muted small' }, endpoint.description) : null,
    ),
    h('td', { 'data-label': 'Events' }, endpoint.events.map(eventLabel).join(', ')),
    h('td', { 'data-label': 'Status' }, endpointBadge(endpoint)),
    h(
      'td',
      { 'data-label': 'Created' },
      h('time', { datetime: endpoint.createdAt }, dateTime(endpoint.createdAt)),
    ),
  );
}

/** The status as a badge, the disable reason spelled out next to it (colour is never the only signal). */
export function endpointBadge(endpoint: PublicWebhookEndpoint): HTMLElement {
  return h(
    'span',
    { class: 'endpoint-status' },
    h(
      'span',
      { class: `badge badge-endpoint-${endpoint.status}`, 'data-status': endpoint.status },
      endpoint.status === 'active' ? 'Active' : 'Disabled',
    ),
    endpoint.status === 'disabled'
      ? h(
          'span',
          { class: 'small disabled-reason' },
          ` ${endpointStatusText(endpoint).replace(/^Disabled:?\s*/, '')}`,
        )
      : null,
  );
}

interface EndpointFormDeps {
  api: ApiClient;
  created(endpoint: PublicWebhookEndpoint, secret: string): void;
  cancelled(): void;
}

/** The add-endpoint form: URL, event checkboxes, description, phone-number opt-in; API errors next to their fields. */
function endpointForm(deps: EndpointFormDeps) {
  const formError = h('div', { id: 'endpoint-form-error', class: 'form-error', role: 'alert', tabindex: -1 });
  const url = h('input', {
    id: 'webhook-url',
    name: 'url',
    type: 'url',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'https://tms.example.com/hooks/callrelay',
    'aria-describedby': 'webhook-url-hint url-error',
  });
  const description = h('input', {
    id: 'webhook-description',
    name: 'description',
    autocomplete: 'off',
    'aria-describedby': 'description-error',
  });
  const phones = h('input', { id: 'webhook-phones', name: 'includePhoneNumbers', type: 'checkbox' });
  const boxes = WEBHOOK_EVENT_TYPES.map((type) => {
    const id = `event-${type.replace(/\W/g, '-')}`;
    const box = h('input', { type: 'checkbox', id, name: 'events', value: type, checked: true });
    return {
      type,
      box,
      row: h(
        'div',
        { class: 'check-row' },
        box,
        h(
          'label',
          { for: id },
          h('span', { class: 'check-label' }, eventLabel(type)),
          h('span', { class: 'muted small' }, ` ${type} · ${eventHint(type)}`),
        ),
      ),
    };
  });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, 'Add endpoint');
  const element = h(
    'form',
    {
      id: 'endpoint-form',
      class: 'card endpoint-form',
      novalidate: true,
      'aria-labelledby': 'endpoint-form-title',
    },
    h('h2', { id: 'endpoint-form-title' }, 'Add an endpoint'),
    formError,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'webhook-url' }, 'Endpoint URL'),
      url,
      h(
        'p',
        { class: 'hint', id: 'webhook-url-hint' },
        'An https URL on the public internet that accepts POST requests.',
      ),
      h('p', { class: 'field-error', id: 'url-error', 'data-error-for': 'url' }),
    ),
    h(
      'fieldset',
      { class: 'events-fieldset', 'aria-describedby': 'events-error' },
      h('legend', {}, 'Events to send'),
      ...boxes.map((b) => b.row),
      h('p', { class: 'field-error', id: 'events-error', 'data-error-for': 'events' }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'webhook-description' }, 'Description (optional)'),
      description,
      h('p', { class: 'field-error', id: 'description-error', 'data-error-for': 'description' }),
    ),
    h(
      'div',
      { class: 'check-row' },
      phones,
      h(
        'label',
        { for: 'webhook-phones' },
        h('span', { class: 'check-label' }, 'Include drivers’ phone numbers'),
        h(
          'span',
          { class: 'muted small' },
          ' Off by default: events then identify drivers by ID and name only.',
        ),
      ),
    ),
    h('p', { class: 'field-error', 'data-error-for': 'includePhoneNumbers' }),
    h(
      'div',
      { class: 'form-actions' },
      submit,
      h('button', { type: 'button', class: 'button-quiet', onclick: () => deps.cancelled() }, 'Cancel'),
    ),
  );
  element.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(element);
    const request: CreateWebhookEndpointRequest = {
      url: url.value.trim(),
      events: boxes.filter((b) => b.box.checked).map((b) => b.type),
      ...(description.value.trim() ? { description: description.value.trim() } : {}),
      ...(phones.checked ? { includePhoneNumbers: true } : {}),
    };
    submit.disabled = true;
    submit.textContent = 'Adding…';
    deps.api.webhooks
      .create(request)
      .then(({ secret, ...endpoint }) => deps.created(endpoint, secret))
      .catch((err: unknown) => showErrors(element, formError, err))
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Add endpoint';
      });
  });
  return {
    element,
    focus: () => url.focus(),
    reset: () => {
      element.reset();
      clearErrors(element);
    },
  };
}

function clearErrors(form: HTMLFormElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Field errors next to their fields (a refused URL under the URL); anything else above the form. */
function showErrors(form: HTMLFormElement, formError: HTMLElement, err: unknown): void {
  if (!(err instanceof ApiError)) {
    formError.textContent = 'The endpoint could not be added. Try again.';
    formError.focus();
    return;
  }
  const errors =
    err.code === 'unsafe_webhook_url'
      ? new Map([['url', err.message]])
      : err.code === 'validation_failed'
        ? fieldErrorsFrom(err.details)
        : new Map<string, string>();
  let first: HTMLElement | undefined;
  const unplaced: string[] = [];
  for (const [path, message] of errors) {
    const top = path.split('.')[0] ?? '';
    const slot = top ? form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(top)}"]`) : null;
    if (!slot) {
      unplaced.push(path ? `${path}: ${message}` : message);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    const control =
      top === 'events'
        ? form.querySelector<HTMLElement>('input[name="events"]')
        : form.querySelector<HTMLElement>(`[name="${CSS.escape(top)}"]`);
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? slot;
  }
  formError.textContent = [
    errors.size && !unplaced.length ? 'Please fix the highlighted fields.' : errors.size ? '' : err.message,
    ...unplaced,
  ]
    .filter(Boolean)
    .join(' ');
  (first ?? formError).focus();
}

/** The page a dispatcher reaching `#/integrations` sees: what it is and who can change it, no API call. */
export function adminsOnly(): HTMLElement {
  return h(
    'section',
    { class: 'page' },
    h('h1', { id: 'integrations-title' }, 'Integrations'),
    h(
      'p',
      { class: 'empty', id: 'admins-only' },
      'Webhook endpoints are managed by admins of your organisation. Ask an admin to add or change one.',
    ),
  );
}

/** The API's words for a failure, or `fallback` for something that is not an API answer. */
export function errorText(err: unknown, fallback: string): string {
  if (err instanceof ApiError)
    return err.status === 403 ? 'Only admins can manage webhook endpoints.' : err.message;
  return fallback;
}
