// Small HTTP helpers for the simulator's provider APIs: body reading, form parsing, typed responses, Basic auth.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { decodePathSegment } from '../core/support/request-target.ts';

/** Largest request body the simulator reads; provider API requests are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface SimRequest {
  method: string;
  path: string;
  /** The query string (`?…`) or empty. */
  search: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  contentType: string;
  body: string;
}

export function json(status: number, body: unknown): SimResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

export function xml(status: number, body: string): SimResponse {
  return { status, contentType: 'text/xml', body };
}

export class BodyTooLargeError extends Error {}

/** A request the simulator cannot read (a target that is not a path, a path segment that is not percent-encoding). */
export class MalformedRequestError extends Error {}

/** A captured path segment, percent-decoded; throws MalformedRequestError (→ 400) for malformed encoding. */
export function pathSegment(encoded: string | undefined): string {
  const decoded = decodePathSegment(encoded ?? '');
  if (decoded === null) throw new MalformedRequestError('a path segment is not valid percent-encoding');
  return decoded;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form fields as a plain object; repeated keys (StatusCallbackEvent) become arrays. */
export function formToObject(form: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
