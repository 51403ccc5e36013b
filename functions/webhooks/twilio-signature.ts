// Verifies `X-Twilio-Signature` on a webhook against its public URL and returns the signed form parameters.
import twilio from 'twilio';
import { AppError } from '../../core/support/errors.ts';
import { enforceBodyRules, type BodyRules } from '../http/body-rules.ts';
import type { HttpRequest } from '../http/http-types.ts';
import { parseJsonText } from './payload-parse.ts';

/** Header Twilio signs every webhook with (node lower-cases header names). */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/**
 * What a Twilio webhook may look like before its signature is checked. Twilio's callbacks carry a few dozen fields
 * and well under 8 KiB; the limits leave room for new fields while bounding the work an unsigned request causes.
 */
export const TWILIO_BODY_RULES = {
  form: { mediaTypes: ['application/x-www-form-urlencoded'], maxBytes: 64 * 1024, maxFields: 256 },
  json: { mediaTypes: ['application/json'], maxBytes: 64 * 1024 },
} as const satisfies Record<string, BodyRules>;

/**
 * Verifies a Twilio webhook and returns its parameters (all of them, untrimmed; for a repeated key the first value).
 *
 * `publicUrl` is the URL Twilio called: `PUBLIC_BASE_URL` + the route's public path + the request's query string
 * (see {@link publicRequestUrl}); functions sit behind proxies/rewrites, so the inbound URL is never used.
 * Form-encoded bodies are signed over URL + sorted params; JSON bodies (URL carries `bodySHA256`) over the URL with
 * the body hash checked separately. Comparison is constant-time (twilio SDK `validateRequest`).
 *
 * @throws AppError `missing_signature` without the header, `invalid_signature` when it does not match.
 */
export function verifyTwilioRequest(
  req: HttpRequest,
  publicUrl: string,
  authToken: string,
): Record<string, string> {
  const signature = req.headers[TWILIO_SIGNATURE_HEADER];
  if (!signature) throw new AppError('missing_signature', 'X-Twilio-Signature header is missing');
  const jsonBody = publicUrl.includes('bodySHA256=');
  enforceBodyRules(req, jsonBody ? TWILIO_BODY_RULES.json : TWILIO_BODY_RULES.form);
  const body = req.rawBody.toString('utf8');
  if (jsonBody) {
    if (!twilio.validateRequestWithBody(authToken, signature, publicUrl, body)) {
      throw new AppError('invalid_signature', 'X-Twilio-Signature does not match');
    }
    return jsonParams(body);
  }
  const { signed, first } = formParams(body);
  if (!twilio.validateRequest(authToken, signature, publicUrl, signed)) {
    throw new AppError('invalid_signature', 'X-Twilio-Signature does not match');
  }
  return first;
}

/**
 * The form's parameters as the SDK signs them (every value of a repeated key) and as handlers read them (its first
 * value), from one pass over the body (`URLSearchParams.getAll` per key would be quadratic in the field count). Without
 * repeated keys, the usual case, both are one object: the SDK only reads it. `Object.fromEntries` defines each key as
 * an own property, so a field named `__proto__` is data, not a prototype.
 */
function formParams(body: string): {
  signed: Record<string, string | string[]>;
  first: Record<string, string>;
} {
  const values = new Map<string, string | string[]>();
  let repeated = false;
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = values.get(key);
    if (seen === undefined) values.set(key, value);
    else {
      repeated = true;
      if (Array.isArray(seen)) seen.push(value);
      else values.set(key, [seen, value]);
    }
  }
  const signed = Object.fromEntries(values);
  if (!repeated) return { signed, first: signed as Record<string, string> };
  const first = Object.fromEntries([...values].map(([key, v]) => [key, Array.isArray(v) ? v[0]! : v]));
  return { signed, first };
}

/** The URL Twilio requested: public base + the route's public path + the query string exactly as received. */
export function publicRequestUrl(publicBaseUrl: string, publicPath: string, req: HttpRequest): string {
  const query = req.rawQuery;
  return `${publicBaseUrl}${publicPath}${query ? `?${query}` : ''}`;
}

function jsonParams(body: string): Record<string, string> {
  // No `cause`: a SyntaxError's message quotes the body (phone numbers), and causes are logged at the edge.
  const parsed = parseJsonText(body, 'body');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('invalid_payload', 'body must be a JSON object');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null && value !== undefined)
      out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
