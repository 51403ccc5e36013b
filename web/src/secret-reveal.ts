// A webhook signing secret shown the one time the API returns it: copy button, and a plain "you will not see it again".
import { h } from './dom.ts';
import { dateTime } from './format.ts';

export interface SecretRevealOptions {
  /** `whsec_…` from the create or rotate answer. */
  secret: string;
  /** The endpoint the secret signs for (shown, so an admin with several endpoints knows which it is). */
  url: string;
  /** After a rotation: until when the previous secret keeps signing alongside this one. */
  previousSecretExpiresAt?: string;
  /** The admin confirmed it is saved: the caller removes the panel, and with it the only copy in the page. */
  dismissed(): void;
}

/** The panel; focus it after inserting so screen readers announce the warning first. */
export function secretReveal(options: SecretRevealOptions): HTMLElement {
  const value = h('input', {
    id: 'secret-value',
    class: 'secret-value',
    readonly: true,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': 'Signing secret',
    value: options.secret,
  });
  const copyStatus = h('span', { id: 'copy-status', class: 'muted small', role: 'status' });
  const copy = h('button', { type: 'button', id: 'copy-secret', class: 'button-quiet' }, 'Copy');
  copy.addEventListener('click', () => {
    copySecret(value).then(
      () => (copyStatus.textContent = 'Copied to the clipboard.'),
      () => (copyStatus.textContent = 'Copying failed: the secret is selected, copy it with Ctrl+C or ⌘C.'),
    );
  });
  value.addEventListener('focus', () => value.select());
  const expires = options.previousSecretExpiresAt;
  const panel = h(
    'section',
    {
      id: 'secret-reveal',
      class: 'card secret-reveal',
      tabindex: -1,
      'aria-labelledby': 'secret-title',
    },
    h('h2', { id: 'secret-title' }, expires ? 'New signing secret' : 'Signing secret'),
    h('p', { class: 'muted small secret-url' }, options.url),
    h(
      'p',
      { class: 'notice', id: 'secret-warning' },
      h('strong', {}, 'Copy this secret now: you will not see it again. '),
      'Your receiver verifies the webhook-signature header of each delivery with it (Standard Webhooks).',
    ),
    h('div', { class: 'secret-row' }, value, copy),
    copyStatus,
    expires
      ? h(
          'p',
          { id: 'previous-secret-note' },
          'The previous secret also signs every delivery until ',
          h('time', { datetime: expires }, fullDateTime(expires)),
          '. Switch your receiver to the new secret before then.',
        )
      : null,
    h(
      'div',
      { class: 'form-actions' },
      h(
        'button',
        { type: 'button', id: 'secret-done', class: 'button-primary', onclick: () => options.dismissed() },
        'I have saved it',
      ),
    ),
  );
  return panel;
}

async function copySecret(input: HTMLInputElement): Promise<void> {
  input.focus();
  input.select();
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(input.value);
    return;
  }
  // Older browsers or an insecure origin: the selection is there for a manual copy.
  throw new Error('clipboard unavailable');
}

/** With the date even for today: "until 14:05" alone is ambiguous for a 24-hour grace period. */
function fullDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return dateTime(iso);
  return date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
