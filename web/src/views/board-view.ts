// Live calls board: every call of the org, newest first, kept current by the relay's subscribe_calls stream.
import { newestFirst, type Call } from '../../../core/domain/call.ts';
import { callDurationSecs } from '../call-timing.ts';
import { h } from '../dom.ts';
import { dateTime, duration } from '../format.ts';
import type { LiveSource } from '../live-source.ts';
import { href } from '../router.ts';
import { statusBadge } from '../status-badge.ts';
import { triggerList } from '../trigger-list.ts';

/** How often running durations are redrawn. */
const TICK_MS = 1000;

export function renderBoardView(root: HTMLElement, deps: { live: LiveSource }): () => void {
  const calls = new Map<string, Call>();
  let loaded = false;
  const body = h('tbody');
  const empty = h(
    'p',
    { class: 'empty', hidden: true },
    'No calls yet. ',
    h('a', { href: href({ name: 'new-call' }) }, 'Call a driver'),
    ' to start one.',
  );
  const waiting = h('p', { class: 'empty', role: 'status' }, 'Loading calls from the relay…');
  const table = h(
    'table',
    { class: 'board', 'aria-describedby': 'board-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Driver'),
        h('th', { scope: 'col' }, 'Triggers'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
      ),
    ),
    body,
  );
  root.replaceChildren(
    h(
      'section',
      { class: 'page' },
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'board-title' }, 'Live calls'),
        h('a', { class: 'button-primary', href: href({ name: 'new-call' }) }, 'Call a driver'),
      ),
      waiting,
      empty,
      h('div', { class: 'table-wrap' }, table),
    ),
  );

  const render = () => {
    waiting.hidden = loaded;
    empty.hidden = !loaded || calls.size > 0;
    table.hidden = calls.size === 0;
    const sorted = [...calls.values()].sort(newestFirst);
    body.replaceChildren(...sorted.map((call) => row(call)));
  };
  const unsubscribe = deps.live.subscribeCalls({
    snapshot(list) {
      // A fresh snapshot (also after a reconnect) replaces the list; updates newer than it are kept.
      const previous = new Map(calls);
      calls.clear();
      for (const call of list) {
        const known = previous.get(call.callId);
        calls.set(call.callId, known && known.lastSeq > call.lastSeq ? known : call);
      }
      loaded = true;
      render();
    },
    updated(call) {
      const known = calls.get(call.callId);
      if (known && known.lastSeq > call.lastSeq) return;
      calls.set(call.callId, call);
      loaded = true;
      render();
    },
  });
  const timer = window.setInterval(() => {
    for (const cell of body.querySelectorAll<HTMLElement>('[data-running]')) {
      const call = calls.get(cell.dataset.running ?? '');
      if (call) cell.textContent = durationText(call);
    }
  }, TICK_MS);
  return () => {
    unsubscribe();
    window.clearInterval(timer);
  };
}

function row(call: Call): HTMLTableRowElement {
  const link = h(
    'a',
    { href: href({ name: 'call', callId: call.callId }) },
    call.driver?.name ?? 'Unknown driver',
  );
  const triggers = call.triggers.length ? triggerList(call.triggers) : h('span', { class: 'muted' }, '—');
  const running = !call.endedAt && call.answeredAt && call.durationSecs === undefined;
  return h(
    'tr',
    { 'data-call-id': call.callId },
    h(
      'td',
      { 'data-label': 'Driver' },
      link,
      call.driver?.id ? h('div', { class: 'muted small' }, call.driver.id) : null,
    ),
    h('td', { 'data-label': 'Triggers' }, triggers),
    h('td', { 'data-label': 'Status' }, statusBadge(call.status)),
    h('td', { 'data-label': 'Started' }, h('time', { datetime: call.createdAt }, dateTime(call.createdAt))),
    h(
      'td',
      { 'data-label': 'Duration', class: 'num', ...(running ? { 'data-running': call.callId } : {}) },
      durationText(call),
    ),
  );
}

function durationText(call: Call): string {
  const secs = callDurationSecs(call, new Date());
  return secs === undefined ? '—' : duration(secs);
}
