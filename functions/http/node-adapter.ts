// Serves an HttpHandler from a plain node:http server (local stack and tests), with a body limit and load shedding.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SERVING_DEFAULTS } from '../../core/support/config.ts';
import { AppError } from '../../core/support/errors.ts';
import { traceFields, type Logger } from '../../core/support/log.ts';
import { errorResponse } from './errors-to-http.ts';
import { requestTarget, type HttpHandler, type HttpRequest, type HttpResponse } from './http-types.ts';
import { RequestGate } from './request-gate.ts';
import { StreamBody, writeStream } from './stream-body.ts';

/** Largest request body accepted (ElevenLabs post-call transcripts are well under this). */
export const MAX_BODY_BYTES = 1024 * 1024;

export function toNodeListener(
  handler: HttpHandler,
  options: { logger: Logger; projectId: string; maxBodyBytes?: number; maxInFlight?: number },
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const gate = new RequestGate(options.maxInFlight ?? SERVING_DEFAULTS.maxInFlight, options.logger);
  return (req, res) => {
    const logger = options.logger.child({
      requestId: randomUUID(),
      ...traceFields(header(req, 'x-cloud-trace-context'), options.projectId),
    });
    const refused = gate.admit(req.url, () => handle(req, res, logger));
    if (refused) {
      req.resume();
      send(res, refused);
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
    return readBody(req, limit)
      .then((rawBody) => {
        const target = requestTarget(req.url);
        const request: HttpRequest = {
          method: req.method ?? 'GET',
          path: target.path,
          query: new URLSearchParams(target.search),
          rawQuery: target.search.slice(1),
          headers: headersOf(req),
          rawBody,
          params: {},
          remoteAddress: req.socket.remoteAddress,
        };
        return handler(request, { logger });
      })
      .catch((err: unknown) => errorResponse(err, logger))
      .then((response) =>
        response.body instanceof StreamBody
          ? writeStream(res, response.status, response.headers ?? {}, response.body, logger)
          : send(res, response),
      )
      .catch((err: unknown) => {
        // Only a bug gets here (e.g. a header value node refuses): answer 500 if nothing was sent, never throw.
        logger.error('sending the response failed', { error: err });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end();
      });
  }
}

export function send(res: ServerResponse, response: HttpResponse): void {
  const headers = { ...(response.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (response.body === undefined) payload = undefined;
  else if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) payload = response.body;
  else {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new AppError('payload_too_large', `request body exceeds ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
