// Edge parsing for the API: JSON bodies and query strings → typed values, or 400/415/422 in the error envelope.
import { z } from 'zod';
import type { FieldProblem } from '../../core/protocol/rest-api.ts';
import { AppError } from '../../core/support/errors.ts';
import { mediaType } from '../http/body-rules.ts';
import type { HttpRequest } from '../http/http-types.ts';

/** Parses the request body as JSON; requires `Content-Type: application/json`. */
export function jsonBody(req: HttpRequest): unknown {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new AppError('unsupported_media_type', 'Content-Type must be application/json');
  }
  try {
    return JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw new AppError('invalid_payload', 'body is not valid JSON');
  }
}

/** Validates `input`; failures raise `validation_failed` (422) listing every invalid field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(fieldProblems(result.error, prefix));
}

/** Each issue of a failed parse as `{ field, problem }`, the field a dotted path (`drivers.3.phoneNumber`). */
export function fieldProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    problem: issue.message,
  }));
}

/** The `validation_failed` (422) error listing `details`. */
export function invalid(details: FieldProblem[]): AppError {
  return new AppError('validation_failed', 'request is invalid', { details });
}

/** Longest `Idempotency-Key` accepted. */
export const IDEMPOTENCY_KEY_MAX = 255;

/** The optional `Idempotency-Key` header: 1-255 visible ASCII characters, else 422 naming `header.Idempotency-Key`. */
export function idempotencyKeyOf(req: HttpRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(key) || key.length > IDEMPOTENCY_KEY_MAX) {
    throw invalid([
      {
        field: 'header.Idempotency-Key',
        problem: `must be 1-${IDEMPOTENCY_KEY_MAX} visible ASCII characters`,
      },
    ]);
  }
  return key;
}

/**
 * A resource id from the path (`/campaigns/:campaignId`). Ids callrelay issues are letters, digits, `_` and `-`;
 * anything else names nothing (404, as for an unknown id), and never reaches a store as a document path.
 */
export function resourceId(req: HttpRequest, param: string, what: string): string {
  const id = req.params[param] ?? '';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AppError('not_found', `${what} not found`);
  return id;
}

/** The query string as a plain object (first value per key) for schema validation. */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(query.keys())) out[key] = query.get(key) ?? '';
  return out;
}

/** Query of a newest-first list: `limit` 1-`max`, `cursor` the previous page's `nextCursor` (opaque). */
export function pageQuery(max: number) {
  return z.object({
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a non-negative integer')
      .transform(Number)
      .refine((n) => n >= 1 && n <= max, `must be between 1 and ${max}`)
      .optional(),
    cursor: z.string().max(512, 'is too long').optional(),
  });
}
