// Live calls board page: the page head, and the Live board (views/live-board.ts) kept current by the relay.
import { h } from '../dom.ts';
import type { LiveSource } from '../live-source.ts';
import { href } from '../router.ts';
import { mountLiveBoard } from './live-board.ts';

export function renderBoardView(root: HTMLElement, deps: { live: LiveSource }): () => void {
  const live = h('div', { class: 'live-board-host' });
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
      live,
    ),
  );
  return mountLiveBoard(live, deps);
}
