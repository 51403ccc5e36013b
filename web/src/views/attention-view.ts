// Attention: what needs a human (not acknowledged, escalation, opted out, unreachable), resolved with a note.
import { ATTENTION_LIMITS, type AttentionItem } from '../../../core/domain/attention.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { age, attentionReasonLabel } from '../campaign-format.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import { href, type AttentionTab } from '../router.ts';

export function renderAttentionView(
  root: HTMLElement,
  deps: { api: ApiClient; tab: AttentionTab },
): () => void {
  let stopped = false;
  let cursor: string | undefined;
  const list = h('ul', { class: 'attention-list', id: 'attention-items' });
  const status = h('p', { class: 'empty', role: 'status' }, 'Loading…');
  const problem = h('p', { class: 'form-error', role: 'alert' });
  const more = h('button', { type: 'button', class: 'button-quiet', hidden: true }, 'Load more');
  const tab = (name: AttentionTab, label: string) =>
    h(
      'a',
      {
        href: href({ name: 'attention', tab: name }),
        class: 'tab',
        id: `tab-${name}`,
        ...(deps.tab === name ? { 'aria-current': 'page' } : {}),
      },
      label,
    );
  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', { id: 'attention-title' }, 'Needs attention')),
      h(
        'nav',
        { class: 'tabs', 'aria-label': 'Attention items' },
        tab('open', 'Open'),
        tab('resolved', 'Resolved'),
      ),
      problem,
      status,
      list,
      more,
    ),
  );
  const refreshEmpty = () => {
    status.hidden = list.children.length > 0;
    status.textContent =
      deps.tab === 'open' ? 'Nothing needs attention right now.' : 'No resolved items yet.';
  };
  const load = () => {
    more.disabled = true;
    deps.api
      .listAttention(deps.tab, cursor)
      .then((page) => {
        if (stopped) return;
        list.append(...page.items.map((item) => itemCard(item, deps.api, refreshEmpty)));
        cursor = page.nextCursor;
        more.hidden = !cursor;
        refreshEmpty();
      })
      .catch((err: unknown) => {
        if (stopped) return;
        status.hidden = true;
        problem.textContent = err instanceof Error ? err.message : 'The attention queue could not be loaded.';
      })
      .finally(() => (more.disabled = false));
  };
  more.addEventListener('click', load);
  load();
  return () => {
    stopped = true;
  };
}

function itemCard(item: AttentionItem, api: ApiClient, removed: () => void): HTMLLIElement {
  const links = [
    ...item.callIds.map((callId, i) =>
      h('a', { href: href({ name: 'call', callId }) }, item.callIds.length > 1 ? `Call ${i + 1}` : 'Call'),
    ),
    item.campaignId
      ? h('a', { href: href({ name: 'campaign', campaignId: item.campaignId }) }, 'Campaign')
      : null,
  ].filter((link): link is HTMLAnchorElement => link !== null);
  const card = h(
    'li',
    { class: 'card attention-item', 'data-attention-id': item.attentionId, 'data-reason': item.reason },
    h(
      'div',
      { class: 'attention-head' },
      h('span', { class: `badge badge-reason-${item.reason}` }, attentionReasonLabel(item.reason)),
      h('strong', {}, item.driverName),
      h('span', { class: 'muted small' }, item.driverId),
      h(
        'span',
        { class: 'muted small attention-age', title: item.openedAt },
        `opened ${age(item.openedAt)}${age(item.openedAt) === 'just now' ? '' : ' ago'}`,
      ),
    ),
    item.summary ? h('p', { class: 'attention-summary' }, item.summary) : null,
    links.length
      ? h('p', { class: 'attention-links' }, ...links.flatMap((l, i) => (i ? [' · ', l] : [l])))
      : null,
  );
  if (item.resolved) {
    card.append(
      h(
        'p',
        { class: 'resolved-note' },
        `Resolved by ${item.resolved.by}, ${dateTime(item.resolved.at)}: `,
        h('q', {}, item.resolved.note),
      ),
    );
  } else {
    card.append(resolveForm(item, api, card, removed));
  }
  return card;
}

function resolveForm(
  item: AttentionItem,
  api: ApiClient,
  card: HTMLElement,
  removed: () => void,
): HTMLFormElement {
  const id = `note-${item.attentionId}`;
  const note = h('textarea', {
    id,
    rows: 2,
    maxlength: ATTENTION_LIMITS.noteMax,
    class: 'resolve-note',
    'aria-describedby': `${id}-error`,
  });
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button-primary resolve-button' }, 'Resolve');
  const form = h(
    'form',
    { class: 'resolve-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id }, 'What was done (required)'), note, error),
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    note.removeAttribute('aria-invalid');
    const text = note.value.trim();
    if (!text) {
      error.textContent = 'Write a note: what was done, or why nothing is needed.';
      note.setAttribute('aria-invalid', 'true');
      note.focus();
      return;
    }
    submit.disabled = true;
    api
      .resolveAttention(item.attentionId, text)
      .then(() => {
        card.remove();
        removed();
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'already_resolved') {
          form.replaceWith(
            h(
              'p',
              { class: 'resolved-note', role: 'status' },
              'Someone already resolved this item: see the Resolved tab.',
            ),
          );
          return;
        }
        error.textContent = err instanceof Error ? err.message : 'That did not work. Try again.';
      })
      .finally(() => (submit.disabled = false));
  });
  return form;
}
