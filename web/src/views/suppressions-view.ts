// Suppressions: numbers the org never dials — list, add (E.164 checked here and by the API), remove with confirmation.
import { E164_PATTERN } from '../../../core/domain/phone-number.ts';
import type { Suppression, SuppressionReason } from '../../../core/domain/suppression.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { confirmDialog } from '../confirm-dialog.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { fieldErrorsFrom } from '../field-errors.ts';
import { href } from '../router.ts';

const REASON_LABELS: Record<SuppressionReason, string> = {
  opt_out: 'Driver opted out',
  manual: 'Added by a dispatcher',
};

export function renderSuppressionsView(root: HTMLElement, deps: { api: ApiClient }): () => void {
  let stopped = false;
  let cursor: string | undefined;
  const body = h('tbody');
  const status = h('p', { class: 'empty', role: 'status' }, 'Loading…');
  const problem = h('p', { class: 'form-error', role: 'alert', id: 'suppressions-error' });
  const more = h('button', { type: 'button', class: 'button-quiet', hidden: true }, 'Load more');
  const table = h(
    'table',
    { class: 'board', id: 'suppressions', 'aria-describedby': 'suppressions-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Phone number'),
        h('th', { scope: 'col' }, 'Why'),
        h('th', { scope: 'col' }, 'Added'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  const phone = h('input', {
    id: 'suppress-phone',
    type: 'tel',
    autocomplete: 'off',
    placeholder: '+15551234567',
    'aria-describedby': 'suppress-phone-error',
  });
  const note = h('input', { id: 'suppress-note', autocomplete: 'off', maxlength: 500 });
  const phoneError = h('p', { class: 'field-error', id: 'suppress-phone-error' });
  const addButton = h('button', { type: 'submit', class: 'button-primary' }, 'Add number');
  const form = h(
    'form',
    { class: 'card suppress-form', novalidate: true, 'aria-labelledby': 'suppress-title' },
    h('h2', { id: 'suppress-title' }, 'Never call a number'),
    h(
      'div',
      { class: 'field-row' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'suppress-phone' }, 'Phone number (E.164)'),
        phone,
        phoneError,
      ),
      h('div', { class: 'field' }, h('label', { for: 'suppress-note' }, 'Note (optional)'), note),
    ),
    addButton,
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', { id: 'suppressions-title' }, 'Suppressed numbers')),
      h(
        'p',
        { class: 'hint' },
        'Campaigns mark these drivers "suppressed" and never dial them; single calls to them are refused. Drivers who ask not to be called are added automatically.',
      ),
      form,
      problem,
      status,
      h('div', { class: 'table-wrap' }, table),
      more,
    ),
  );

  const refreshEmpty = () => {
    table.hidden = body.children.length === 0;
    status.hidden = body.children.length > 0;
    status.textContent = 'No suppressed numbers.';
  };
  const rowFor = (s: Suppression): HTMLTableRowElement => {
    const remove = h(
      'button',
      { type: 'button', class: 'button-quiet remove-suppression', 'aria-label': `Remove ${s.phoneNumber}` },
      'Remove',
    );
    const tr = h(
      'tr',
      { 'data-suppression-id': s.suppressionId, 'data-phone': s.phoneNumber },
      h('td', { 'data-label': 'Phone number' }, h('span', { class: 'phone' }, s.phoneNumber)),
      h(
        'td',
        { 'data-label': 'Why' },
        REASON_LABELS[s.reason] ?? s.reason,
        s.note ? h('div', { class: 'muted small' }, s.note) : null,
        s.callId
          ? h(
              'div',
              { class: 'small' },
              h('a', { href: href({ name: 'call', callId: s.callId }) }, 'The call'),
            )
          : null,
      ),
      h('td', { 'data-label': 'Added' }, h('time', { datetime: s.createdAt }, dateTime(s.createdAt))),
      h('td', { 'data-label': '' }, remove),
    );
    remove.addEventListener('click', () => {
      void (async () => {
        const ok = await confirmDialog({
          title: 'Remove this number?',
          message: `${s.phoneNumber} can then be called again, by campaigns and single calls.`,
          confirm: 'Remove',
          decline: 'Keep it suppressed',
        });
        if (!ok) return;
        remove.disabled = true;
        problem.textContent = '';
        try {
          await deps.api.removeSuppression(s.suppressionId);
          tr.remove();
          refreshEmpty();
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) {
            tr.remove();
            refreshEmpty();
            return;
          }
          problem.textContent = err instanceof Error ? err.message : 'The number could not be removed.';
          remove.disabled = false;
        }
      })();
    });
    return tr;
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    phoneError.textContent = '';
    phone.removeAttribute('aria-invalid');
    problem.textContent = '';
    const number = phone.value.replace(/[\s()-]/g, '');
    if (!E164_PATTERN.test(number)) {
      phoneError.textContent = 'Enter the number in E.164, such as +15551234567.';
      phone.setAttribute('aria-invalid', 'true');
      phone.focus();
      return;
    }
    addButton.disabled = true;
    deps.api
      .addSuppression(number, note.value.trim() || undefined)
      .then((added) => {
        body.querySelector(`tr[data-suppression-id="${CSS.escape(added.suppressionId)}"]`)?.remove();
        body.prepend(rowFor(added));
        refreshEmpty();
        phone.value = '';
        note.value = '';
        phone.focus();
      })
      .catch((err: unknown) => {
        const fields = err instanceof ApiError ? fieldErrorsFrom(err.details) : new Map<string, string>();
        const message = fields.get('phoneNumber');
        if (message) {
          phoneError.textContent = message;
          phone.setAttribute('aria-invalid', 'true');
          return;
        }
        problem.textContent = err instanceof Error ? err.message : 'The number could not be added.';
      })
      .finally(() => (addButton.disabled = false));
  });

  const load = () => {
    more.disabled = true;
    deps.api
      .listSuppressions(cursor)
      .then((page) => {
        if (stopped) return;
        body.append(...page.suppressions.map(rowFor));
        cursor = page.nextCursor;
        more.hidden = !cursor;
        refreshEmpty();
      })
      .catch((err: unknown) => {
        if (stopped) return;
        status.hidden = true;
        problem.textContent =
          err instanceof Error ? err.message : 'The suppression list could not be loaded.';
      })
      .finally(() => (more.disabled = false));
  };
  more.addEventListener('click', load);
  load();
  return () => {
    stopped = true;
  };
}
