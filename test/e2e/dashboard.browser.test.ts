// The dispatch dashboard in real Chromium against the real local stack: login, form errors, a live call, relay restart.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack, storedEvents, type StoredEvent } from './local-stack.ts';

/** Fast enough for CI, slow enough that a call is still talking when the relay restarts (~6 s per call). */
const SPEED = 8;

interface RenderedLine {
  seq: number;
  speaker: string;
  text: string;
}

let stack: RunningStack;
let browser: Browser;
let page: Page;

async function signIn(p: Page): Promise<void> {
  await p.goto(stack.dashboardUrl);
  await p.fill('#login-email', stack.devUser.email);
  await p.fill('#login-password', stack.devUser.password);
  await p.click('button[type=submit]');
  await p.waitForSelector('#board-title');
}

async function fillValidCall(p: Page, driver: { id: string; name: string }): Promise<void> {
  await p.fill('#driverId', driver.id);
  await p.fill('#driverName', driver.name);
  await p.fill('#phoneNumber', '+15551230001');
  await p.fill('#violations-0-description', 'Temperature is at 45 degrees but needs to be 38 degrees');
  await p.click('#add-trigger');
  await p.selectOption('#violations-1-type', 'reminder');
  await p.fill('#violations-1-description', 'Please send loaded trailer pictures');
}

