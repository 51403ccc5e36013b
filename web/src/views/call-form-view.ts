// "Call a driver": driver, phone and triggers → POST /driver_data/call-elevenlabs, with the API's errors inline.
import type { TriggerType } from '../../../core/domain/call.ts';
import type { TriggerCallRequest } from '../../../core/protocol/rest-api.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { h } from '../dom.ts';
import { fieldErrorsFrom, type FieldErrors } from '../field-errors.ts';
import { href } from '../router.ts';

/** The API's limit on triggers per call; the form stops offering more rows there. */
const MAX_TRIGGERS = 10;

export interface CallFormDeps {
  api: ApiClient;
  /** Called with the new call's id once the API accepted it. */
  created(callId: string): void;
}

export function renderCallFormView(root: HTMLElement, deps: CallFormDeps): () => void {
  // One key per filled-in form: a double submit or a retry after a timeout never dials twice.
  let idempotencyKey = crypto.randomUUID();
  const formError = h('div', { id: 'form-error', class: 'form-error', role: 'alert', tabindex: -1 });
  const driverId = input('driverId', 'Driver ID', { autocomplete: 'off' });
  const driverName = input('driverName', 'Driver name', { autocomplete: 'off' });
  const phone = input(
    'phoneNumber',
    'Phone number',
    { type: 'tel', autocomplete: 'off', placeholder: '+15551234567' },
    'International format, starting with + and the country code.',
  );
  const timezone = input('timezone', 'Driver time zone (optional)', {
    autocomplete: 'off',
    placeholder: 'America/Chicago',
  });
  const triggers = h('ol', { class: 'trigger-rows', id: 'trigger-rows' });
  const triggersError = h('p', {
    class: 'field-error',
    id: 'violations-error',
    'data-error-for': 'violations',
  });
  const addButton = h(
    'button',
    { type: 'button', class: 'button-quiet', id: 'add-trigger' },
    '+ Add trigger',
  );
  const submit = h('button', { type: 'submit', class: 'button-primary' }, 'Call driver');
  const form = h(
    'form',
    { class: 'card call-form', novalidate: true, 'aria-labelledby': 'form-title' },
    h('h1', { id: 'form-title' }, 'Call a driver'),
    formError,
    h('div', { class: 'field-row' }, driverId.wrap, driverName.wrap),
    h('div', { class: 'field-row' }, phone.wrap, timezone.wrap),
    h(
      'fieldset',
      { class: 'triggers-fieldset', 'aria-describedby': 'violations-error' },
      h('legend', {}, 'Violations and reminders'),
      triggers,
      triggersError,
      addButton,
    ),
    h('div', { class: 'form-actions' }, submit, h('a', { href: href({ name: 'board' }) }, 'Cancel')),
  );
  const addRow = (type: TriggerType = 'violation', description = '') => {
    const index = triggers.children.length;
    triggers.append(triggerRow(index, type, description, () => renumber()));
    addButton.disabled = triggers.children.length >= MAX_TRIGGERS;
  };
  const renumber = () => {
    [...triggers.children].forEach((row, i) => relabelRow(row as HTMLElement, i));
    addButton.disabled = triggers.children.length >= MAX_TRIGGERS;
  };
  addButton.addEventListener('click', () => {
    addRow();
    triggers.querySelector<HTMLTextAreaElement>('li:last-child textarea')?.focus();
  });
  form.addEventListener('input', () => (idempotencyKey = crypto.randomUUID()));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    const request: TriggerCallRequest = {
      driverId: driverId.control.value.trim(),
      driverName: driverName.control.value.trim(),
      phoneNumber: phone.control.value.replace(/[\s()-]/g, ''),
      violations: [...triggers.children].map((row) => ({
        type: (row.querySelector('select')?.value ?? 'violation') as TriggerType,
        description: row.querySelector('textarea')?.value.trim() ?? '',
      })),
      ...(timezone.control.value.trim() ? { timezone: timezone.control.value.trim() } : {}),
    };
    submit.disabled = true;
    submit.textContent = 'Calling…';
    deps.api
      .triggerCall(request, idempotencyKey)
      .then((created) => deps.created(created.callId))
      .catch((err: unknown) => showErrors(form, formError, err))
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Call driver';
      });
  });
  addRow();
  root.replaceChildren(h('section', { class: 'page' }, form));
  driverId.control.focus();
  return () => {};
}

