// Transport-neutral HTTP request/response types: handlers are written once against these.
import { AppError } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { parseRequestTarget, type RequestTarget } from '../../core/support/request-target.ts';
import { StreamBody } from './stream-body.ts';

export interface HttpRequest {
  method: string;
  /** Path without query, e.g. `/calls/abc`. */
  path: string;
  query: URLSearchParams;
  /** The query string exactly as received, without `?` (signatures cover its exact bytes). */
  rawQuery: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** Exact bytes received: signatures are computed over these. */
  rawBody: Buffer;
  /** Path parameters filled by the router (`/calls/:callId` → `{callId}`). */
  params: Record<string, string>;
  remoteAddress?: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /**
   * Objects are sent as JSON; strings and Buffers as-is (set content-type in headers); a `StreamBody` is streamed
   * chunk by chunk (see `stream-body.ts`).
   */
  body?: unknown;
}

export interface RequestContext {
  logger: Logger;
}

export type HttpHandler = (req: HttpRequest, ctx: RequestContext) => Promise<HttpResponse>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

/** A response whose body is written as `chunks` yields (backpressure, abort on client disconnect). */
export function streamed(
  status: number,
  headers: Record<string, string>,
  chunks: (signal: AbortSignal) => AsyncIterable<string | Uint8Array>,
): HttpResponse {
  return { status, headers, body: new StreamBody(chunks) };
}

/**
 * The request's target, parsed by the one request-target parser. node:http passes through targets no URL parser
 * accepts (`GET http://[ HTTP/1.1`); those are the client's mistake (400), and parsing them here, inside the
 * request's promise, keeps a throw from escaping the listener and taking the whole server down.
 */
export function requestTarget(raw: string | undefined): RequestTarget {
  const target = parseRequestTarget(raw);
  if (!target) throw new AppError('bad_request', 'request target is not a valid URL');
  return target;
}
