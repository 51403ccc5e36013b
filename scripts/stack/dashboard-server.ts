// Serves the built dashboard, its runtime /config.json, and /api/* proxied to the API (as a Hosting rewrite would).
import { createReadStream, existsSync, statSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { ERROR_CODES, type ErrorCode } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { decodePathSegment, parseRequestTarget } from '../../core/support/request-target.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Path prefix proxied to the API; the dashboard's runtime config points `apiBaseUrl` here. */
export const API_PREFIX = '/api';

/** Headers that describe one hop's connection, never forwarded by the proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

export interface DashboardServerOptions {
  distDir: string;
  host: string;
  port: number;
  /** Where `/api/*` goes, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /**
   * The relay origin handed to browsers in `/config.json` (e.g. ws://127.0.0.1:3001), from configuration only: the
   * request's `Host` header is the caller's to choose and must never decide where a dashboard connects.
   */
  relayUrl: string;
  logger: Logger;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A request this server refuses: answered with the status of `code`, logged at warning. */
class RefusedRequest extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the dashboard server. Every request passes one error boundary: whatever a handler throws is answered (400
 * for a refused request, 500 for a bug) and logged, never thrown out of the request listener, where it would end
 * the process and every component in it.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const root = resolve(options.distDir);
  const api = new URL(options.apiUrl);
  const logger = options.logger;
  const configBody = JSON.stringify({ apiBaseUrl: API_PREFIX, relayUrl: options.relayUrl });
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const target = parseRequestTarget(req.url);
    if (!target) throw new RefusedRequest('bad_request', 'the request target is not a path');
    const { path } = target;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
      return proxy(req, res, api, path.slice(API_PREFIX.length) + target.search, logger);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new RefusedRequest('method_not_allowed', 'method not allowed');
    if (path === '/config.json') {
      res.writeHead(200, {
        'content-type': CONTENT_TYPES['.json']!,
        'content-length': Buffer.byteLength(configBody),
        'cache-control': 'no-store',
      });
      return void res.end(configBody);
    }
    return serveFile(res, root, path, logger);
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      answerError(req, res, err, logger);
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger): void {
  const refused = err instanceof RefusedRequest;
  const fields = { method: req.method, target: req.url?.slice(0, 200) };
  if (refused && err.code === 'not_found') logger.debug('dashboard: not found', fields);
  else if (refused) logger.warn(`dashboard refused a request: ${err.message}`, fields);
  else logger.error('dashboard request failed', { ...fields, error: err });
  if (res.headersSent || res.destroyed) return void res.destroy();
  sendError(res, refused ? err.code : 'internal', refused ? err.message : 'internal error');
}

function sendError(res: ServerResponse, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(ERROR_CODES[code], {
    'content-type': CONTENT_TYPES['.json']!,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function serveFile(res: ServerResponse, root: string, urlPath: string, logger: Logger): void {
  const decoded = decodePathSegment(urlPath);
  if (decoded === null || decoded.includes('\0'))
    throw new RefusedRequest('bad_request', 'the path is not valid percent-encoding');
  let file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) throw new RefusedRequest('not_found', 'not found');
  if (!existsSync(file) || statSync(file).isDirectory()) {
    // Unknown paths get the app shell; assets that do not exist are real 404s.
    if (extname(urlPath)) throw new RefusedRequest('not_found', 'not found');
    file = join(root, 'index.html');
  }
  if (!existsSync(file)) return sendError(res, 'unavailable', 'the dashboard is not built');
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  // pipeline, not pipe: a read error (the bundle rebuilt underneath) or a client gone mid-file must not go unhandled.
  pipeline(createReadStream(file), res, (err) => {
    if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
      logger.warn('dashboard file read failed', { file, error: err });
  });
}

/**
 * Forwards one request to the API. The API being down, answering something that is not HTTP, or dropping the
 * connection gives 502 (or a cut response once headers went out); a client that goes away aborts the upstream.
 */
function proxy(req: IncomingMessage, res: ServerResponse, api: URL, target: string, logger: Logger): void {
  const upstream = httpRequest({
    hostname: api.hostname,
    port: api.port,
    method: req.method,
    path: target.startsWith('/') ? target : `/${target}`,
    headers: { ...forwardable(req.headers), host: api.host },
  });
  const fail = (what: string, err: unknown) => {
    logger.warn(`API proxy: ${what}`, { error: err });
    if (res.headersSent || res.destroyed) return void res.destroy();
    sendError(res, 'upstream_unavailable', 'The API is not reachable from the dashboard server.');
  };
  upstream.on('response', (answer) => {
    try {
      res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
    } catch (err) {
      answer.destroy();
      return fail('the API answered with headers that cannot be forwarded', err);
    }
    pipeline(answer, res, (err) => {
      if (err && !res.destroyed) fail('the API response broke off', err);
    });
  });
  upstream.on('error', (err) => fail('the API request failed', err));
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connectionTokens = String(headers.connection ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase());
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !connectionTokens.includes(name)),
  );
}
