// Reconnect delays: exponential growth with jitter, so a fleet of dashboards does not reconnect in lockstep.

export interface BackoffOptions {
  /** First delay's ceiling (default 500 ms). */
  initialMs: number;
  /** Largest delay (default 30 s). */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (0-based): "equal jitter", i.e. uniformly in [cap/2, cap] where
 * cap = min(maxMs, initialMs × factor^attempt). Never zero, never above `maxMs`.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const cap = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  return Math.round(cap / 2 + random() * (cap / 2));
}
