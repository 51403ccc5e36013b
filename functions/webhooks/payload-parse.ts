// Shared edge-parsing helpers for provider payloads: zod → typed value or AppError('invalid_payload') without values.
import type { z } from 'zod';
import { isCallId } from '../../core/domain/call-id.ts';
import { AppError } from '../../core/support/errors.ts';

/** Parses `input` with `schema`; failures list paths and reasons only (payloads carry phone numbers). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    problem: issue.message,
  }));
  throw new AppError('invalid_payload', `${what} is malformed`, { details });
}

/** Parses a JSON text; a syntax error is the sender's fault, hence `invalid_payload`. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_payload', `${what} is not valid JSON`);
  }
}

/**
 * The `callId` callrelay put in a callback URL it configured (signed with the URL, so authentic); absent for
 * webhooks configured outside callrelay. A malformed one is a configuration bug: `invalid_payload`.
 */
export function callIdFromQuery(query: URLSearchParams): string | undefined {
  const value = query.get('callId');
  if (value === null) return undefined;
  if (!isCallId(value)) throw new AppError('invalid_payload', 'callId query parameter is malformed');
  return value;
}
