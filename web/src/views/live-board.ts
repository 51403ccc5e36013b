// The Live board: one row per call updated in place (status, latest words, outcome badge), painted once per animation
// frame whatever the message rate, and a "Needs attention" filter with its count always in view.
import type { Call } from '../../../core/domain/call.ts';
import type { AttentionReason } from '../../../core/domain/attention.ts';
import type { CallVerdict } from '../../../core/domain/call-verdict.ts';
import { callDurationSecs } from '../call-timing.ts';
import { h } from '../dom.ts';
import { dateTime, duration, statusLabel } from '../format.ts';
import { LiveBoardModel, type BoardFilter, type BoardRow } from '../live-board-model.ts';
import type { LiveSource } from '../live-source.ts';
import { href } from '../router.ts';
import { triggerList } from '../trigger-list.ts';

/** How often running durations are redrawn. */
const TICK_MS = 1000;

const VERDICT_LABELS: Record<CallVerdict, string> = {
  pending: '—',
  acknowledged: 'Acknowledged',
  not_acknowledged: 'Not acknowledged',
  unreachable: 'Unreachable',
  voicemail: 'Voicemail',
  opted_out: 'Opted out',
};
const SPEAKER_LABELS: Record<string, string> = { driver: 'Driver', agent: 'Agent', dispatcher: 'Dispatcher' };

/** The cells of one row that change; written only when their text or state differs. */
interface RowView {
  tr: HTMLTableRowElement;
  status: HTMLSpanElement;
  speaker: HTMLSpanElement;
  words: HTMLSpanElement;
  outcome: HTMLSpanElement;
  escalation: HTMLSpanElement;
  duration: HTMLTableCellElement;
  /** What is painted, to skip identical writes. */
  painted: { status?: string; words?: string; final?: boolean; verdict?: string; escalation?: boolean };
}

