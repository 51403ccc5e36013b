// startProviderSimulator's HTTP edge: malformed requests get an error response and never take the process down.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Severity } from '../core/support/log.ts';
import { HOSTILE_HEADS, rawRequest, statusOf } from '../test/raw-http.ts';
import { MAX_RECORDED_REQUESTS, startProviderSimulator } from './server.ts';
import type { ProviderSimulator } from './types.ts';

const ACCOUNT = 'AC' + '0'.repeat(32);
const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:token`).toString('base64')}`;

let sim: ProviderSimulator | undefined;
let logs: { line: string; severity: Severity }[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  logs = [];
});

async function start(maxRecordedRequests?: number): Promise<ProviderSimulator> {
  sim = await startProviderSimulator({
    ...(maxRecordedRequests === undefined ? {} : { maxRecordedRequests }),
    twilioAccountSid: ACCOUNT,
    twilioAuthToken: 'token',
    elevenlabsApiKey: 'xi-key',
    elevenlabsWebhookSecret: 'wsec',
    elevenlabsWebhookUrl: 'https://hooks.callrelay.test/webhooks/elevenlabs',
    logger: createLogger({ sink: (line, severity) => logs.push({ line, severity }) }),
  });
  return sim;
}

async function stillServes(s: ProviderSimulator): Promise<void> {
  const res = await fetch(`${s.url}/v1/convai/conversations/nope`, { headers: { 'xi-api-key': 'xi-key' } });
  expect(res.status).toBe(404);
}

describe('provider simulator server', () => {
  it('answers 400 to a request target that is not a URL and keeps serving', async () => {
    const s = await start();
    await expect(rawRequest(s.url, 'GET http://[ HTTP/1.1\r\nHost: x').then(statusOf)).resolves.toBe(400);
    await stillServes(s);
  });

  it.each(HOSTILE_HEADS)('answers %s with a 4xx and keeps serving', async (_what, head) => {
    const s = await start();
    const status = statusOf(await rawRequest(s.url, head));
    // 0: CONNECT, which Node hands to a 'connect' listener nobody registers, is closed without an answer.
    expect(status === 0 || (status >= 400 && status < 500)).toBe(true);
    await stillServes(s);
  });

  it.each([
    ['GET /v1/convai/conversations/%ZZ HTTP/1.1\r\nxi-api-key: xi-key', /"detail"/],
    [
      `POST /2010-04-01/Accounts/${ACCOUNT}/Calls/CA1/Transcriptions/%E0%A4.json HTTP/1.1\r\n` +
        `Authorization: ${BASIC}\r\nContent-Length: 0`,
      /"code":20400/,
    ],
  ])('answers 400 in the provider error shape to a malformed path segment (%s)', async (head, shape) => {
    const s = await start();
    const answer = await rawRequest(s.url, `${head}\r\nHost: x`);
    expect(statusOf(answer)).toBe(400);
    expect(answer).toMatch(shape);
    expect(logs.some((l) => l.severity === 'WARNING' && l.line.includes('simulator refused a request'))).toBe(
      true,
    );
    expect(logs.filter((l) => l.severity === 'ERROR')).toEqual([]);
    await stillServes(s);
  });

  it('keeps a bounded number of recorded requests, dropping the oldest', async () => {
    expect(MAX_RECORDED_REQUESTS).toBe(10_000);
    const s = await start(3);
    for (let i = 0; i < 5; i++) await (await fetch(`${s.url}/nothing/${i}`)).arrayBuffer();
    expect(s.requests().map((r) => r.path)).toEqual(['/nothing/2', '/nothing/3', '/nothing/4']);
  });
});
