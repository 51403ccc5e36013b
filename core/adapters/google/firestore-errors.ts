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
function isClosedTransaction(err: unknown, code: unknown): boolean {
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
