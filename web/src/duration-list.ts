// Retry backoff as a dispatcher types it (`15m, 1h`, `30s`) ↔ the API's `backoffSecs` numbers.

const UNIT_SECS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `15m, 1h` → [900, 3600]. Entries are separated by commas or spaces; units s, m, h, d; a bare number is minutes.
 * Undefined when any entry is unreadable (the caller says so next to the field).
 */
export function parseDurationList(text: string): number[] | undefined {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const out: number[] = [];
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(part);
    if (!match?.[1]) return undefined;
    const secs = Number(match[1]) * (UNIT_SECS[match[2] ?? 'm'] ?? 60);
    if (!Number.isFinite(secs) || !Number.isInteger(secs)) return undefined;
    out.push(secs);
  }
  return out;
}

/** [900, 3600] → `15m, 1h`: each entry in the largest unit that divides it. */
export function formatDurationList(secs: readonly number[]): string {
  return secs.map(formatDuration).join(', ');
}

export function formatDuration(secs: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = UNIT_SECS[unit] ?? 1;
    if (secs >= size && secs % size === 0) return `${secs / size}${unit}`;
  }
  return `${secs}s`;
}
