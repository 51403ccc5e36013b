// The request id of each HTTP request: the caller's `X-Request-Id` when well-formed, else a new one; echoed back.
import { randomUUID } from 'node:crypto';

/** Header carrying the request id both ways (lower-cased, as node and the handlers see header names). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a caller-supplied id may look like: 1–128 characters of letters, digits and `._:-` (UUIDs, ULIDs, Cloud
 * trace ids, proxy ids). Anything else (too long, spaces, control characters) is replaced, so a log line or an audit
 * entry never carries arbitrary caller text under this name.
 */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when well-formed, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && WELL_FORMED.test(value) ? value : randomUUID();
}