function input(name: string, label: string, attrs: Record<string, string>, hint?: string) {
  const errorId = `${name}-error`;
  const hintId = hint ? `${name}-hint` : undefined;
  const control = h('input', {
    id: name,
    name,
    ...attrs,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
  });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: name }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, 'data-error-for': name }),
  );
  return { control, wrap };
}

function triggerRow(
  index: number,
  type: TriggerType,
  description: string,
  removed: () => void,
): HTMLLIElement {
  const select = h(
    'select',
    {},
    h('option', { value: 'violation' }, 'Violation'),
    h('option', { value: 'reminder' }, 'Reminder'),
  );
  select.value = type;
  const text = h('textarea', { rows: 2 });
  text.value = description;
  const remove = h('button', { type: 'button', class: 'button-quiet remove-trigger' }, 'Remove');
  const row = h(
    'li',
    { class: 'trigger-row' },
    h('div', { class: 'field field-type' }, h('label', {}, 'Type'), select),
    h(
      'div',
      { class: 'field field-description' },
      h('label', {}, 'Description'),
      text,
      h('p', { class: 'field-error' }),
    ),
    remove,
  );
  remove.addEventListener('click', () => {
    const list = row.parentElement;
    const next = (row.nextElementSibling ?? row.previousElementSibling) as HTMLElement | null;
    row.remove();
    removed();
    (
      next?.querySelector('textarea') ?? list?.parentElement?.querySelector<HTMLElement>('#add-trigger')
    )?.focus();
  });
  relabelRow(row, index);
  return row;
}

function relabelRow(row: HTMLElement, index: number): void {
  const n = index + 1;
  const [typeLabel, descLabel] = row.querySelectorAll('label');
  const select = row.querySelector('select');
  const text = row.querySelector('textarea');
  const error = row.querySelector<HTMLElement>('.field-error');
  const remove = row.querySelector('button');
  if (!typeLabel || !descLabel || !select || !text || !error || !remove) return;
  select.id = `violations-${index}-type`;
  text.id = `violations-${index}-description`;
  error.id = `violations-${index}-error`;
  error.dataset.errorFor = `violations.${index}`;
  typeLabel.htmlFor = select.id;
  descLabel.htmlFor = text.id;
  typeLabel.textContent = `Type of trigger ${n}`;
  descLabel.textContent = `Description of trigger ${n}`;
  text.setAttribute('aria-describedby', error.id);
  remove.setAttribute('aria-label', `Remove trigger ${n}`);
}

function clearErrors(form: HTMLFormElement): void {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showErrors(form: HTMLFormElement, formError: HTMLElement, err: unknown): void {
  if (!(err instanceof ApiError)) {
    formError.textContent = 'The call could not be started. Try again.';
    return;
  }
  const errors: FieldErrors =
    err.code === 'validation_failed' || err.status === 400 || err.status === 422
      ? fieldErrorsFrom(err.details)
      : new Map();
  let first: HTMLElement | undefined;
  const unplaced: string[] = [];
  for (const [path, message] of errors) {
    const target = errorSlot(form, path);
    if (!target) {
      unplaced.push(path ? `${path}: ${message}` : message);
      continue;
    }
    target.slot.textContent = message;
    target.control?.setAttribute('aria-invalid', 'true');
    first ??= target.control ?? target.slot;
  }
  const headline = errors.size ? 'Please fix the highlighted fields.' : err.message;
  formError.textContent = [headline, ...unplaced].join(' ');
  (first ?? formError).focus?.();
  if (!first) formError.scrollIntoView({ block: 'nearest' });
}

/** The error slot for a field path: exact field, a trigger row (`violations.1.description` → row 1), or the list. */
function errorSlot(
  form: HTMLFormElement,
  path: string,
): { slot: HTMLElement; control?: HTMLElement } | undefined {
  const parts = path.split('.');
  const top = parts[0] ?? '';
  if (top === 'violations') {
    const index = parts[1];
    const row =
      index !== undefined && /^\d+$/.test(index)
        ? form.querySelector<HTMLElement>(`[data-error-for="violations.${index}"]`)
        : null;
    if (row)
      return {
        slot: row,
        control: form.querySelector<HTMLElement>(`#violations-${index}-description`) ?? row,
      };
    const list = form.querySelector<HTMLElement>('[data-error-for="violations"]');
    return list
      ? { slot: list, control: form.querySelector<HTMLElement>('#add-trigger') ?? list }
      : undefined;
  }
  const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(top)}"]`);
  if (!slot) return undefined;
  return { slot, control: form.querySelector<HTMLElement>(`#${CSS.escape(top)}`) ?? slot };
}
