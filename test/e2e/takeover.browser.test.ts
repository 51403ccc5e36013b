// Taking over a live call from the dashboard in real Chromium: button, confirmation, dispatcher lines appear live.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack, storedEvents } from './local-stack.ts';

/** Slow enough that the agent is still talking when the dispatcher clicks (the call's agent part takes ~10 s). */
const SPEED = 4;
const DISPATCHER_PHONE = '+15550100200';

let stack: RunningStack;
let browser: Browser;
let page: Page;

describe.skipIf(!chromiumAvailable())('take over a live call in Chromium', () => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ speed: SPEED }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('confirms with a number, then shows who took over and the dispatcher speaking live', async () => {
    await page.goto(stack.dashboardUrl);
    await page.fill('#login-email', stack.devUser.email);
    await page.fill('#login-password', stack.devUser.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#board-title');
    await page.goto(`${stack.dashboardUrl}/#/new`);
    await page.fill('#driverId', 'drv-3003');
    await page.fill('#driverName', 'Lee Park');
    await page.fill('#phoneNumber', '+15551230001');
    await page.fill('#violations-0-description', 'Temperature is at 45 degrees but needs to be 38 degrees');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/calls\/call_/);
    const callId = decodeURIComponent(new URL(page.url()).hash.replace('#/calls/', ''));

    // Not answered yet: both actions are off; once in progress they are on.
    await page.waitForSelector('#transcript .bubble[data-speaker="agent"]');
    await page.waitForSelector('#takeover-button:not([disabled])');
    expect(await page.isEnabled('#end-call-button')).toBe(true);

    await page.click('#takeover-button');
    await page.waitForSelector('#takeover-dialog[open]');
    await page.fill('#takeover-phone', '555');
    await page.click('#takeover-confirm');
    expect(await page.textContent('#takeover-error')).toContain('+15551234567');
    await page.fill('#takeover-phone', DISPATCHER_PHONE);
    await page.click('#takeover-confirm');
    await page.waitForSelector('#takeover-dialog', { state: 'detached' });

    const step = await page.waitForSelector('#timeline [data-intervention="takeover"]');
    expect(await step.textContent()).toContain(`Taken over by ${stack.devUser.email}`);
    await page.waitForSelector('#takeover-button[disabled]');
    const dispatcherLine = await page.waitForSelector(
      '#transcript .bubble[data-seq][data-speaker="dispatcher"]',
    );
    expect(await dispatcherLine.textContent()).toContain('Dispatcher');
    // The call is still live when the dispatcher's first words show (no waiting for the end).
    await page.waitForSelector('#transcript .bubble[data-speaker="dispatcher"] >> text=this is dispatch');
    await page.screenshot({ path: artifactPath('call-taken-over.png'), fullPage: true });

    await page.waitForSelector('.call-head [data-status="completed"]', { timeout: 30_000 });
    expect(await page.isDisabled('#end-call-button')).toBe(true);
    const events = await storedEvents(stack, await apiToken(stack), callId);
    const dispatcherSegments = events.filter((e) => e.kind === 'segment' && e.speaker === 'dispatcher');
    expect(dispatcherSegments.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(events)).not.toContain(DISPATCHER_PHONE.slice(1));
  }, 90_000);
});
