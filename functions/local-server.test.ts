// startLocalServer: close() waits for requests in flight instead of cutting them.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
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
    const response = fetch(`${server.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
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
