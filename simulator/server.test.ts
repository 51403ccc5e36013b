// startProviderSimulator's HTTP edge: malformed requests get an error response and never take the process down.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
import { startProviderSimulator } from './server.ts';
import type { ProviderSimulator } from './types.ts';

let sim: ProviderSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Sends `requestLine` verbatim and resolves with the status line of the answer. */
function rawRequest(url: string, requestLine: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (chunk) => (data += String(chunk)));
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('provider simulator server', () => {
  it('answers 400 to a request target that is not a URL and keeps serving', async () => {
    sim = await startProviderSimulator({
      twilioAccountSid: 'AC' + '0'.repeat(32),
      twilioAuthToken: 'token',
      elevenlabsApiKey: 'xi-key',
      elevenlabsWebhookSecret: 'wsec',
      elevenlabsWebhookUrl: 'https://hooks.callrelay.test/webhooks/elevenlabs',
      logger: createLogger({ sink: () => {} }),
    });
    await expect(rawRequest(sim.url, 'GET http://[ HTTP/1.1')).resolves.toBe('HTTP/1.1 400 Bad Request');
    const res = await fetch(`${sim.url}/v1/convai/conversations/nope`, {
      headers: { 'xi-api-key': 'xi-key' },
    });
    expect(res.status).toBe(404);
  });
});
