// Keeps the tab signed in: refreshes the token silently before it expires (token-refresh.ts) and hands it to the
// relay in-band; only when the API refuses (session too old) does a banner offer the password dialog (no page change,
// the live stream stays open). At expiry, returns to the sign-in page.
import { ApiError, type ApiClient } from './api-client.ts';
import { h } from './dom.ts';
import type { SessionStore } from './session.ts';
import { createTokenRefresher, type PasswordReason } from './token-refresh.ts';

export interface RenewalDeps {
  api: ApiClient;
  session: SessionStore;
  banner: HTMLElement;
  /** A fresh token was stored (by a refresh or the password dialog). */
  renewed(token: string): void;
  /** The token expired without renewal. */
  expired(): void;
}

export function watchSessionExpiry(deps: RenewalDeps): () => void {
  let expireTimer: number | undefined;
  const refresher = createTokenRefresher({
    current: () => deps.session.get(),
    refresh: (token) => deps.api.refresh(token),
    store: (token) => {
      deps.session.set(token, deps.session.get()?.email);
      deps.renewed(token);
    },
    needsPassword: (reason) => {
      const current = deps.session.get();
      if (current) showBanner(deps, current.expiresAt, reason);
    },
  });
  const schedule = () => {
    window.clearTimeout(expireTimer);
    hideBanner(deps.banner);
    refresher.reschedule();
    const current = deps.session.get();
    if (!current) return;
    expireTimer = window.setTimeout(
      () => {
        hideBanner(deps.banner);
        deps.session.clear();
        deps.expired();
      },
      Math.max(0, current.expiresAt - Date.now()),
    );
  };
  schedule();
  const off = deps.session.onChange(schedule);
  return () => {
    off();
    refresher.stop();
    window.clearTimeout(expireTimer);
    hideBanner(deps.banner);
  };
}

function showBanner(deps: RenewalDeps, expiresAt: number, reason: PasswordReason): void {
  const at = new Date(expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const why =
    reason === 'refused' ? 'Your session could not be renewed' : 'Your session reached its maximum length';
  const button = h('button', { type: 'button', class: 'button-primary' }, 'Stay signed in');
  button.addEventListener('click', () => openDialog(deps));
  deps.banner.replaceChildren(h('span', {}, `${why} and ends at ${at}. `), button);
  deps.banner.hidden = false;
}

function hideBanner(banner: HTMLElement): void {
  banner.hidden = true;
  banner.replaceChildren();
}

function openDialog(deps: RenewalDeps): void {
  const error = h('p', { class: 'form-error', role: 'alert', id: 'renew-error' });
  const email = h('input', {
    id: 'renew-email',
    type: 'email',
    autocomplete: 'username',
    'aria-describedby': 'renew-error',
  });
  const password = h('input', {
    id: 'renew-password',
    type: 'password',
    autocomplete: 'current-password',
    'aria-describedby': 'renew-error',
  });
  const cancel = h('button', { type: 'button', class: 'button-quiet' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: 'renew-title' }, 'Stay signed in'),
    h('p', {}, 'Enter your password to continue without interrupting the live view.'),
    h('div', { class: 'field' }, h('label', { for: 'renew-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'renew-password' }, 'Password'), password),
    error,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'button-primary' }, 'Continue'),
      cancel,
    ),
  );
  const dialog = h('dialog', { 'aria-labelledby': 'renew-title', class: 'card' }, form);
  document.body.append(dialog);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', close);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    deps.api
      .login(email.value.trim(), password.value)
      .then((result) => {
        deps.session.set(result.token, email.value.trim());
        deps.renewed(result.token);
        close();
      })
      .catch((err: unknown) => {
        error.textContent =
          err instanceof ApiError && err.status === 401
            ? 'Wrong email or password.'
            : err instanceof Error
              ? err.message
              : 'Sign-in failed.';
      });
  });
  dialog.showModal();
  email.focus();
}