/** Mounts the Live board into `root`; returns its teardown. */
export function mountLiveBoard(root: HTMLElement, deps: { live: LiveSource }): () => void {
  const model = new LiveBoardModel();
  const views = new Map<string, RowView>();
  let filter: BoardFilter = 'all';
  let frame: number | undefined;

  const body = h('tbody');
  const empty = h(
    'p',
    { class: 'empty', hidden: true },
    'No calls yet. ',
    h('a', { href: href({ name: 'new-call' }) }, 'Call a driver'),
    ' to start one.',
  );
  const noneToAttend = h(
    'p',
    { class: 'empty', hidden: true, id: 'board-none-attention' },
    'Nothing needs attention.',
  );
  const waiting = h('p', { class: 'empty', role: 'status' }, 'Loading calls from the relay…');
  const allCount = h('span', { class: 'count', id: 'board-count-all' }, '0');
  const attentionCount = h('span', { class: 'count', id: 'board-count-attention' }, '0');
  const allButton = h(
    'button',
    { type: 'button', class: 'filter', id: 'board-filter-all', 'aria-pressed': 'true' },
    'All ',
    allCount,
  );
  const attentionButton = h(
    'button',
    {
      type: 'button',
      class: 'filter filter-attention',
      id: 'board-filter-attention',
      'aria-pressed': 'false',
    },
    'Needs attention ',
    attentionCount,
  );
  const table = h(
    'table',
    { class: 'board live-board', 'aria-describedby': 'board-title', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Driver'),
        h('th', { scope: 'col' }, 'Triggers'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Latest words'),
        h('th', { scope: 'col' }, 'Outcome'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
      ),
    ),
    body,
  );
  root.replaceChildren(
    h('div', { class: 'board-filters', role: 'group', 'aria-label': 'Show' }, allButton, attentionButton),
    waiting,
    empty,
    noneToAttend,
    h('div', { class: 'table-wrap' }, table),
  );

  const setFilter = (next: BoardFilter) => {
    if (next === filter) return;
    filter = next;
    allButton.setAttribute('aria-pressed', String(next === 'all'));
    attentionButton.setAttribute('aria-pressed', String(next === 'attention'));
    for (const [callId, view] of views) {
      const row = model.row(callId);
      if (row) view.tr.hidden = !LiveBoardModel.shows(row, filter);
    }
    paintSummary();
  };
  allButton.addEventListener('click', () => setFilter('all'));
  attentionButton.addEventListener('click', () => setFilter('attention'));

  const paintSummary = () => {
    waiting.hidden = model.loaded;
    empty.hidden = !model.loaded || model.size > 0;
    const shown = filter === 'all' ? model.size : model.needsAttention;
    noneToAttend.hidden = !model.loaded || filter !== 'attention' || model.size === 0 || shown > 0;
    table.hidden = shown === 0;
    allCount.textContent = String(model.size);
    attentionCount.textContent = String(model.needsAttention);
    attentionButton.classList.toggle('has-items', model.needsAttention > 0);
  };

  /** One DOM pass for everything that arrived since the last frame. */
  const paint = () => {
    frame = undefined;
    const { dirty, removed, order } = model.takeChanges();
    for (const callId of removed) {
      views.get(callId)?.tr.remove();
      views.delete(callId);
    }
    for (const callId of dirty) {
      const row = model.row(callId);
      if (!row) continue;
      let view = views.get(callId);
      if (!view) views.set(callId, (view = createRow(row.call)));
      paintRow(view, row);
      view.tr.hidden = !LiveBoardModel.shows(row, filter);
    }
    if (order) {
      // Only when rows came or went: re-append in order (moves existing nodes; none is rebuilt).
      let previous: Element | null = null;
      for (const callId of order) {
        const tr = views.get(callId)?.tr;
        if (!tr) continue;
        const expected: Element | null = previous ? previous.nextElementSibling : body.firstElementChild;
        if (expected !== tr) body.insertBefore(tr, expected);
        previous = tr;
      }
    }
    paintSummary();
  };
  const schedule = () => {
    if (frame === undefined && model.hasChanges) frame = requestAnimationFrame(paint);
  };

  const unsubscribe = deps.live.subscribeCalls({
    snapshot(list) {
      model.snapshot(list);
      schedule();
      if (frame === undefined) paintSummary();
    },
    updated(call) {
      model.updated(call);
      schedule();
    },
    utterances(list) {
      model.utterances(list);
      schedule();
    },
  });
  const timer = window.setInterval(() => {
    for (const cell of body.querySelectorAll<HTMLElement>('[data-running]')) {
      const row = model.row(cell.dataset.running ?? '');
      if (row) cell.textContent = durationText(row.call);
    }
  }, TICK_MS);
  return () => {
    unsubscribe();
    window.clearInterval(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
  };
}

function createRow(call: Call): RowView {
  const status = h('span', { class: 'badge' });
  const speaker = h('span', { class: 'words-speaker' });
  const words = h('span', { class: 'words-text' });
  const outcome = h('span', { class: 'badge badge-verdict' });
  const escalation = h('span', { class: 'badge badge-reason-escalation', hidden: true }, 'Escalation');
  const durationCell = h('td', { 'data-label': 'Duration', class: 'num' });
  const tr = h(
    'tr',
    { 'data-call-id': call.callId },
    h(
      'td',
      { 'data-label': 'Driver' },
      h('a', { href: href({ name: 'call', callId: call.callId }) }, call.driver?.name ?? 'Unknown driver'),
      call.driver?.id ? h('div', { class: 'muted small' }, call.driver.id) : null,
    ),
    h(
      'td',
      { 'data-label': 'Triggers' },
      call.triggers.length ? triggerList(call.triggers) : h('span', { class: 'muted' }, '—'),
    ),
    h('td', { 'data-label': 'Status' }, status),
    h('td', { 'data-label': 'Latest words', class: 'words' }, speaker, words),
    h('td', { 'data-label': 'Outcome', class: 'outcome' }, outcome, escalation),
    h('td', { 'data-label': 'Started' }, h('time', { datetime: call.createdAt }, dateTime(call.createdAt))),
    durationCell,
  );
  return { tr, status, speaker, words, outcome, escalation, duration: durationCell, painted: {} };
}

function paintRow(view: RowView, row: BoardRow): void {
  const { call } = row;
  const p = view.painted;
  if (p.status !== call.status) {
    p.status = call.status;
    view.status.className = `badge badge-${call.status}`;
    view.status.dataset.status = call.status;
    view.status.textContent = statusLabel(call.status);
  }
  const words = row.words;
  const text = words ? words.text : '';
  if (p.words !== text || p.final !== words?.final) {
    p.words = text;
    p.final = words?.final;
    view.speaker.textContent = words ? `${SPEAKER_LABELS[words.speaker] ?? words.speaker}: ` : '';
    view.words.textContent = text;
    if (words && !words.final) view.words.dataset.tentative = '';
    else delete view.words.dataset.tentative;
  }
  if (p.verdict !== row.verdict) {
    p.verdict = row.verdict;
    view.outcome.className = `badge badge-verdict badge-verdict-${row.verdict}`;
    view.outcome.dataset.verdict = row.verdict;
    view.outcome.textContent = VERDICT_LABELS[row.verdict];
  }
  const escalation = row.attention.includes('escalation' satisfies AttentionReason);
  if (p.escalation !== escalation) {
    p.escalation = escalation;
    view.escalation.hidden = !escalation;
  }
  view.tr.toggleAttribute('data-attention', row.attention.length > 0);
  const running = !call.endedAt && call.answeredAt && call.durationSecs === undefined;
  if (running) view.duration.dataset.running = call.callId;
  else delete view.duration.dataset.running;
  const durationNow = durationText(call);
  if (view.duration.textContent !== durationNow) view.duration.textContent = durationNow;
}

function durationText(call: Call): string {
  const secs = callDurationSecs(call, new Date());
  return secs === undefined ? '—' : duration(secs);
}
