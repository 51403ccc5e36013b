// One call, live: transcript bubbles (tentative partials replaced by final lines), status timeline, post-call outcome.
import type { Call } from '../../../core/domain/call.ts';
import type { Speaker } from '../../../core/domain/call-event.ts';
import type { ApiClient } from '../api-client.ts';
import { callDurationSecs, timeInCallMs } from '../call-timing.ts';
import { h, replaceChildren } from '../dom.ts';
import { clockTime, dateTime, duration, fieldLabel, outcomeValue, statusLabel } from '../format.ts';
import type { LiveSource } from '../live-source.ts';
import { href } from '../router.ts';
import { statusBadge } from '../status-badge.ts';
import { triggerList } from '../trigger-list.ts';
import { renderCallActions } from './call-actions.ts';
import { TranscriptModel, type TranscriptLine } from '../transcript-model.ts';

/** Outcome fields always shown (as "Unknown" until the agent collected them), in this order. */
const KEY_FIELDS = ['acknowledged', 'eta'] as const;
const SPEAKER_LABELS: Record<Speaker, string> = {
  agent: 'Agent',
  driver: 'Driver',
  dispatcher: 'Dispatcher',
};
/** Pixels from the bottom within which the transcript keeps following new lines. */
const FOLLOW_SLACK_PX = 80;

export function renderCallView(
  root: HTMLElement,
  deps: { live: LiveSource; callId: string; api: ApiClient },
): () => void {
  const model = new TranscriptModel();
  const header = h('div', { class: 'call-head' });
  const actions = h('div', { class: 'call-actions', id: 'call-actions' });
  const problem = h('p', { class: 'form-error', role: 'alert' });
  const transcript = h('ol', {
    class: 'transcript',
    id: 'transcript',
    'aria-label': 'Transcript',
    role: 'log',
    'aria-live': 'polite',
  });
  const transcriptNote = h('p', { class: 'muted', id: 'transcript-note' }, 'Waiting for the call…');
  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const outcome = h('section', { class: 'card outcome', id: 'outcome', 'aria-labelledby': 'outcome-title' });
  root.replaceChildren(
    h(
      'section',
      { class: 'page call-page' },
      h('a', { class: 'back', href: href({ name: 'board' }) }, '← Live calls'),
      header,
      actions,
      problem,
      h(
        'div',
        { class: 'call-grid' },
        h(
          'section',
          { class: 'card transcript-card', 'aria-labelledby': 'transcript-title' },
          h('h2', { id: 'transcript-title' }, 'Conversation'),
          transcriptNote,
          transcript,
        ),
        h(
          'aside',
          { class: 'call-side' },
          outcome,
          h(
            'section',
            { class: 'card', 'aria-labelledby': 'timeline-title' },
            h('h2', { id: 'timeline-title' }, 'Status timeline'),
            timeline,
          ),
        ),
      ),
    ),
  );

  const render = () => {
    renderHeader(header, model.call);
    renderCallActions(actions, deps.api, model.call);
    renderTranscript(transcript, transcriptNote, model);
    renderTimeline(timeline, model);
    renderOutcome(outcome, model);
  };
  const unsubscribe = deps.live.subscribeCall(deps.callId, {
    subscribed(call) {
      model.setSnapshot(call);
      problem.textContent = '';
      render();
    },
    event(event) {
      if (model.applyEvent(event)) render();
    },
    partial(partial) {
      model.applyPartial(partial);
      renderTranscript(transcript, transcriptNote, model);
    },
    error(code, message) {
      problem.textContent =
        code === 'forbidden' || code === 'not_found'
          ? 'This call does not exist or belongs to another organisation.'
          : `The live stream for this call failed: ${message}`;
    },
  });
  const timer = window.setInterval(() => {
    const cell = header.querySelector<HTMLElement>('[data-running]');
    if (cell && model.call) cell.textContent = durationOf(model.call);
  }, 1000);
  return () => {
    unsubscribe();
    window.clearInterval(timer);
  };
}

function renderHeader(header: HTMLElement, call: Call | undefined): void {
  if (!call) {
    replaceChildren(
      header,
      h('h1', {}, 'Call'),
      h('p', { class: 'muted', role: 'status' }, 'Connecting to the live stream…'),
    );
    return;
  }
  const running = !call.endedAt && call.answeredAt && call.durationSecs === undefined;
  replaceChildren(
    header,
    h('h1', {}, call.driver?.name ?? 'Unknown driver', ' ', statusBadge(call.status)),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Driver ID'), h('dd', {}, call.driver?.id ?? '—')),
      h(
        'div',
        {},
        h('dt', {}, 'Started'),
        h('dd', {}, h('time', { datetime: call.createdAt }, dateTime(call.createdAt))),
      ),
      h(
        'div',
        {},
        h('dt', {}, 'Duration'),
        h('dd', running ? { 'data-running': 'true' } : {}, durationOf(call)),
      ),
    ),
    call.triggers.length ? triggerList(call.triggers) : null,
    call.failureReason ? h('p', { class: 'notice' }, 'Reason: ', call.failureReason) : null,
  );
}

