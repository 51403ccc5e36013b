// Hostile bytes on the relay's port: every request and upgrade gets a status, no handler throws, the relay keeps serving.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../core/support/clock.ts';
import { RELAY_WS_PATH } from '../../core/protocol/relay-messages.ts';
import { startRelay, TestSocket, upgradeStatus, type RelayFixture } from './relay.test-kit.ts';

/** Writes raw bytes to the port and resolves everything the server answered before it closed the connection. */
function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, timeoutMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      // The status line and headers are all a case needs (keep-alive and 101 connections stay open).
      if (data.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (data) resolve(data);
      else reject(err);
    });
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1] ?? 0);

const upgrade = (target: string, extra = '', key = 'dGhlIHNhbXBsZSBub25jZQ==') =>
  `GET ${target} HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n${extra}\r\n`;

describe('relay under hostile input', () => {
  let fx: RelayFixture;
  let token: string;
  const faults = { clock: false };
  const clock: Clock = {
    now: () => {
      if (faults.clock) throw new Error('injected clock fault');
      return new Date();
    },
  };

  beforeAll(async () => {
    fx = await startRelay('memory', { closeGraceMs: 200 }, { clock });
    token = await fx.token();
  });
  afterAll(async () => {
    await fx.close();
  });

  async function expectServing(): Promise<void> {
    expect((await fetch(`http://127.0.0.1:${fx.port}/healthz`)).status).toBe(200);
    expect(await upgradeStatus(`${fx.url}?token=${token}`)).toBe(101);
  }

  const plain: Array<[string, () => string | Buffer, number]> = [
    ['a target that is not a URL', () => 'GET http://a:99999/ HTTP/1.1\r\nHost: relay\r\n\r\n', 400],
    // Origin-form: a path that merely looks like an authority, so no such route (not a parse error).
    ['an origin-form path starting with //', () => 'GET //a:99999/ HTTP/1.1\r\nHost: relay\r\n\r\n', 404],
    ['a bad percent escape', () => 'GET /%ZZ HTTP/1.1\r\nHost: relay\r\n\r\n', 404],
    ['a Host with a space', () => 'GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n', 200],
    [
      'an absolute-form target',
      () => 'GET http://elsewhere.example/healthz HTTP/1.1\r\nHost: relay\r\n\r\n',
      200,
    ],
    ['a broken absolute-form target', () => 'GET http://[ HTTP/1.1\r\nHost: relay\r\n\r\n', 400],
    ['an unknown method', () => 'BREW /healthz HTTP/1.1\r\nHost: relay\r\n\r\n', 400],
    ['POST', () => 'POST /healthz HTTP/1.1\r\nHost: relay\r\nContent-Length: 0\r\n\r\n', 405],
    [
      'headers over 16 KiB',
      () => `GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['binary garbage', () => Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), 400],
    ['a bare line feed request', () => 'GET / HTTP/1.1\nHost: relay\n\n\n', 400],
    ['a bad Content-Length', () => 'GET /healthz HTTP/1.1\r\nHost: relay\r\nContent-Length: -1\r\n\r\n', 400],
    [
      'a request smuggling attempt',
      () =>
        'GET /healthz HTTP/1.1\r\nHost: relay\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
  ];

  it.each(plain)('plain request with %s → %i, and the relay keeps serving', async (_name, bytes, status) => {
    expect(statusOf(await rawExchange(fx.port, bytes()))).toBe(status);
    await expectServing();
  });

  const upgrades: Array<[string, () => string, number]> = [
    ['a target that is not a URL', () => upgrade('http://a:99999/'), 400],
    ['an origin-form path starting with //', () => upgrade('//a:99999/'), 404],
    ['a broken absolute-form target', () => upgrade('http://['), 400],
    ['a bad percent escape in the path', () => upgrade('/%ZZ'), 404],
    ['a bad percent escape in the token', () => upgrade(`${RELAY_WS_PATH}?token=%ZZ`), 401],
    ['a garbage ticket', () => upgrade(`${RELAY_WS_PATH}?ticket=a.b.c`), 401],
    ['an empty ticket', () => upgrade(`${RELAY_WS_PATH}?ticket=`), 401],
    ['a ticket id with a path in it', () => upgrade(`${RELAY_WS_PATH}?ticket=..%2FrelayTickets%2Fx`), 401],
    [
      'a Host with a space and no token',
      () => upgrade(RELAY_WS_PATH).replace('Host: relay', 'Host: a b'),
      401,
    ],
    [
      'no Sec-WebSocket-Key',
      () => upgrade(`${RELAY_WS_PATH}?token=${token}`, '', '').replace(/Sec-WebSocket-Key: \r\n/, ''),
      400,
    ],
    ['a malformed Sec-WebSocket-Key', () => upgrade(`${RELAY_WS_PATH}?token=${token}`, '', 'short'), 400],
    [
      'an unknown WebSocket version',
      () => upgrade(`${RELAY_WS_PATH}?token=${token}`).replace('Version: 13', 'Version: 99'),
      400,
    ],
    [
      'Upgrade: h2c',
      () => upgrade(`${RELAY_WS_PATH}?token=${token}`).replace('Upgrade: websocket', 'Upgrade: h2c'),
      400,
    ],
    [
      'a malformed subprotocol list',
      () => upgrade(`${RELAY_WS_PATH}?token=${token}`, 'Sec-WebSocket-Protocol: a,,b\r\n'),
      400,
    ],
    ['method POST', () => upgrade(`${RELAY_WS_PATH}?token=${token}`).replace(/^GET/, 'POST'), 405],
  ];

  it.each(upgrades)('upgrade with %s → %i, and the relay keeps serving', async (_name, bytes, status) => {
    expect(statusOf(await rawExchange(fx.port, bytes()))).toBe(status);
    await expectServing();
  });

  it('closes a socket that sends invalid frames (1002) and keeps serving', async () => {
    const response = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = connect(fx.port, '127.0.0.1', () =>
        socket.write(upgrade(`${RELAY_WS_PATH}?token=${token}`)),
      );
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
        // Unmasked frame with every reserved bit set: invalid from a client.
        if (data.startsWith('HTTP/1.1 101') && data.includes('\r\n\r\n'))
          socket.write(Buffer.from([0xff, 0x05, 1, 2, 3, 4, 5]));
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(statusOf(response)).toBe(101);
    await expectServing();
  });

  it('closes a socket whose message handler throws (1011) instead of crashing the process', async () => {
    const socket = await TestSocket.open(fx.url, token);
    faults.clock = true;
    try {
      socket.send({ type: 'ping' });
      expect((await socket.closed).code).toBe(1011);
    } finally {
      faults.clock = false;
    }
    await expectServing();
  });
});
