// A campaign: many drivers called under one set of rules (calling window, retries, concurrency), each driver moving
// through a closed set of states until a final one.
import type { Trigger } from './call.ts';

export type { CampaignLink } from './call.ts';

export const CAMPAIGN_STATUSES = ['scheduled', 'running', 'paused', 'completed', 'canceled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Where one driver of a campaign stands. `scheduled`: waiting for the start or the driver's calling window;
 * `calling`: an attempt is in flight; `retry_scheduled`: waiting for the next attempt; the rest are final.
 */
export const DRIVER_STATES = [
  'scheduled',
  'calling',
  'retry_scheduled',
  'acknowledged',
  'not_acknowledged',
  'unreachable',
  'opted_out',
  'suppressed',
  'canceled',
] as const;
export type DriverState = (typeof DRIVER_STATES)[number];

export const FINAL_DRIVER_STATES: ReadonlySet<DriverState> = new Set([
  'acknowledged',
  'not_acknowledged',
  'unreachable',
  'opted_out',
  'suppressed',
  'canceled',
]);

export function isFinalDriverState(state: DriverState): boolean {
  return FINAL_DRIVER_STATES.has(state);
}

/** Local wall-clock times `HH:MM` (24 h) in the driver's IANA time zone; `start` < `end` (same day). */
export interface CallingWindow {
  start: string;
  end: string;
}

export interface RetryPolicy {
  /** Total attempts per driver, the first included (≥ 1). */
  maxAttempts: number;
  /** Wait before attempt n+1 is `backoffSecs[n-1]` (the last entry repeats); each ≥ 1. */
  backoffSecs: number[];
}

export const CAMPAIGN_DEFAULTS = {
  callingWindow: { start: '08:00', end: '21:00' } satisfies CallingWindow,
  retry: { maxAttempts: 3, backoffSecs: [15 * 60, 60 * 60] } satisfies RetryPolicy,
  maxConcurrentCalls: 5,
} as const;

export const CAMPAIGN_LIMITS = {
  nameMax: 200,
  driversMin: 1,
  driversMax: 1000,
  maxAttemptsMax: 10,
  backoffEntriesMax: 10,
  backoffSecsMin: 1,
  backoffSecsMax: 7 * 24 * 3600,
  maxConcurrentCallsMax: 100,
} as const;

/** Why an attempt did not reach the driver (a retry follows while attempts remain). */
export type AttemptFailure = 'no-answer' | 'busy' | 'voicemail' | 'failed';

/** What the driver's last finished call concluded (from the agent's analysis). */
export interface DriverOutcome {
  callId: string;
  acknowledged: boolean | null;
  eta?: string;
  photosPromised?: boolean;
  escalationNeeded?: boolean;
  optOut?: boolean;
  summary?: string;
  /** For a failed attempt: why. */
  failure?: AttemptFailure;
}

/** One driver row of a campaign, exactly the fields of `POST /driver_data/call-elevenlabs`. */
export interface CampaignDriverInput {
  driverId: string;
  driverName: string;
  /** E.164. Never logged, never on the relay or in webhooks. */
  phoneNumber: string;
  /** IANA; the org default (then UTC) when absent. */
  timezone?: string;
  violations: Trigger[];
}

export interface CampaignDriver extends CampaignDriverInput {
  state: DriverState;
  /** Attempts started (dials claimed), 0 before the first. */
  attempts: number;
  /** ISO: when the next attempt is due (window opening or retry), while `scheduled` or `retry_scheduled`. */
  nextAttemptAt?: string;
  /** Calls of this driver's attempts, oldest first. */
  callIds: string[];
  outcome?: DriverOutcome;
  /** ISO: when the current attempt was claimed (to ask the provider about a dial that was never confirmed). */
  attemptClaimedAt?: string;
  updatedAt: string;
}

export type DriverCounts = Record<DriverState, number>;

export interface Campaign {
  campaignId: string;
  orgId: string;
  name: string;
  status: CampaignStatus;
  /** ISO; no driver is called before it. */
  startAt: string;
  callingWindow: CallingWindow;
  retry: RetryPolicy;
  maxConcurrentCalls: number;
  /** Driver count per state; sums to `driverCount`. `counts.calling` is the campaign's calls in flight. */
  counts: DriverCounts;
  driverCount: number;
  /** Uid of the dispatcher who created it. */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  /** Fingerprint of the create request, to tell a replay of its Idempotency-Key from a conflicting reuse. Internal. */
  requestHash?: string;
}

export function emptyCounts(): DriverCounts {
  return Object.fromEntries(DRIVER_STATES.map((s) => [s, 0])) as DriverCounts;
}
