// Hostile HTTP requests as fast-check arbitraries, sent as raw bytes: the request-target fuzzing of every server.
import fc from 'fast-check';
import { HOSTILE_HEADS, rawRequest, statusOf } from '../raw-http.ts';

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

/** The request's head (without the blank line) and body. Targets with odd characters are sent as they are. */
export function rawRequestParts(r: HostileRequest): { head: string; body: string } {
  const lines = [`${r.method} ${r.target} HTTP/1.1`];
  if (r.host !== undefined) lines.push(`Host: ${r.host}`);
  for (const [name, value] of r.extraHeaders) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(r.body, 'latin1')}`);
  return { head: lines.join('\r\n'), body: r.body };
}

/**
 * Property: every hostile request (the fixed table of requests that once broke a server, then generated ones) gets
 * an answer below 500 or a close, and the server still answers `check` as before afterwards. An exception
 * escaping a handler would end the test process (vitest fails the run); a wedged handler times the request out.
 */
export async function assertSurvivesHostileRequests(
  url: string,
  check: { head: string; status: number },
  options: { numRuns?: number } = {},
): Promise<void> {
  const checkStatus = async () => statusOf(await rawRequest(url, check.head));
  if ((await checkStatus()) !== check.status) throw new Error(`${check.head} did not answer ${check.status}`);
  for (const [what, head] of HOSTILE_HEADS) {
    const status = statusOf(await rawRequest(url, head));
    if (status >= 500) throw new Error(`answered ${status} to ${what}`);
  }
  await fc.assert(
    fc.asyncProperty(hostileRequest, async (r) => {
      const { head, body } = rawRequestParts(r);
      const status = statusOf(await rawRequest(url, head, body));
      if (status >= 500) throw new Error(`answered ${status} to ${JSON.stringify(head.slice(0, 200))}`);
    }),
    { numRuns: options.numRuns ?? 150 },
  );
  const after = await checkStatus();
  if (after !== check.status) throw new Error(`${check.head} answered ${after} after the hostile requests`);
}
