// Maps Firestore/gRPC failures to the store's error codes: transient service trouble becomes `store_unavailable`.
import { AppError, isAppError } from '../../support/errors.ts';

/** gRPC status codes that mean "the service is not answering right now; retrying later may work". */
const TRANSIENT_GRPC_CODES: ReadonlySet<number> = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED: transaction contention left after all attempts
  14, // UNAVAILABLE (also what a refused connection surfaces as)
]);

const CONNECTION_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** Rethrows `err` as an AppError when it is a known transient failure; AppErrors pass through unchanged. */
export function toStoreError(err: unknown): unknown {
  if (isAppError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (
    (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) ||
    isClosedTransaction(err, code) ||
    (typeof code === 'string' && CONNECTION_ERRNOS.has(code))
  ) {
    return new AppError('store_unavailable', 'call store is unavailable', { cause: err });
  }
  return err;
}

/**
 * INVALID_ARGUMENT "Transaction is invalid or closed": a transaction the server gave up on (the emulator ends one
 * that waited too long for a lock under contention) — the caller's request was fine and a retry succeeds. Every
 * other INVALID_ARGUMENT is a bug and stays one.
 */
function isClosedTransaction(
  err: unknown,
  code: unknown = (err as { code?: unknown } | null)?.code,
): boolean {
  const details = (err as { details?: unknown } | null)?.details;
  return code === 3 && typeof details === 'string' && /transaction is invalid or closed/i.test(details);
}

/** Runs `op`, translating its failure with `toStoreError`. */
export async function guardStore<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw toStoreError(err);
  }
}

/** Attempts of a transaction the server closed under contention (see `isClosedTransaction`), the first included. */
export const CLOSED_TRANSACTION_ATTEMPTS = 5;

/**
 * Runs a whole transaction again when the server closed it under lock contention: the client library retries ABORTED
 * itself but not this (the emulator's lock timeout). Every attempt re-reads, so a retry is as safe as the first.
 */
export async function retryClosedTransaction<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= CLOSED_TRANSACTION_ATTEMPTS || !isClosedTransaction(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}