function renderTranscript(list: HTMLOListElement, note: HTMLElement, model: TranscriptModel): void {
  const follow = list.scrollHeight - list.scrollTop - list.clientHeight < FOLLOW_SLACK_PX;
  const live = model.visibleLines();
  const lines = live.length ? live : model.postCallLines();
  const answeredAt = model.call?.answeredAt;
  list.replaceChildren(...lines.map((line) => bubble(line, answeredAt)));
  note.hidden = lines.length > 0;
  if (!lines.length)
    note.textContent =
      model.call && model.call.endedAt
        ? 'Nothing was said on this call.'
        : 'Waiting for the conversation to start…';
  if (!live.length && lines.length) {
    note.hidden = false;
    note.textContent = 'No live transcript was received; this is the transcript from after the call.';
  }
  if (follow) list.scrollTop = list.scrollHeight;
}

function bubble(line: TranscriptLine, answeredAt: string | undefined): HTMLLIElement {
  const ms = timeInCallMs(line, answeredAt);
  return h(
    'li',
    {
      class: `bubble bubble-${line.speaker}${line.tentative ? ' bubble-tentative' : ''}`,
      'data-key': line.key,
      'data-speaker': line.speaker,
      ...(line.seq !== undefined ? { 'data-seq': line.seq } : {}),
      ...(line.tentative ? { 'data-tentative': 'true' } : {}),
    },
    h(
      'div',
      { class: 'bubble-meta' },
      h('span', { class: 'who' }, SPEAKER_LABELS[line.speaker]),
      ms !== undefined ? h('span', { class: 'when' }, duration(ms / 1000)) : null,
      line.tentative ? h('span', { class: 'tentative-label' }, 'speaking…') : null,
    ),
    h('p', { class: 'bubble-text' }, line.text),
  );
}

function renderTimeline(list: HTMLOListElement, model: TranscriptModel): void {
  if (!model.timeline.length && !model.interventions.length) {
    replaceChildren(list, h('li', { class: 'muted' }, model.call ? statusLabel(model.call.status) : '—'));
    return;
  }
  const steps = [
    ...model.timeline.map((step) => ({
      seq: step.seq,
      item: h(
        'li',
        { 'data-status': step.status },
        statusBadge(step.status),
        ' ',
        h('time', { datetime: step.at }, clockTime(step.at)),
        step.reason ? h('span', { class: 'muted' }, ` — ${step.reason}`) : null,
      ),
    })),
    ...model.interventions.map((step) => ({
      seq: step.seq,
      item: h(
        'li',
        { 'data-intervention': step.action },
        h(
          'span',
          { class: 'intervention' },
          step.action === 'takeover' ? 'Taken over by ' : 'Ended by ',
          step.byEmail ?? step.by,
        ),
        ' ',
        h('time', { datetime: step.at }, clockTime(step.at)),
      ),
    })),
  ].sort((a, b) => a.seq - b.seq);
  replaceChildren(list, ...steps.map((s) => s.item));
}

function renderOutcome(section: HTMLElement, model: TranscriptModel): void {
  const outcome = model.call?.outcome;
  const post = model.postCall;
  if (!outcome && !post) {
    replaceChildren(
      section,
      h('h2', { id: 'outcome-title' }, 'Outcome'),
      h(
        'p',
        { class: 'muted' },
        model.call?.endedAt ? 'Waiting for the post-call summary…' : 'Available when the call ends.',
      ),
    );
    return;
  }
  const data: Record<string, unknown> = {
    ...(outcome?.dataCollection ?? {}),
    ...Object.fromEntries(Object.entries(post?.dataCollection ?? {}).map(([id, r]) => [id, r.value])),
  };
  const others = Object.keys(data).filter((id) => !(KEY_FIELDS as readonly string[]).includes(id));
  const summary = post?.summary ?? outcome?.summary;
  const successful = post?.callSuccessful ?? outcome?.callSuccessful;
  replaceChildren(
    section,
    h('h2', { id: 'outcome-title' }, 'Outcome'),
    h('p', { class: 'summary', id: 'summary' }, summary ?? 'No summary was provided.'),
    h(
      'dl',
      { class: 'outcome-fields' },
      ...[...KEY_FIELDS, ...others].map((id) =>
        h('div', { 'data-field': id }, h('dt', {}, fieldLabel(id)), h('dd', {}, outcomeValue(data[id]))),
      ),
      successful
        ? h('div', { 'data-field': 'call_successful' }, h('dt', {}, 'Evaluation'), h('dd', {}, successful))
        : null,
    ),
  );
}

function durationOf(call: Call): string {
  const secs = callDurationSecs(call, new Date());
  return secs === undefined ? '—' : duration(secs);
}
