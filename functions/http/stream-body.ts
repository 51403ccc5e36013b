// Streamed response bodies: written chunk by chunk as their source yields, with backpressure and client aborts.
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/support/log.ts';

/**
 * A response body produced while it is sent (e.g. a CSV export paging through the store). The source is pulled
 * only as fast as the client reads (the writer waits for `drain`), and `signal` aborts when the client goes away,
 * so a source that checks it stops reading the store. An error after the first chunk cannot become an error
 * status any more: the writer cuts the connection, so the client sees a truncated body, never a complete-looking one.
 */
export class StreamBody {
  constructor(readonly chunks: (signal: AbortSignal) => AsyncIterable<string | Uint8Array>) {}
}

/** Writes `body` to `res` after `writeHead(status, headers)`; resolves once it ended, failed or the client left. */
export async function writeStream(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: StreamBody,
  logger: Logger,
): Promise<void> {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  try {
    res.writeHead(status, headers);
    for await (const chunk of body.chunks(controller.signal)) {
      if (controller.signal.aborted) break;
      if (!res.write(chunk)) await drained(res);
    }
    if (!controller.signal.aborted) res.end();
  } catch (err) {
    if (!controller.signal.aborted) {
      logger.error('streaming the response failed', { error: err });
      res.destroy();
    }
  } finally {
    res.off('close', onClose);
  }
}

/** Resolves when `res` can take more data, or when it closed (the loop then sees the abort). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
