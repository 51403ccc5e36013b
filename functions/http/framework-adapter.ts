// Serves an HttpHandler as a functions-framework HTTP function (Cloud Functions); the framework keeps req.rawBody.
import type { Request, Response } from '@google-cloud/functions-framework';
import { randomUUID } from 'node:crypto';
import { SERVING_DEFAULTS } from '../../core/support/config.ts';
import { AppError, toErrorEnvelope } from '../../core/support/errors.ts';
import { traceFields, type Logger } from '../../core/support/log.ts';
import { errorResponse } from './errors-to-http.ts';
import { requestTarget, type HttpHandler, type HttpRequest, type HttpResponse } from './http-types.ts';
import { RequestGate } from './request-gate.ts';
import { StreamBody, writeStream } from './stream-body.ts';

export function toFrameworkHandler(
  handler: HttpHandler,
  options: { logger: Logger; projectId: string; maxInFlight?: number },
): (req: Request, res: Response) => Promise<void> {
  const gate = new RequestGate(options.maxInFlight ?? SERVING_DEFAULTS.maxInFlight, options.logger);
  return (req, res) =>
    new Promise<void>((done) => {
      const logger = options.logger.child({
        requestId: randomUUID(),
        ...traceFields(req.get('x-cloud-trace-context'), options.projectId),
      });
      const refused = gate.admit(req.path, async () => {
        const response = await respond(handler, req, logger);
        // A streamed body holds its gate slot until it is fully sent or the client left.
        if (response.body instanceof StreamBody) {
          await writeStream(res, response.status, response.headers ?? {}, response.body, logger);
        } else write(res, response, logger);
        done();
      });
      if (refused) {
        write(res, refused, logger);
        done();
      }
    });
}

async function respond(handler: HttpHandler, req: Request, logger: Logger): Promise<HttpResponse> {
  try {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const target = requestTarget(req.originalUrl || req.url);
    const request: HttpRequest = {
      method: req.method,
      path: target.path,
      query: new URLSearchParams(target.search),
      rawQuery: target.search.slice(1),
      headers,
      rawBody: req.rawBody ?? Buffer.alloc(0),
      params: {},
      remoteAddress: req.socket?.remoteAddress,
    };
    return await handler(request, { logger });
  } catch (err) {
    return errorResponse(err, logger);
  }
}

function write(res: Response, response: HttpResponse, logger: Logger): void {
  try {
    res.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) res.set(name, value);
    if (response.body === undefined) res.end();
    else if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) res.send(response.body);
    else res.json(response.body);
  } catch (err) {
    // Only a bug gets here (e.g. a header value node refuses): answer 500 if nothing was sent, never throw.
    logger.error('sending the response failed', { error: err });
    if (!res.headersSent) res.status(500).json(toErrorEnvelope(new AppError('internal', 'internal error')));
    else res.end();
  }
}
