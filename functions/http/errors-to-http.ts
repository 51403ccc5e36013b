// The edge mapping from thrown errors to HTTP responses: AppError → its status + envelope; anything else → 500.
import { AppError, retryAfterHeader, toErrorEnvelope } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { json, type HttpResponse } from './http-types.ts';

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
    const retryAfter = retryAfterHeader(err);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
    return json(status, toErrorEnvelope(err), headers);
  }
  logger.error('unhandled error', { error: err });
  return json(500, toErrorEnvelope(new AppError('internal', 'internal error')));
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
