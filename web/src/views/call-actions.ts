// "Take over" and "End call" on a live call: each asks for confirmation, then calls the API; errors shown in place.
import type { Call } from '../../../core/domain/call.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { h, replaceChildren } from '../dom.ts';

/** E.164, as the API checks it (the API has the last word). */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Renders the two buttons for `call` into `container`: enabled only while the call is in progress (take over also
 * only once). The live stream then shows the outcome (timeline step, dispatcher lines), so nothing else updates here.
 */
export function renderCallActions(container: HTMLElement, api: ApiClient, call: Call | undefined): void {
  const live = call?.status === 'in-progress';
  const takeover = h(
    'button',
    { type: 'button', class: 'button-primary', id: 'takeover-button', disabled: !live || !!call?.takenOver },
    call?.takenOver ? 'Taken over' : 'Take over',
  );
  const end = h(
    'button',
    { type: 'button', class: 'button-quiet', id: 'end-call-button', disabled: !live || !!call?.endRequested },
    call?.endRequested ? 'Ending…' : 'End call',
  );
  if (call) {
    takeover.addEventListener('click', () => confirmTakeover(api, call.callId));
    end.addEventListener('click', () => confirmEnd(api, call.callId));
  }
  replaceChildren(container, takeover, ' ', end);
}

function confirmTakeover(api: ApiClient, callId: string): void {
  const phone = h('input', {
    id: 'takeover-phone',
    type: 'tel',
    autocomplete: 'tel',
    placeholder: '+15551234567',
    'aria-describedby': 'takeover-hint takeover-error',
  });
  openDialog({
    id: 'takeover',
    title: 'Take over this call?',
    body: [
      h(
        'p',
        {},
        'The driver hears a short notice, then the call rings your phone and the agent leaves the call.',
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'takeover-phone' }, 'Your phone number'),
        phone,
        h('p', { class: 'muted', id: 'takeover-hint' }, 'Leave empty to use the number on your profile.'),
      ),
    ],
    confirm: 'Connect me',
    focus: phone,
    run: () => {
      const number = phone.value.replace(/[\s()-]/g, '');
      if (number && !E164.test(number)) throw new ApiError('invalid', 'Enter the number as +15551234567.', 0);
      return api.takeOverCall(callId, number || undefined);
    },
  });
}

function confirmEnd(api: ApiClient, callId: string): void {
  openDialog({
    id: 'end-call',
    title: 'End this call?',
    body: [h('p', {}, 'The driver hears a short goodbye, then the call hangs up.')],
    confirm: 'End call',
    run: () => api.endCall(callId),
  });
}

interface DialogSpec {
  id: string;
  title: string;
  body: HTMLElement[];
  confirm: string;
  focus?: HTMLElement;
  run(): Promise<unknown>;
}

/** A modal confirmation; closes on success, shows the API's message on failure. */
function openDialog(spec: DialogSpec): void {
  const error = h('p', { class: 'form-error', id: `${spec.id}-error`, role: 'alert' });
  const submit = h(
    'button',
    { type: 'submit', class: 'button-primary', id: `${spec.id}-confirm` },
    spec.confirm,
  );
  const cancel = h('button', { type: 'button', class: 'button-quiet' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: `${spec.id}-title` }, spec.title),
    ...spec.body,
    error,
    h('div', { class: 'form-actions' }, submit, cancel),
  );
  const dialog = h(
    'dialog',
    { 'aria-labelledby': `${spec.id}-title`, class: 'card', id: `${spec.id}-dialog` },
    form,
  );
  document.body.append(dialog);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', close);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    Promise.resolve()
      .then(() => spec.run())
      .then(close)
      .catch((err: unknown) => {
        submit.disabled = false;
        error.textContent = err instanceof Error ? err.message : 'The request failed.';
      });
  });
  dialog.showModal();
  (spec.focus ?? submit).focus();
}
