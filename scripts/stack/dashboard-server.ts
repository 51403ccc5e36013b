// Serves the built dashboard, its runtime /config.json, and /api/* proxied to the API (as a Hosting rewrite would).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Logger } from '../../core/log.ts';

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

export interface DashboardServerOptions {
  distDir: string;
  host: string;
  port: number;
  /** Where `/api/*` goes, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** Relay port; the relay URL handed to browsers uses the host name they reached the dashboard with. */
  relayPort: number;
  logger: Logger;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const root = resolve(options.distDir);
  const api = new URL(options.apiUrl);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return proxy(req, res, api, options.logger);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
    if (path === '/config.json') return sendConfig(req, res, options.relayPort);
    return serveFile(res, root, path);
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

function sendConfig(req: IncomingMessage, res: ServerResponse, relayPort: number): void {
  const hostname = new URL(`http://${req.headers.host ?? '127.0.0.1'}`).hostname;
  const wsHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  const body = JSON.stringify({ apiBaseUrl: API_PREFIX, relayUrl: `ws://${wsHost}:${relayPort}` });
  res.writeHead(200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' });
  res.end(body);
}

function serveFile(res: ServerResponse, root: string, urlPath: string): void {
  let file = normalize(join(root, decodeURIComponent(urlPath)));
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 404, 'not found');
  if (!existsSync(file) || statSync(file).isDirectory()) {
    // Unknown paths get the app shell; assets that do not exist are real 404s.
    if (extname(urlPath)) return plain(res, 404, 'not found');
    file = join(root, 'index.html');
  }
  if (!existsSync(file)) return plain(res, 503, 'the dashboard is not built');
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
}

function proxy(req: IncomingMessage, res: ServerResponse, api: URL, logger: Logger): void {
  const target = (req.url ?? '/').slice(API_PREFIX.length) || '/';
  const upstream = httpRequest(
    {
      hostname: api.hostname,
      port: api.port,
      method: req.method,
      path: target.startsWith('/') ? target : `/${target}`,
      headers: { ...req.headers, host: api.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    logger.warn('API proxy failed', { error: err.message });
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': CONTENT_TYPES['.json']! });
    res.end(
      JSON.stringify({
        error: { code: 'unavailable', message: 'The API is not reachable from the dashboard server.' },
      }),
    );
  });
  req.pipe(upstream);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
