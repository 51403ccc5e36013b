// Port: durable due work — items that become due at a time, are leased to one worker, and are retried or completed.

/** What {@link DueWork.schedule} did. */
export type ScheduleResult =
  /** The item now has the given due time and payload (it was new, idle, or its lease had run out). */
  | { state: 'scheduled' }
  /** A worker holds an unexpired lease on the item; nothing changed. That worker decides via `reschedule`. */
  | { state: 'leased' };

/** An item {@link DueWork.claimDue} leased to the caller. */
export interface DueItem {
  key: string;
  kind: string;
  payload: string;
  /** When it became claimable: its scheduled due time, or the end of the lease it was taken over from. */
  dueAt: Date;
  /** 1 on its first claim; each claim adds 1 (an expired lease counts), `reschedule` keeps it, `schedule` resets it. */
  attempt: number;
  /** Proves this claim in `complete`/`reschedule`; a later claim, `schedule` or `cancel` makes it stale. */
  leaseToken: string;
  /** Until when no one else can claim it. */
  leaseUntil: Date;
}

export interface ScheduleRequest {
  /** Caller-chosen identity, e.g. `campaign:<id>:driver:<driverId>` or `webhook:<deliveryId>`; any characters. */
  key: string;
  /** What the item is for, so a worker can claim only its own kinds. */
  kind: string;
  dueAt: Date;
  /** Opaque to the port (callers encode JSON). Keep it small: the Firestore adapter stores it in the item's document. */
  payload: string;
  /** The caller's current time, to tell a live lease from an expired one. */
  now: Date;
}

export interface ClaimRequest {
  now: Date;
  /** At most this many items (≥ 1); fewer when fewer are due or concurrent claimers took some. */
  limit: number;
  /** How long each claimed item stays leased (> 0); past it, the item is due again and the next claim is a new attempt. */
  leaseMs: number;
  /** Only items of these kinds (1 to 30 of them, Firestore's `in` limit); all kinds when absent. */
  kinds?: readonly string[];
}

/**
 * Contract (checked by `due-work.contract.ts` against every adapter):
 * - `schedule` is an idempotent upsert by key: it sets kind, due time and payload and resets `attempt` to 0, unless a
 *   worker holds an unexpired lease on the key (then it changes nothing and answers `leased`). Scheduling over an
 *   expired lease makes that lease's token stale.
 * - `claimDue` leases up to `limit` items whose due time is ≤ `now` and that are not leased (or whose lease ended),
 *   earliest due first, each to exactly one of any number of concurrent claimers, with a fresh token and `attempt` + 1.
 *   A leased item is due again when its lease ends (a worker that died mid-work does not lose the item).
 * - `complete` removes the item and `reschedule` sets its next due time (and payload, when given) and ends the lease,
 *   keeping `attempt`; both only with the item's current lease token, and answer whether it was. A token stays current
 *   until another claim, `schedule` or `cancel` of the key — even past its lease end, if nobody claimed it meanwhile.
 * - `cancel` removes the item whatever its state; a worker holding it finds its token stale.
 * - Time comes only from the caller (`now`, `dueAt`); keys are opaque strings of any length; unavailability of the
 *   backing service surfaces as `AppError('store_unavailable')`. Caller bugs (`limit` < 1, `leaseMs` ≤ 0) throw
 *   `TypeError`.
 */
export interface DueWork {
  schedule(request: ScheduleRequest): Promise<ScheduleResult>;
  claimDue(request: ClaimRequest): Promise<DueItem[]>;
  complete(key: string, leaseToken: string): Promise<boolean>;
  reschedule(key: string, leaseToken: string, dueAt: Date, payload?: string): Promise<boolean>;
  cancel(key: string): Promise<void>;
}

/** Throws `TypeError` for claim options no adapter can honour; adapters call it first. */
export function checkClaimRequest({ limit, leaseMs, kinds }: ClaimRequest): void {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('claimDue limit must be an integer ≥ 1');
  if (!(leaseMs > 0)) throw new TypeError('claimDue leaseMs must be > 0');
  if (kinds && (kinds.length < 1 || kinds.length > 30)) {
    throw new TypeError('claimDue kinds must list 1 to 30 kinds');
  }
}
