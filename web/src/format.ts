// Words and numbers as a dispatcher reads them: status labels, clock times, durations, time in call.
import type { CallStatus } from '../../core/domain/call.ts';

const STATUS_LABELS: Record<CallStatus, string> = {
  queued: 'Queued',
  initiated: 'Dialing',
  ringing: 'Ringing',
  'in-progress': 'In progress',
  completed: 'Completed',
  'no-answer': 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  canceled: 'Canceled',
};

export function statusLabel(status: CallStatus): string {
  return STATUS_LABELS[status];
}

/** `14:05:09` in the viewer's time zone; empty for a missing or invalid time. */
export function clockTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** `Nov 21, 14:05` — for start times that may be on another day. */
export function dateTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? clockTime(iso)
    : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** `m:ss` (or `h:mm:ss`) for a non-negative number of seconds. */
export function duration(totalSecs: number): string {
  const secs = Math.max(0, Math.floor(totalSecs));
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = String(secs % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A data-collection value in words (`true` → "Yes"). */
export function outcomeValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'Unknown';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'yes') return 'Yes';
    if (lower === 'false' || lower === 'no') return 'No';
    return value;
  }
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** `eta` → "ETA", `photos_promised` → "Photos promised". */
export function fieldLabel(id: string): string {
  if (id.toLowerCase() === 'eta') return 'ETA';
  const words = id
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
