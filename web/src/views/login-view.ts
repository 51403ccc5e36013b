// Sign-in form: email + password → token for this tab; failures shown in words next to the form.
import { ApiError, type ApiClient } from '../api-client.ts';
import { h } from '../dom.ts';
import type { SessionStore } from '../session.ts';

export interface LoginViewDeps {
  api: ApiClient;
  session: SessionStore;
  /** Called once signed in. */
  done(): void;
  /** Shown above the form (e.g. "Your session expired"). */
  notice?: string;
}

export function renderLoginView(root: HTMLElement, deps: LoginViewDeps): () => void {
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert' });
  const email = h('input', {
    id: 'login-email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    'aria-describedby': 'login-error',
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'login-error',
  });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card login-card', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Sign in to dispatch'),
    deps.notice ? h('p', { class: 'notice', role: 'status' }, deps.notice) : null,
    h('div', { class: 'field' }, h('label', { for: 'login-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!email.value.trim() || !password.value) {
      error.textContent = 'Enter your email and password.';
      (email.value.trim() ? password : email).focus();
      return;
    }
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    deps.api
      .login(email.value.trim(), password.value)
      .then((result) => {
        deps.session.set(result.token, email.value.trim());
        deps.done();
      })
      .catch((err: unknown) => {
        error.textContent = loginErrorText(err);
        password.value = '';
        password.focus();
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Sign in';
      });
  });
  root.replaceChildren(h('section', { class: 'login-page' }, form));
  email.focus();
  return () => {};
}

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'invalid_credentials' || err.status === 401) return 'Wrong email or password.';
    if (err.code === 'rate_limited' || err.status === 429)
      return 'Too many failed attempts. Wait a minute and try again.';
    if (err.code === 'validation_failed' || err.status === 400 || err.status === 422)
      return 'Enter a valid email and password.';
    return err.message;
  }
  if (err instanceof TypeError) return 'The server answered with a token the dashboard cannot read.';
  return 'Signing in failed. Try again.';
}
