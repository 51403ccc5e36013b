// What a route accepts before any other work is done: media type, body size and form field count, in linear time.
import { AppError } from '../../core/support/errors.ts';
import type { HttpRequest } from './http-types.ts';

/**
 * A route's body rules. They are checked before signatures or parsing, so unauthenticated work is bounded by
 * `maxBytes` and never grows faster than the body: anything else a caller sends is refused at once.
 */
export interface BodyRules {
  /** Accepted media types, lower-case, without parameters (`application/x-www-form-urlencoded`). */
  mediaTypes: readonly string[];
  /** Largest body accepted. */
  maxBytes: number;
  /** For form bodies: most `&`-separated fields. */
  maxFields?: number;
}

/** The media type of a `Content-Type` value, lower-cased, without parameters; undefined when absent. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * @throws AppError `unsupported_media_type` (415) for another Content-Type, `payload_too_large` (413) for a body
 * over `maxBytes` or with more than `maxFields` fields.
 */
export function enforceBodyRules(req: HttpRequest, rules: BodyRules): void {
  const type = mediaType(req.headers['content-type']);
  if (type === undefined || !rules.mediaTypes.includes(type)) {
    throw new AppError('unsupported_media_type', `Content-Type must be ${rules.mediaTypes.join(' or ')}`);
  }
  if (req.rawBody.length > rules.maxBytes) {
    throw new AppError('payload_too_large', `request body exceeds ${rules.maxBytes} bytes`);
  }
  if (rules.maxFields !== undefined && !fieldsWithin(req.rawBody, rules.maxFields)) {
    throw new AppError('payload_too_large', `request body has more than ${rules.maxFields} form fields`);
  }
}

/** Whether a form body has at most `max` fields; stops scanning as soon as it has seen too many separators. */
function fieldsWithin(body: Buffer, max: number): boolean {
  let fields = body.length === 0 ? 0 : 1;
  for (let at = body.indexOf(0x26); at !== -1; at = body.indexOf(0x26, at + 1)) {
    if (++fields > max) return false;
  }
  return fields <= max;
}
