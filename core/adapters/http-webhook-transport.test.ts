// The webhook transport's SSRF rule (production mode) and delivery mechanics against real loopback servers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookTransport, type HostResolver } from './http-webhook-transport.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A loopback server answering every request with `handler`; counts requests. */
async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler!(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

const resolver =
  (table: Record<string, string[]>): HostResolver =>
  async (host) =>
    (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('HttpWebhookTransport in production mode (private URLs not allowed)', () => {
  const production = new HttpWebhookTransport({
    allowPrivateUrls: false,
    resolve: resolver({
      'hooks.example.com': ['93.184.215.14'],
      'internal.example.com': ['10.0.0.5'],
      'mixed.example.com': ['93.184.215.14', '127.0.0.1'],
      'mapped.example.com': ['::ffff:169.254.169.254'],
      'ula.example.com': ['fd00::1'],
    }),
  });

  it.each([
    ['http://hooks.example.com/x', /https/],
    ['ftp://hooks.example.com/x', /https/],
    ['https://user:pw@hooks.example.com/x', /credentials/],
    ['https://localhost/x', /internal/],
    ['https://metadata.google.internal/computeMetadata/v1/', /internal/],
    ['https://127.0.0.1/x', /private/],
    ['https://169.254.169.254/latest/meta-data', /private/],
    ['https://[::1]/x', /private/],
    ['https://[::ffff:127.0.0.1]/x', /private/],
    ['https://10.1.2.3/x', /private/],
    ['https://100.64.0.1/x', /private/],
    ['https://192.168.0.10/x', /private/],
    ['https://0.0.0.0/x', /private/],
    ['https://internal.example.com/x', /private/],
    ['https://mixed.example.com/x', /private/],
    ['https://mapped.example.com/x', /private/],
    ['https://ula.example.com/x', /private/],
    ['https://nowhere.example.com/x', /resolve/],
    ['not a url', /valid URL/],
  ])('refuses %s', async (url, reason) => {
    await expect(production.checkUrl(url)).rejects.toMatchObject({
      code: 'unsafe_webhook_url',
      message: reason,
    });
  });

  it('accepts an https URL resolving only to public addresses', async () => {
    await expect(production.checkUrl('https://hooks.example.com/callrelay')).resolves.toBeUndefined();
  });

  it('refuses at delivery time too: a loopback receiver is never contacted', async () => {
    const receiver = await serve((_req, res) => res.end('ok'));
    const result = await production.send({
      url: `https://127.0.0.1:${receiver.port}/x`,
      headers: {},
      body: '{}',
    });
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^address refused/) });
    expect(receiver.hits()).toBe(0);
  });
});

describe('HttpWebhookTransport delivery (private URLs allowed, as on the local stack)', () => {
  it('connects to the address it checked, not to what the name resolves to later (DNS rebinding)', async () => {
    const receiver = await serve((_req, res) => res.writeHead(204).end());
    let lookups = 0;
    // First answer: loopback; every later answer would point elsewhere. Only the checked answer is used.
    const transport = new HttpWebhookTransport({
      allowPrivateUrls: true,
      resolve: async () =>
        lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '192.0.2.1', family: 4 }],
    });
    const result = await transport.send({
      url: `http://receiver.test:${receiver.port}/x`,
      headers: {},
      body: '{}',
    });
    expect(result).toMatchObject({ ok: true, statusCode: 204 });
    expect(lookups).toBe(1);
    expect(receiver.hits()).toBe(1);
  });

  it('sends the body and headers, and treats a 3xx as a failure without following it', async () => {
    const target = await serve((_req, res) => res.end('should not be reached'));
    let seen: { body: string; sig?: string } | undefined;
    const redirecting = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { body: Buffer.concat(chunks).toString(), sig: req.headers['webhook-signature'] as string };
        res.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end();
      });
    });
    const transport = new HttpWebhookTransport({ allowPrivateUrls: true });
    const result = await transport.send({
      url: `http://127.0.0.1:${redirecting.port}/x`,
      headers: { 'webhook-signature': 'v1,abc' },
      body: '{"a":1}',
    });
    expect(result).toMatchObject({ ok: false, statusCode: 302, error: 'redirect not followed (302)' });
    expect(seen).toEqual({ body: '{"a":1}', sig: 'v1,abc' });
    expect(target.hits()).toBe(0);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const hanging = await serve(() => {});
    const transport = new HttpWebhookTransport({ allowPrivateUrls: true, timeoutMs: 300 });
    const result = await transport.send({
      url: `http://127.0.0.1:${hanging.port}/`,
      headers: {},
      body: '{}',
    });
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('reads a huge response only up to its bound', async () => {
    const chatty = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) {
          /* keep writing until the socket pushes back or closes */
        }
      };
      res.on('drain', pump);
      pump();
    });
    const transport = new HttpWebhookTransport({ allowPrivateUrls: true, timeoutMs: 5_000 });
    const result = await transport.send({ url: `http://127.0.0.1:${chatty.port}/`, headers: {}, body: '{}' });
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('reports a refused connection as a failed attempt', async () => {
    const transport = new HttpWebhookTransport({ allowPrivateUrls: true });
    const result = await transport.send({ url: 'http://127.0.0.1:9/', headers: {}, body: '{}' });
    expect(result).toMatchObject({ ok: false, error: 'connection refused' });
  });
});
