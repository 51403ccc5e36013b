// The Integrations page in real Chromium against the real local stack and worker: add an endpoint (secret shown once),
// send test events to a loopback receiver, see a failed attempt, retry it after the receiver is fixed, rotate, delete.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthConfig } from '../../core/auth/auth-config.ts';
import { createTokenSigner } from '../../core/auth/sign-token.ts';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack } from './local-stack.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A customer's receiver on loopback: records every request, answers with `status` (changed by the test). */
interface Receiver {
  url: string;
  status: number;
  requests: Received[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url' | 'close'> = { status: 200, requests: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res
        .writeHead(receiver.status, { 'content-type': 'text/plain' })
        .end(receiver.status < 300 ? 'ok' : 'down for maintenance');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks/callrelay`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/**
 * Standard Webhooks verification by hand (HMAC-SHA256 of `id.timestamp.body` keyed with the secret's base64 part):
 * the signatures of `request` that `secret` produced. Independent of callrelay's own signing code.
 */
function signaturesBy(secret: string, request: Received): number {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .filter((entry) => {
      const [version, sig] = entry.split(',');
      const given = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    }).length;
}

async function waitFor<T>(check: () => T | undefined | false, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const JWT_ENV = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  JWT_ISSUER: 'callrelay',
  JWT_AUDIENCE: 'callrelay-dispatch',
};

let stack: RunningStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Receiver;

describe.skipIf(!chromiumAvailable())('Integrations page in Chromium', () => {
  beforeAll(async () => {
    [stack, browser, receiver] = await Promise.all([
      startTestStack({
        speed: 8,
        env: {
          ...JWT_ENV,
          DEV_USER_ROLE: 'admin',
          // The receiver is on loopback, as on `npm start`; production refuses it (covered by the API's tests).
          WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
          WEBHOOK_RETRY_DELAYS: '1,1',
          SCHEDULER_TICK_MS: '100',
        },
      }),
      launchChromium(),
      startReceiver(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.dashboardUrl });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver?.close();
  });

  let secret = '';
  let endpointId = '';

  it('adds an endpoint: refused input explained next to its field, the secret shown once with a copy button', async () => {
    await page.goto(stack.dashboardUrl);
    await page.fill('#login-email', stack.devUser.email);
    await page.fill('#login-password', stack.devUser.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#board-title');
    await page.click('#nav >> text=Integrations');
    await page.waitForSelector('#integrations-title');
    expect(new URL(page.url()).hash).toBe('#/integrations');
    await page.waitForSelector('#endpoints-status:has-text("No endpoints yet")');

    await page.click('#add-endpoint');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('webhook-url');
    // No event chosen: the API's validation error lands under the event checkboxes.
    for (const box of await page.$$('input[name="events"]')) await box.uncheck();
    await page.fill('#webhook-url', receiver.url);
    await page.click('#endpoint-form button[type=submit]');
    await page.waitForSelector('[data-error-for="events"]:not(:empty)');
    expect(await page.textContent('[data-error-for="url"]')).toBe('');

    // A URL callrelay will not call: the refusal is shown under the URL field, and nothing is created.
    await page.check('#event-call-completed');
    await page.check('#event-call-failed');
    await page.fill('#webhook-url', 'ftp://127.0.0.1/hooks');
    await page.click('#endpoint-form button[type=submit]');
    await page.waitForSelector('[data-error-for="url"]:not(:empty)');
    expect(await page.textContent('[data-error-for="url"]')).toMatch(/http/);
    expect(await page.getAttribute('#webhook-url', 'aria-invalid')).toBe('true');
    expect(await page.textContent('[data-error-for="events"]')).toBe('');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('webhook-url');

    await page.fill('#webhook-url', receiver.url);
    await page.fill('#webhook-description', 'TMS staging');
    await page.click('#endpoint-form button[type=submit]');
    await page.waitForSelector('#secret-reveal');
    secret = (await page.inputValue('#secret-value')) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
    expect(await page.textContent('#secret-warning')).toContain('you will not see it again');
    expect(await page.isHidden('#endpoint-form')).toBe(true);
    await page.click('#copy-secret');
    await page.waitForSelector('#copy-status:has-text("Copied")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const row = page.locator('#endpoints tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    endpointId = (await row.getAttribute('data-endpoint-id')) ?? '';
    expect(await row.locator('td[data-label="Events"]').textContent()).toBe('Call completed, Call failed');
    expect(await row.locator('[data-status]').first().textContent()).toBe('Active');
    await page.screenshot({ path: artifactPath('integrations-secret-once.png'), fullPage: true });

    await page.click('#secret-done');
    expect(await page.$('#secret-reveal')).toBeNull();
    // Gone from the page: the secret is nowhere in the DOM any more, and no API answer will show it again.
    expect(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret)).toBe(false);
  });

  it('sends a test event from the endpoint page (deep link) and shows the delivery succeed, signed', async () => {
    await page.goto(`${stack.dashboardUrl}/#/integrations/${endpointId}`);
    await page.waitForSelector('#endpoint-url');
    expect(await page.textContent('#endpoint-url')).toBe(receiver.url);
    expect(await page.textContent('[data-fact="phones"] dd')).toBe('Not included');
    await page.waitForSelector('#deliveries-status:has-text("No deliveries yet")');

    await page.click('#send-test');
    const row = page.locator('#deliveries tbody tr').first();
    await page.waitForSelector('#deliveries tbody tr[data-status="succeeded"]');
    expect(await row.locator('[data-field="status-code"]').textContent()).toBe('200');
    expect(await row.locator('[data-field="latency"]').textContent()).toMatch(/^\d+(\.\d)? m?s$/);
    expect(await row.locator('td[data-label="Event"]').textContent()).toContain('Test event');
    const deliveryId = await row.getAttribute('data-delivery-id');

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.headers['webhook-id']).toBe(deliveryId);
    expect(signaturesBy(secret, request!)).toBe(1);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'webhook.test', data: { endpointId } });
  });

  it('shows a failed attempt, and Retry after the receiver is fixed delivers it with the same webhook-id', async () => {
    receiver.status = 500;
    await page.click('#send-test');
    await page.waitForSelector('#deliveries tbody tr[data-status="failed"]');
    const failed = page.locator('#deliveries tbody tr[data-status="failed"]');
    const deliveryId = (await failed.getAttribute('data-delivery-id')) ?? '';
    expect(await failed.locator('[data-field="status-code"]').textContent()).toBe('500');
    expect(await failed.locator('[data-field="error"]').textContent()).toContain('500');
    expect(await failed.locator('[data-field="attempts"]').textContent()).toContain('1 attempt');
    await page.screenshot({ path: artifactPath('integrations-delivery-failed.png'), fullPage: true });

    receiver.status = 200;
    await failed.locator('button.retry').click();
    const row = page.locator(`#deliveries tbody tr[data-delivery-id="${deliveryId}"]`);
    await waitFor(() => receiver.requests.length === 3, 'the retried request');
    await page.waitForSelector(
      `#deliveries tbody tr[data-delivery-id="${deliveryId}"][data-status="succeeded"]`,
    );
    expect(await row.locator('[data-field="status-code"]').textContent()).toBe('200');
    expect(await row.locator('[data-field="error"]').textContent()).toBe('');
    await row.locator('summary').click();
    expect(await row.locator('[data-field="attempts"] summary').textContent()).toBe('2 attempts');
    const attempts = await row
      .locator('li[data-attempt-status]')
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.attemptStatus));
    expect(attempts).toEqual(['failed', 'succeeded']);
    // The failed attempt and the retry: one event, one webhook-id, both signed.
    const [first, second] = receiver.requests.slice(1);
    expect(first!.headers['webhook-id']).toBe(deliveryId);
    expect(second!.headers['webhook-id']).toBe(deliveryId);
    expect(second!.body).toBe(first!.body);
    expect(signaturesBy(secret, second!)).toBe(1);
    await page.screenshot({ path: artifactPath('integrations-delivery-retried.png'), fullPage: true });
  });

  it('delivers a real call.completed when a call ends, without phone numbers, and lists it', async () => {
    const token = await apiToken(stack);
    const before = receiver.requests.length;
    const started = await fetch(`${stack.apiUrl}/driver_data/call-elevenlabs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        driverId: 'drv-7007',
        driverName: 'Lee Moss',
        phoneNumber: '+15551237007',
        violations: [{ type: 'violation', description: 'Reefer at 45 degrees, needs 38' }],
      }),
    });
    expect(started.status).toBe(201);
    const { callId } = (await started.json()) as { callId: string };
    const request = await waitFor(
      () => receiver.requests.slice(before).find((r) => JSON.parse(r.body).type === 'call.completed'),
      'the call.completed delivery',
      60_000,
    );
    const event = JSON.parse(request.body) as {
      data: { callId: string; outcome: { acknowledged: unknown } };
    };
    expect(event.data.callId).toBe(callId);
    expect(event.data.outcome.acknowledged).toBe(true);
    expect(request.body).not.toContain('5551237007');
    expect(signaturesBy(secret, request)).toBe(1);

    // The page polls its log; Refresh shows the new delivery at once (it succeeds, or is about to be recorded so).
    await page.click('#refresh-deliveries');
    const row = `#deliveries tbody tr[data-delivery-id="${String(request.headers['webhook-id'])}"]`;
    await page.waitForSelector(`${row}[data-status="succeeded"]`);
    expect(await page.textContent(`${row} td[data-label="Event"]`)).toContain('Call completed');
  }, 90_000);

  it('rotates the secret: the new one shown once, both secrets sign until the stated time', async () => {
    await page.click('#rotate-secret');
    await page.waitForSelector('dialog[open] #confirm-title');
    await page.click('#confirm-yes');
    await page.waitForSelector('#secret-reveal #previous-secret-note');
    const rotated = await page.inputValue('#secret-value');
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    const until = Date.parse((await page.getAttribute('#previous-secret-note time', 'datetime')) ?? '');
    expect(until).toBeGreaterThan(Date.now() + 3600_000);
    await page.click('#secret-done');

    const before = receiver.requests.length;
    await page.click('#send-test');
    await waitFor(() => receiver.requests.length > before, 'the test event after rotation');
    const request = receiver.requests.at(-1)!;
    expect(signaturesBy(rotated, request)).toBe(1);
    expect(signaturesBy(secret, request)).toBe(1);
  });

  it('deletes the endpoint after a confirmation, and shows dispatchers a page saying admins manage it', async () => {
    await page.click('#delete-endpoint');
    await page.waitForSelector('dialog[open] #confirm-title');
    // Cancel first: nothing happens.
    await page.click('#confirm-no');
    await page.waitForSelector('dialog', { state: 'detached' });
    expect(new URL(page.url()).hash).toBe(`#/integrations/${endpointId}`);
    await page.click('#delete-endpoint');
    await page.click('#confirm-yes');
    await page.waitForURL(/#\/integrations$/);
    await page.waitForSelector('#endpoints-status:has-text("No endpoints yet")');

    const signer = await createTokenSigner(parseAuthConfig(JWT_ENV));
    const { token } = await signer({ sub: 'usr_dispatcher', org: 'org-e2e', role: 'dispatcher' });
    const api = await fetch(`${stack.apiUrl}/webhook-endpoints`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(403);
    // A dispatcher's tab: the session is in sessionStorage before the dashboard's first script runs (as after login).
    const dispatcherContext = await browser.newContext();
    await dispatcherContext.addInitScript((t: string) => {
      sessionStorage.setItem('callrelay.session', JSON.stringify({ token: t }));
    }, token);
    const dispatcher = await dispatcherContext.newPage();
    dispatcher.setDefaultTimeout(20_000);
    try {
      await dispatcher.goto(`${stack.dashboardUrl}/#/integrations`);
      await dispatcher.waitForSelector('#admins-only');
      expect(await dispatcher.isHidden('#nav-integrations')).toBe(true);
      expect(await dispatcher.isVisible('#nav >> text=Live calls')).toBe(true);
    } finally {
      await dispatcherContext.close();
    }
  });
});
