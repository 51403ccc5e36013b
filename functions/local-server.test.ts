// startLocalServer: close() waits for requests in flight instead of cutting them.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/support/log.ts';
import { json } from './http/http-types.ts';
import { startLocalServer } from './local-server.ts';

describe('startLocalServer', () => {
  it('finishes a request in flight before close() resolves', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    const server = await startLocalServer({
      routes: [
        {
          method: 'GET',
          pattern: '/slow',
          handler: async () => {
            entered();
            await released;
            return json(200, { done: true });
          },
        },
      ],
      port: 0,
      logger: createLogger({ sink: () => {} }),
      projectId: 'demo-test',
    });
    const response = fetch(`${server.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await inHandler;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    release();
    await expect(response).resolves.toEqual({ status: 200, body: { done: true } });
    await closing;
    expect(closed).toBe(true);
  });
});

describe('startLocalServer with malformed requests', () => {
  const echoId = {
    method: 'GET' as const,
    pattern: '/calls/:callId',
    handler: async (req: { params: Record<string, string> }) => json(200, { callId: req.params.callId }),
  };

  /** Sends `requestLine` verbatim on a raw socket and resolves with the status line. */
  function rawRequest(port: number, requestLine: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += String(chunk)));
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
  }

  it('answers 400 to a request target that is not a URL, and keeps serving', async () => {
    const server = await startLocalServer({
      routes: [echoId],
      port: 0,
      logger: createLogger({ sink: () => {} }),
      projectId: 'demo-test',
    });
    try {
      await expect(rawRequest(server.port, 'GET http://[ HTTP/1.1')).resolves.toBe(
        'HTTP/1.1 400 Bad Request',
      );
      await expect(rawRequest(server.port, 'GET http://x:99999/calls/a HTTP/1.1')).resolves.toBe(
        'HTTP/1.1 400 Bad Request',
      );
      // Origin-form: a path that merely looks like an authority is a path, and no route matches it.
      await expect(rawRequest(server.port, 'GET //x:99999/calls/a HTTP/1.1')).resolves.toBe(
        'HTTP/1.1 404 Not Found',
      );
      const res = await fetch(`${server.url}/calls/abc`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it.each(['%E0%A4%A', '%ZZ', '%'])(
    'answers 404 not_found to a path parameter with a malformed escape (%s)',
    async (id) => {
      const server = await startLocalServer({
        routes: [echoId],
        port: 0,
        logger: createLogger({ sink: () => {} }),
        projectId: 'demo-test',
      });
      try {
        const res = await fetch(`${server.url}/calls/${id}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
        await expect(fetch(`${server.url}/calls/a%2Fb`).then((r) => r.json())).resolves.toEqual({
          callId: 'a/b',
        });
      } finally {
        await server.close();
      }
    },
  );
});

describe('startLocalServer error boundary', () => {
  it('answers 500 when a response cannot be sent (a bug), logs it, and keeps serving', async () => {
    const lines: string[] = [];
    const server = await startLocalServer({
      routes: [
        {
          method: 'GET',
          pattern: '/bad-header',
          handler: async () => json(200, { ok: true }, { 'x-bad': 'line\r\nbreak' }),
        },
        { method: 'GET', pattern: '/ok', handler: async () => json(200, { ok: true }) },
      ],
      port: 0,
      logger: createLogger({ sink: (line) => lines.push(line) }),
      projectId: 'demo-test',
    });
    try {
      expect((await fetch(`${server.url}/bad-header`)).status).toBe(500);
      expect(lines.some((l) => l.includes('sending the response failed'))).toBe(true);
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('startLocalServer load shedding', () => {
  it('answers 503 + Retry-After at once while maxInFlight requests are held, serves /healthz, then admits again', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let entered = 0;
    const server = await startLocalServer({
      routes: [
        {
          method: 'POST',
          pattern: '/slow',
          handler: async () => {
            entered += 1;
            await released;
            return json(200, { done: true });
          },
        },
        { method: 'GET', pattern: '/healthz', handler: async () => json(200, { ok: true }) },
      ],
      port: 0,
      logger: createLogger({ sink: () => {} }),
      projectId: 'demo-test',
      maxInFlight: 2,
    });
    try {
      const held = [1, 2].map(() => fetch(`${server.url}/slow`, { method: 'POST', body: 'x' }));
      while (entered < 2) await new Promise((r) => setTimeout(r, 10));
      // Both slots are held by handlers that cannot finish: a third request can only be answered by refusing it.
      const refused = await fetch(`${server.url}/slow`, { method: 'POST', body: 'y'.repeat(100_000) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: { code: 'unavailable' } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(entered).toBe(2);
      release();
      for (const res of await Promise.all(held)) expect(res.status).toBe(200);
      expect((await fetch(`${server.url}/slow`, { method: 'POST', body: 'z' })).status).toBe(200);
    } finally {
      release();
      await server.close();
    }
  });
});
