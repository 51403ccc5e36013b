// Port: the first answer to a one-time operation, remembered by key so a repeated request gets that answer again.

/** What {@link IdempotencyStore.claim} found. */
export type Claim =
  /** Nobody did the work yet (or an earlier claim's lease ran out): the caller does it, then `complete`s. */
  | { state: 'claimed' }
  /** Another request holds an unexpired claim and is doing the work now. */
  | { state: 'busy' }
  /** The work was done; `value` is what the first request answered. */
  | { state: 'done'; value: string };

/**
 * Contract (checked by `idempotency-store.contract.ts` against every adapter):
 * - Of any number of concurrent `claim`s of one key, exactly one gets `claimed`; the others get `busy` until that
 *   claim is completed (then `done` with its value), released, or its lease has run out (then one may claim again).
 * - `complete` stores the value for `retainMs`; later claims of the key get `done` with it. Completing a key twice
 *   keeps the first value.
 * - `release` gives up an unexpired claim (the work failed and may be tried again); it never removes a `done` record.
 * - Keys are opaque strings of any length; unavailability of the backing service surfaces as
 *   `AppError('store_unavailable')`.
 */
export interface IdempotencyStore {
  claim(key: string, leaseMs: number): Promise<Claim>;
  complete(key: string, value: string, retainMs: number): Promise<void>;
  release(key: string): Promise<void>;
}
