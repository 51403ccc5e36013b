// A call's violations and reminders as a labelled list (shared by the board and the call view).
import type { Trigger } from '../../core/domain/call.ts';
import { h } from './dom.ts';

export function triggerList(triggers: Trigger[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'triggers' },
    ...triggers.map((t) =>
      h(
        'li',
        { class: `trigger trigger-${t.type}` },
        h('span', { class: 'trigger-type' }, t.type === 'violation' ? 'Violation' : 'Reminder'),
        ' ',
        t.description,
      ),
    ),
  );
}
