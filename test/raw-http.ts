// Raw HTTP/1.1 over a `net` socket, for hostile requests no HTTP client would send, and the table of such requests.
import { connect } from 'node:net';

/**
 * Sends `head` (request line and headers, without the blank line) verbatim, plus `Connection: close` unless it has a
 * Connection header, and resolves with everything the server answered before it closed the connection (an empty
 * string when it closed without answering). The socket is not half-closed: Node's server drops a pending response
 * when the client ends its side first.
 */
export function rawRequest(url: string, head: string, body = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const close = /^connection:/im.test(head) ? '' : '\r\nConnection: close';
    const socket = connect(Number(port), hostname, () =>
      socket.write(`${head}${close}\r\n\r\n${body}`, 'latin1'),
    );
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      // A server may reset a connection it refuses; what it answered before that still counts.
      err.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(err),
    );
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(head)}`)));
  });
}

/** The status code of a raw answer (0 when the server closed without answering). */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
}

/**
 * Request heads that once threw inside request handlers (`decodeURIComponent`, `new URL`) or are close relatives:
 * malformed percent-encoding, targets no URL parser accepts, a path that reads as an authority, hostile Host headers.
 * Every server must answer each with a 4xx (or a page) and keep serving.
 */
export const HOSTILE_HEADS: readonly (readonly [what: string, head: string])[] = [
  ['malformed percent-encoding', 'GET /%ZZ HTTP/1.1\r\nHost: x'],
  ['truncated UTF-8 escape', 'GET /%E0%A4 HTTP/1.1\r\nHost: x'],
  ['encoded NUL', 'GET /%00 HTTP/1.1\r\nHost: x'],
  ['a path that reads as an authority with a bad port', 'GET //a:99999/ HTTP/1.1\r\nHost: x'],
  ['an absolute-form target no URL parser accepts', 'GET http://[ HTTP/1.1\r\nHost: x'],
  ['an asterisk-form target', 'OPTIONS * HTTP/1.1\r\nHost: x'],
  ['an authority-form target', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443'],
  ['a Host with a space', 'GET /config.json HTTP/1.1\r\nHost: a b'],
  ['a Host with a bad port', 'GET /config.json HTTP/1.1\r\nHost: a:99999'],
  ['a Host with a path and userinfo', 'GET /config.json HTTP/1.1\r\nHost: evil@attacker.test/x'],
  ['no Host at all', 'GET /config.json HTTP/1.0'],
  ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b'],
  ['a traversal', 'GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x'],
  ['bytes above ASCII in the target', 'GET /\xff\xfe HTTP/1.1\r\nHost: x'],
  ['a very long path', `GET /${'a'.repeat(60_000)} HTTP/1.1\r\nHost: x`],
  ['an unknown method', 'BREW /coffee HTTP/1.1\r\nHost: x'],
  ['an API path with malformed percent-encoding', 'GET /api/%ZZ HTTP/1.1\r\nHost: x'],
  ['an API path that reads as an authority', 'GET /api//a:99999/ HTTP/1.1\r\nHost: x'],
  ['an upgrade nobody serves', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket'],
];