async function triggerFromForm(p: Page, driver: { id: string; name: string }): Promise<string> {
  await p.goto(`${stack.dashboardUrl}/#/new`);
  await p.waitForSelector('#form-title');
  await fillValidCall(p, driver);
  await p.click('button[type=submit]');
  await p.waitForURL(/#\/calls\/call_/);
  return decodeURIComponent(new URL(p.url()).hash.replace('#/calls/', ''));
}

function renderedLines(p: Page): Promise<RenderedLine[]> {
  return p.$$eval('#transcript .bubble[data-seq]', (nodes) =>
    nodes.map((n) => ({
      seq: Number((n as HTMLElement).dataset.seq),
      speaker: (n as HTMLElement).dataset.speaker ?? '',
      text: n.querySelector('.bubble-text')?.textContent ?? '',
    })),
  );
}

function segmentsOf(events: StoredEvent[]): RenderedLine[] {
  return events
    .filter((e) => e.kind === 'segment')
    .map((e) => ({ seq: e.seq, speaker: e.speaker ?? '', text: e.text ?? '' }));
}

// Without Chromium (and without CI=true) the global setup warned once: the suite is skipped, not failed.
describe.skipIf(!chromiumAvailable())('dispatch dashboard in Chromium', () => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ speed: SPEED }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refuses a wrong password in words and keeps the form keyboard-usable', async () => {
    await page.goto(stack.dashboardUrl);
    await page.waitForSelector('#login-email');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-email');
    await page.keyboard.type(stack.devUser.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-password');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#login-error:not(:empty)');
    expect(await page.textContent('#login-error')).toBe('Wrong email or password.');
    expect(new URL(page.url()).hash).toBe('#/login');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('opens the relay socket with a single-use ticket: no token in any WebSocket URL', async () => {
    const fresh = await browser.newPage();
    try {
      const urls: string[] = [];
      let authenticated = false;
      fresh.on('websocket', (ws) => {
        urls.push(ws.url());
        ws.on('framereceived', ({ payload }) => {
          if (String(payload).includes('"type":"authenticated"')) authenticated = true;
        });
      });
      await signIn(fresh);
      // The relay accepted the ticket: the socket got `authenticated`.
      const deadline = Date.now() + 20_000;
      while (!authenticated && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(authenticated).toBe(true);
      const relayUrls = urls.filter((u) => u.includes('/ws/calls/transcriptions'));
      expect(relayUrls.length).toBeGreaterThan(0);
      for (const url of relayUrls) {
        const params = new URL(url).searchParams;
        expect(params.get('ticket')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(params.has('token')).toBe(false);
      }
    } finally {
      await fresh.close();
    }
  });

  it('shows the API validation errors next to their fields and places no call', async () => {
    await signIn(page);
    await page.click('#nav >> text=Call a driver');
    await page.waitForSelector('#form-title');
    await page.fill('#driverName', 'Sam Carter');
    await page.fill('#phoneNumber', '555-0100');
    await page.click('button[type=submit]');
    await page.waitForSelector('#form-error:not(:empty)');
    expect(await page.textContent('#form-error')).toContain('Please fix the highlighted fields');
    expect(await page.textContent('[data-error-for="phoneNumber"]')).toMatch(/E\.164/);
    expect(await page.getAttribute('#phoneNumber', 'aria-invalid')).toBe('true');
    expect(((await page.textContent('[data-error-for="driverId"]')) ?? '').length).toBeGreaterThan(0);
    expect(((await page.textContent('[data-error-for="violations.0"]')) ?? '').length).toBeGreaterThan(0);
    expect(await page.getAttribute('#driverName', 'aria-invalid')).toBeNull();
    // The first invalid field has focus, so a keyboard user lands on it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('driverId');
    const token = await apiToken(stack);
    const list = await fetch(`${stack.apiUrl}/calls`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await list.json()) as { calls: unknown[] }).calls).toEqual([]);
  });

  it('streams a triggered call live, line by line, and ends with the summary and outcome', async () => {
    const callId = await triggerFromForm(page, { id: 'drv-1001', name: 'Sam Carter' });
    await page.waitForSelector('#transcript .bubble[data-seq]');
    // The first line arrives while the call is still running: live, not a replay at the end.
    expect(await page.$('#summary')).toBeNull();
    await page.waitForSelector('#summary', { timeout: 30_000 });
    await page.waitForSelector('.call-head [data-status="completed"]');
    expect(await page.textContent('[data-field="acknowledged"] dd')).toBe('Yes');
    expect((await page.textContent('[data-field="eta"] dd')) ?? 'Unknown').not.toBe('Unknown');
    expect(((await page.textContent('#summary')) ?? '').length).toBeGreaterThan(20);
    expect(await page.$$('#transcript [data-tentative]')).toHaveLength(0);
    const timeline = await page.$$eval('#timeline > li[data-status]', (n) =>
      n.map((e) => (e as HTMLElement).dataset.status),
    );
    expect(timeline).toEqual(['queued', 'initiated', 'ringing', 'in-progress', 'completed']);
    // The activity card: the call's audit entries, oldest first (who triggered it; each provider change).
    await page.waitForSelector(
      '#call-audit li[data-action="call.status_changed"]:last-child:has-text("Completed")',
    );
    const activity = await page.$$eval('#call-audit > li', (n) =>
      n.map((e) => `${(e as HTMLElement).dataset.actorKind} ${(e as HTMLElement).dataset.action}`),
    );
    expect(activity[0]).toBe('dispatcher call.triggered');
    expect(activity).toContain('provider call.status_changed');

    const stored = segmentsOf(await storedEvents(stack, await apiToken(stack), callId));
    expect(stored.length).toBeGreaterThanOrEqual(4);
    expect(await renderedLines(page)).toEqual(stored);
    await page.screenshot({ path: artifactPath('call-finished.png'), fullPage: true });

    await page.click('text=← Live calls');
    const row = `tr[data-call-id="${callId}"]`;
    await page.waitForSelector(`${row} [data-status="completed"]`);
    expect(await page.textContent(`${row} td[data-label="Driver"] a`)).toBe('Sam Carter');
    await page.screenshot({ path: artifactPath('board.png'), fullPage: true });
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.screenshot({ path: artifactPath('board-tablet.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 60_000);

  it('survives a relay restart mid-call: the transcript completes with no duplicate and no missing line', async () => {
    const callId = await triggerFromForm(page, { id: 'drv-2002', name: 'Ana Ruiz' });
    await page.waitForSelector('#transcript .bubble[data-seq]');
    await page.waitForSelector('#connection[data-state="open"]');
    const downAt = new Date().toISOString();
    const restarted = stack.restartRelay(1500);
    await page.waitForSelector('#connection[data-state="reconnecting"]');
    await restarted;
    const upAt = new Date().toISOString();
    await page.waitForSelector('#connection[data-state="open"]', { timeout: 20_000 });
    await page.waitForSelector('#summary', { timeout: 30_000 });

    const events = await storedEvents(stack, await apiToken(stack), callId);
    // Events were stored while no relay ran, so the page had to resume them from its last seq.
    expect(events.some((e) => e.recordedAt > downAt && e.recordedAt < upAt)).toBe(true);
    const rendered = await renderedLines(page);
    expect(new Set(rendered.map((l) => l.seq)).size).toBe(rendered.length);
    expect(rendered).toEqual(segmentsOf(events));
    expect(await page.$$('#transcript [data-tentative]')).toHaveLength(0);
    await page.screenshot({ path: artifactPath('call-after-relay-restart.png'), fullPage: true });
  }, 60_000);
});
