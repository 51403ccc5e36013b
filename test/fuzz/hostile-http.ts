// Hostile HTTP requests as fast-check arbitraries, sent as raw bytes: the request-target fuzzing of every server.
import fc from 'fast-check';
import { connect } from 'node:net';

/** Pieces that broke URL handling somewhere: bad escapes, ports out of range, authority forms, traversal. */
const targetPiece = fc.constantFrom(
  '/',
  '//',
  '///',
  '%',
  '%Z',
  '%ZZ',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '/../',
  '?',
  '??',
  '#',
  '@',
  ':',
  ':99999',
  '//a:99999/',
  'http://[',
  'http://a b/',
  'https://x:0/',
  '\\',
  '~',
  'é',
  '\u00ff',
  'config.json',
  'api',
  'healthz',
  'ws',
  'calls',
  'webhooks',
  'index.html',
  '*',
);

/** Real routes of the servers, so hostile tails reach handlers and not only the parsers in front of them. */
const knownPath = fc.constantFrom(
  '/healthz',
  '/config.json',
  '/api/calls/',
  '/api/auth/login',
  '/calls/',
  '/auth/login',
  '/auth/refresh',
  '/webhooks/twilio/status',
  '/webhooks/twilio/voice?callId=',
  '/webhooks/elevenlabs?callId=',
  '/driver_data/conversations/',
  '/ws/calls/transcriptions',
  '/2010-04-01/Accounts/',
  '/v1/convai/conversations/',
  '/assets/',
);

export const hostileTarget = fc.oneof(
  fc
    .tuple(knownPath, fc.array(targetPiece, { maxLength: 4 }))
    .map(([path, parts]) => `${path}${parts.join('')}`),
  fc.array(targetPiece, { minLength: 1, maxLength: 8 }).map((parts) => `/${parts.join('')}`),
  fc.array(targetPiece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom('/', '%', 'a', '.', '?', '=', '&', ':', '@', '[', ']', '#') }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

const hostValue = fc.oneof(
  fc.constantFrom('a b', '', '[', '[::1', 'localhost:99999', 'x:y:z', '..', 'evil.example', '%00', 'é.test'),
  fc.domain(),
);

export interface HostileRequest {
  method: string;
  target: string;
  host: string | undefined;
  extraHeaders: [string, string][];
  body: string;
}

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'CONNECT', 'BREW'),
  target: hostileTarget,
  host: fc.option(hostValue, { nil: undefined }),
  extraHeaders: fc.array(
    fc.tuple(
      fc.constantFrom(
        'content-type',
        'x-forwarded-for',
        'x-forwarded-proto',
        'x-cloud-trace-context',
        'authorization',
        'upgrade',
        'connection',
        'sec-websocket-key',
        'sec-websocket-version',
        'x-twilio-signature',
        'elevenlabs-signature',
        'cookie',
        'origin',
      ),
      fc.oneof(
        fc.string({ maxLength: 40 }).map((v) => v.replace(/[\r\n]/g, '')),
        fc.stringMatching(/^[ -~]{0,60}$/),
      ),
    ),
    { maxLength: 5 },
  ),
  body: fc.oneof(fc.constant(''), fc.string({ maxLength: 200 })),
});

/** The request's bytes. Targets with spaces or control characters are sent as they are: the parser must cope. */
export function rawRequestBytes(r: HostileRequest): string {
  const lines = [`${r.method} ${r.target} HTTP/1.1`];
  if (r.host !== undefined) lines.push(`Host: ${r.host}`);
  for (const [name, value] of r.extraHeaders) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(r.body)}`, 'Connection: close', '', r.body);
  return lines.join('\r\n');
}

/**
 * Sends raw bytes and resolves with the status code of the answer, or 0 when the server closed without one
 * (allowed: e.g. a parse error). Rejects only on a timeout (a wedged handler).
 */
export function sendRaw(port: number, bytes: string, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(bytes.slice(0, 120))}`));
    }, timeoutMs);
    socket.on('data', (chunk) => (data += String(chunk)));
    socket.on('error', () => {
      // A reset after the answer (or instead of one) is fine; 'close' follows.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(match ? Number(match[1]) : 0);
    });
  });
}

/**
 * Property: every hostile request gets an answer below 500 (or a close), and the server still answers `healthPath`
 * with 200 afterwards. An exception escaping a handler would end the test process (vitest fails the run).
 */
export async function assertSurvivesHostileRequests(
  port: number,
  healthPath: string,
  options: { numRuns?: number; allow5xx?: (r: HostileRequest, status: number) => boolean } = {},
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(hostileRequest, async (r) => {
      const status = await sendRaw(port, rawRequestBytes(r));
      if (status >= 500 && !options.allow5xx?.(r, status)) {
        throw new Error(`answered ${status} to ${JSON.stringify(rawRequestBytes(r).slice(0, 200))}`);
      }
    }),
    { numRuns: options.numRuns ?? 150 },
  );
  const health = await sendRaw(
    port,
    `GET ${healthPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  );
  if (health !== 200) throw new Error(`${healthPath} answered ${health} after the hostile requests`);
}
