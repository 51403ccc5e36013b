// The relay connection in words in the top bar: live, connecting, reconnecting (and why), or disconnected.
import { assertNever } from '../../core/support/assert-never.ts';
import type { ConnectionStatus, LiveSource } from './live-source.ts';

export function mountConnectionIndicator(element: HTMLElement, live: LiveSource): () => void {
  const show = (status: ConnectionStatus) => {
    element.hidden = false;
    element.dataset.state = status.state;
    element.textContent = describe(status);
  };
  show(live.status());
  const off = live.onStatus(show);
  return () => {
    off();
    element.hidden = true;
  };
}

function describe(status: ConnectionStatus): string {
  switch (status.state) {
    case 'open':
      return 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return status.detail ? `${status.detail} — reconnecting…` : 'Reconnecting…';
    case 'closed':
      return status.detail ? `Disconnected: ${status.detail}` : 'Disconnected';
    default:
      return assertNever(status.state);
  }
}
