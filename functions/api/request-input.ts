// Edge parsing for the API: JSON bodies and query strings → typed values, or 400/415/422 in the error envelope.
import type { z } from 'zod';
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
  const details: FieldProblem[] = result.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    problem: issue.message,
  }));
  throw new AppError('validation_failed', 'request is invalid', { details });
}

/** The query string as a plain object (first value per key) for schema validation. */
export function queryObject(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(query.keys())) out[key] = query.get(key) ?? '';
  return out;
}
