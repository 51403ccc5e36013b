// The edge mapping from thrown errors to HTTP responses: AppError → its status + envelope; anything else → 500.
import { AppError, toErrorEnvelope } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { json, type HttpResponse } from './http-types.ts';

/** `Retry-After` of a 503 or 429 whose error names no wait of its own (a store or bus outage). */
export const DEFAULT_RETRY_AFTER_SECS = 5;

export function errorResponse(err: unknown, logger: Logger): HttpResponse {
  if (err instanceof AppError) {
    const status = err.httpStatus;
    const level = status >= 500 ? 'error' : 'warn';
    logger[level]('request failed', {
      code: err.code,
      status,
      error: err.message,
      cause: describeCause(err.cause),
    });
    const retryAfter =
      err.retryAfterSecs ?? (status === 503 || status === 429 ? DEFAULT_RETRY_AFTER_SECS : undefined);
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) };
    return json(status, toErrorEnvelope(err), headers);
  }
  logger.error('unhandled error', { error: err });
  return json(500, toErrorEnvelope(new AppError('internal', 'internal error')));
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
