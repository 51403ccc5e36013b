// When things happened relative to the call: its running duration and each line's time in call.
import type { Call } from '../../core/domain/call.ts';

/** Seconds talked: the provider's duration once known, else since answer (up to the end or `now`). */
export function callDurationSecs(call: Call, now: Date): number | undefined {
  if (call.durationSecs !== undefined) return call.durationSecs;
  if (!call.answeredAt) return undefined;
  const end = call.endedAt ? Date.parse(call.endedAt) : now.getTime();
  const start = Date.parse(call.answeredAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, (end - start) / 1000);
}

/** Milliseconds since the call was answered for a line: its own offset when the provider gave one. */
export function timeInCallMs(
  line: { offsetMs?: number; occurredAt?: string; recordedAt?: string },
  answeredAt: string | undefined,
): number | undefined {
  if (line.offsetMs !== undefined) return line.offsetMs;
  const at = line.occurredAt ?? line.recordedAt;
  if (!at || !answeredAt) return undefined;
  const ms = Date.parse(at) - Date.parse(answeredAt);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}
