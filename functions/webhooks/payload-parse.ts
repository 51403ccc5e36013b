// Shared edge-parsing helpers for provider payloads: zod → typed value or AppError('invalid_payload') without values.
import type { z } from 'zod';
import { AppError } from '../../core/domain/errors.ts';

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

/** ISO time from any `Date`-parsable provider timestamp; undefined when absent or unparsable. */
export function isoTime(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** callIds callrelay issues and accepts back from providers (safe as a Firestore document id). */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && CALL_ID_PATTERN.test(value);
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
