// The dashboard server's edge: hostile requests are answered and logged, never crash it; /config.json ignores Host.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Severity } from '../../core/support/log.ts';
import { freePort } from '../../test/emulators.ts';
import { HOSTILE_HEADS, rawRequest, statusOf } from '../../test/raw-http.ts';
import { startDashboardServer, type DashboardServer } from './dashboard-server.ts';

const RELAY_URL = 'ws://relay.configured.test:3001';
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function distDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'callrelay-dashboard-test-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>callrelay dispatch</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

async function listen<T extends Server | ReturnType<typeof createNetServer>>(server: T): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => server.close(r)));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

async function dashboard(apiUrl: string) {
  const logs: { line: string; severity: Severity }[] = [];
  const server: DashboardServer = await startDashboardServer({
    distDir: distDir(),
    host: '127.0.0.1',
    port: 0,
    apiUrl,
    relayUrl: RELAY_URL,
    logger: createLogger({ sink: (line, severity) => logs.push({ line, severity }), level: 'DEBUG' }),
  });
  closers.push(() => server.close());
  return { server, logs };
}

/** An API stand-in that answers every request with its method and path. */
async function echoApi(): Promise<{ url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const api = createHttpServer((req, res) => {
    seen.push(req);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, path: req.url }));
  });
  return { url: await listen(api), seen };
}

async function stillServes(server: DashboardServer): Promise<void> {
  const page = await fetch(server.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('callrelay dispatch');
}

describe('dashboard server', () => {
  it.each(HOSTILE_HEADS)('answers %s and keeps serving', async (_what, head) => {
    const { url } = await echoApi();
    const { server } = await dashboard(url);
    const answer = await rawRequest(server.url, head);
    const status = statusOf(answer);
    // A page for a path that merely looks odd, a 4xx for what is not a request for one, or (CONNECT, which Node
    // hands to a 'connect' listener nobody registers) a closed connection; never a 5xx, never a crash.
    expect(status === 0 || status === 200 || (status >= 400 && status < 500), answer.slice(0, 200)).toBe(
      true,
    );
    await stillServes(server);
  });

  it.each([
    ['GET /%ZZ HTTP/1.1\r\nHost: x', 400],
    ['GET //a:99999/ HTTP/1.1\r\nHost: x', 200],
    ['GET http://[ HTTP/1.1\r\nHost: x', 400],
    ['OPTIONS * HTTP/1.1\r\nHost: x', 400],
    ['GET /%00 HTTP/1.1\r\nHost: x', 400],
    ['GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x', 404],
    ['GET /assets/missing.js HTTP/1.1\r\nHost: x', 404],
    ['DELETE /index.html HTTP/1.1\r\nHost: x', 405],
  ])('answers %j with %i and a stable error code', async (head, expected) => {
    const { server } = await dashboard('http://127.0.0.1:1');
    const answer = await rawRequest(server.url, head);
    expect(statusOf(answer)).toBe(expected);
    if (expected >= 400) expect(answer).toMatch(/"code":"(bad_request|not_found|method_not_allowed)"/);
  });

  it('logs a refused request', async () => {
    const { server, logs } = await dashboard('http://127.0.0.1:1');
    await rawRequest(server.url, 'GET /%ZZ HTTP/1.1\r\nHost: x');
    expect(logs.some((l) => l.severity === 'WARNING' && l.line.includes('dashboard refused a request'))).toBe(
      true,
    );
  });

  it.each(['a b', 'attacker.test', 'attacker.test:666', '[::1]:1', 'evil@attacker.test/x'])(
    'builds /config.json from configuration, whatever the Host (%s)',
    async (host) => {
      const { server } = await dashboard('http://127.0.0.1:1');
      const answer = await rawRequest(server.url, `GET /config.json HTTP/1.1\r\nHost: ${host}`);
      expect(statusOf(answer)).toBe(200);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toEqual({ apiBaseUrl: '/api', relayUrl: RELAY_URL });
      expect(answer).not.toContain(host.includes('attacker') ? 'attacker' : host);
    },
  );

  it('proxies /api/* with its query to the API, resolving dot segments', async () => {
    const api = await echoApi();
    const { server } = await dashboard(api.url);
    const res = await fetch(`${server.url}/api/calls?status=active`);
    expect(await res.json()).toEqual({ method: 'GET', path: '/calls?status=active' });
    const odd = await rawRequest(server.url, 'GET /api//a:99999/x HTTP/1.1\r\nHost: x');
    expect(statusOf(odd)).toBe(200);
    expect(odd).toContain('"path":"//a:99999/x"');
  });

  it('answers 502 upstream_unavailable when the API is down, and keeps serving', async () => {
    const { server } = await dashboard(`http://127.0.0.1:${await freePort()}`);
    const res = await fetch(`${server.url}/api/calls`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
    await stillServes(server);
  });

  it.each([
    ['an answer that is not HTTP', 'NOT HTTP AT ALL\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'],
    ['a content length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n'],
    ['a status code out of range', 'HTTP/1.1 99 Low\r\nContent-Length: 0\r\n\r\n'],
  ])('answers 502 when the API sends %s, and keeps serving', async (_what, reply) => {
    const api = createNetServer((socket) => socket.once('data', () => socket.end(reply)));
    const { server } = await dashboard(await listen(api));
    const res = await fetch(`${server.url}/api/calls`);
    expect(res.status).toBe(502);
    await stillServes(server);
  });

  it('cuts the response when the API breaks off mid-body, and keeps serving', async () => {
    const api = createNetServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 50);
      }),
    );
    const { server } = await dashboard(await listen(api));
    const answer = await rawRequest(server.url, 'GET /api/calls HTTP/1.1\r\nHost: x');
    expect(statusOf(answer)).toBe(200);
    expect(answer).toContain('partial');
    await stillServes(server);
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed = false;
    const held: Socket[] = [];
    const api = createHttpServer((req) => {
      // Never answers: the request stays open until the dashboard server drops it.
      held.push(req.socket);
      req.socket.once('close', () => (upstreamClosed = true));
    });
    closers.push(async () => held.forEach((s) => s.destroy()));
    const { server } = await dashboard(await listen(api));
    const controller = new AbortController();
    const pending = fetch(`${server.url}/api/slow`, { signal: controller.signal }).catch(() => 'aborted');
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    controller.abort();
    expect(await pending).toBe('aborted');
    await expect.poll(() => upstreamClosed, { timeout: 10_000 }).toBe(true);
    await stillServes(server);
  });
});
