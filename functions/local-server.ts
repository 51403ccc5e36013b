// Serves a route table on node:http for the local stack and tests (Cloud Functions use index.ts instead).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/support/log.ts';
import { toNodeListener } from './http/node-adapter.ts';
import { createRouter, type Route } from './http/router.ts';

export interface LocalServerOptions {
  routes: Route[];
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** For trace links in logs. */
  projectId: string;
  /** Default 127.0.0.1; use 0.0.0.0 inside containers. */
  host?: string;
  /** Request body limit; default `MAX_BODY_BYTES` of node-adapter.ts (larger bodies get 413 payload_too_large). */
  maxBodyBytes?: number;
  /** Requests worked on at once; more get 503 at once (default `MAX_IN_FLIGHT`'s, see `parseServingConfig`). */
  maxInFlight?: number;
}

export interface LocalServer {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  server: Server;
  /**
   * Stops accepting, lets requests in flight finish (their handlers may still be writing to the store), then
   * resolves; connections still open after `graceMs` (default 5 s) are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** Starts listening; resolves once the port is bound. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const listener = toNodeListener(createRouter(options.routes), {
    logger: options.logger,
    projectId: options.projectId,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
  });
  const server = createServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((err) => {
          clearTimeout(deadline);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
