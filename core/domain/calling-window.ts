// Calling windows in a driver's local time: is an instant inside one, when does the next one open, when is a retry
// due — DST-correct through Intl (no time-zone tables of our own).
import type { CallingWindow, RetryPolicy } from './campaign.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600_000;
/** Far enough on both sides of a wall time to see every UTC offset that may apply to it (offsets span −12 h…+14 h). */
const OFFSET_PROBE_MS = 15 * 3600_000;

/** Minutes after local midnight of an `HH:MM` (00:00–23:59). @throws TypeError for anything else (a caller bug). */
export function minutesOfDay(hhmm: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new TypeError(`not an HH:MM time: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** True when `window.start` < `window.end`, both `HH:MM` (the window is one stretch of a local day). */
export function isValidWindow(window: CallingWindow): boolean {
  try {
    return minutesOfDay(window.start) < minutesOfDay(window.end);
  } catch {
    return false;
  }
}

/** Whether `at` falls inside the window in `timeZone`: start inclusive, end exclusive, local wall-clock time. */
export function isInWindow(at: Date, window: CallingWindow, timeZone: string): boolean {
  const wall = localWall(at.getTime(), timeZone);
  const secondOfDay = Math.floor(mod(wall, DAY_MS) / 1000);
  return secondOfDay >= minutesOfDay(window.start) * 60 && secondOfDay < minutesOfDay(window.end) * 60;
}

/**
 * `at` itself when it is inside the window, else the next instant the window opens. A start time that a
 * spring-forward skips opens at the first valid instant after it (the transition); a start time that a fall-back
 * repeats opens at the earlier of its two instants (the later one when `at` is between them).
 */
export function nextWindowOpening(at: Date, window: CallingWindow, timeZone: string): Date {
  if (isInWindow(at, window, timeZone)) return at;
  const t = at.getTime();
  const startMs = minutesOfDay(window.start) * MINUTE_MS;
  const localMidnight = localWall(t, timeZone) - mod(localWall(t, timeZone), DAY_MS);
  for (let day = 0; day <= 2; day += 1) {
    for (const candidate of instantsOfWall(localMidnight + day * DAY_MS + startMs, timeZone)) {
      if (candidate >= t) return new Date(candidate);
    }
  }
  // Unreachable for a valid window: some opening lies within two local days.
  throw new TypeError(`no opening of ${window.start}-${window.end} found in ${timeZone}`);
}

/** The wait after failed attempt `attempt` (1-based): `backoffSecs[attempt-1]`, the last entry repeating. */
export function backoffSecsAfter(retry: RetryPolicy, attempt: number): number {
  const { backoffSecs } = retry;
  if (backoffSecs.length === 0) throw new TypeError('a retry policy needs at least one backoff entry');
  return backoffSecs[Math.min(Math.max(attempt, 1), backoffSecs.length) - 1]!;
}

/** When the next attempt is due: `now` + the backoff, pushed to the next window opening if it falls outside. */
export function retryAt(
  now: Date,
  retry: RetryPolicy,
  failedAttempt: number,
  window: CallingWindow,
  timeZone: string,
): Date {
  const earliest = new Date(now.getTime() + backoffSecsAfter(retry, failedAttempt) * 1000);
  return nextWindowOpening(earliest, window, timeZone);
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instants whose local wall time in `timeZone` is `wallMs` (a wall time encoded as if it were UTC), earliest
 * first: one normally, two in a fall-back overlap; in a spring-forward gap, the first instant after the gap.
 */
function instantsOfWall(wallMs: number, timeZone: string): number[] {
  const offsets = new Set(
    [wallMs - OFFSET_PROBE_MS, wallMs, wallMs + OFFSET_PROBE_MS].map((t) => localWall(t, timeZone) - t),
  );
  const candidates = [...offsets].map((offset) => wallMs - offset).sort((a, b) => a - b);
  const exact = candidates.filter((t) => localWall(t, timeZone) === wallMs);
  if (exact.length > 0) return exact;
  // A gap: local time jumps over wallMs between the candidates. Find the first minute whose wall time is past it
  // (transitions fall on whole minutes; Lord Howe's is half an hour).
  let lo = Math.floor(candidates[0]! / MINUTE_MS);
  let hi = Math.ceil(candidates[candidates.length - 1]! / MINUTE_MS);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localWall(mid * MINUTE_MS, timeZone) >= wallMs) hi = mid;
    else lo = mid + 1;
  }
  return [lo * MINUTE_MS];
}

/** The local wall-clock time of instant `t` in `timeZone`, encoded as milliseconds as if it were UTC. */
function localWall(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    if (part.type !== 'literal' && part.type !== 'era') parts[part.type] = Number(part.value);
  }
  return (
    Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) +
    mod(t, 1000)
  );
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
