// A call status as a coloured badge with its word (colour is never the only signal).
import type { CallStatus } from '../../core/domain/call.ts';
import { h } from './dom.ts';
import { statusLabel } from './format.ts';

export function statusBadge(status: CallStatus): HTMLSpanElement {
  return h('span', { class: `badge badge-${status}`, 'data-status': status }, statusLabel(status));
}
