// Streamed bodies on both transports: whole bodies arrive, a slow reader holds the source back, a leaving one stops it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/support/log.ts';
import { toFrameworkHandler } from './framework-adapter.ts';
import { streamed, type HttpHandler } from './http-types.ts';
import { toNodeListener } from './node-adapter.ts';

const logger = createLogger({ sink: () => undefined });
const CHUNK = 'x'.repeat(64 * 1024);

/** A source that yields `count` chunks (endless when undefined), counting pulls and noting when it was closed. */
function source(count?: number) {
  const state = { pulled: 0, closed: false, onClose: () => {} };
  const closed = new Promise<void>((resolve) => (state.onClose = resolve));
  const handler: HttpHandler = async () =>
    streamed(200, { 'content-type': 'text/plain' }, async function* (signal) {
      try {
        while (count === undefined || state.pulled < count) {
          if (signal.aborted) return;
          state.pulled++;
          yield CHUNK;
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        state.closed = true;
        state.onClose();
      }
    });
  return { state, closed, handler };
}

let fnSeq = 0;
const transports = {
  node: (handler: HttpHandler): Server => createServer(toNodeListener(handler, { logger, projectId: 'p' })),
  framework: (handler: HttpHandler): Server => {
    const name = `streamTest${++fnSeq}`;
    functions.http(name, toFrameworkHandler(handler, { logger, projectId: 'p' }));
    return getTestServer(name);
  },
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function within<T>(promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(Object.keys(transports) as (keyof typeof transports)[])('StreamBody on the %s adapter', (t) => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('sends every chunk, then ends', async () => {
    const { handler, state } = source(20);
    server = transports[t](handler);
    const res = await fetch(await listen(server));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect((await res.text()).length).toBe(20 * CHUNK.length);
    expect(state.closed).toBe(true);
  });

  it('pulls the source only as fast as the client reads (backpressure)', async () => {
    const { handler, state } = source();
    server = transports[t](handler);
    const res = await fetch(await listen(server));
    const reader = res.body!.getReader();
    await reader.read();
    // The client stops reading. Without backpressure the endless source would be pulled thousands of times here;
    // with it, socket and stream buffers fill (a few MB at most) and the writer waits for `drain`.
    await new Promise((r) => setTimeout(r, 1000));
    expect(state.pulled * CHUNK.length).toBeLessThan(32 * 1024 * 1024);
    const before = state.pulled;
    await reader.read();
    await reader.cancel();
    expect(before).toBeGreaterThan(0);
  });

  it('stops the source when the client disconnects', async () => {
    const { handler, closed, state } = source();
    server = transports[t](handler);
    const controller = new AbortController();
    const res = await fetch(await listen(server), { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await within(closed);
    expect(state.closed).toBe(true);
  });
});
