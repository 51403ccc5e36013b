// The Analytics page in real Chromium against the real local stack: single calls with known outcomes (the
// simulator's by-number scripts) counted by the worker's analytics module, shown as figures, charts and a table —
// on a laptop and on a 768×1024 tablet.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsResponse } from '../../core/protocol/rest-api.ts';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack } from './local-stack.ts';

const SPEED = 20;

/** Last digit → script (by-number): 1 acknowledged, 2 no answer, 4 voicemail, 8 disputed (answered, not acknowledged). */
const SEEDED = [
  { phoneNumber: '+15550001001', description: 'Reefer at 45F, needs 38F' },
  { phoneNumber: '+15550001011', description: 'HOS 11-hour driving limit reached' },
  { phoneNumber: '+15550001002', description: 'Reefer at 45F, needs 38F' },
  { phoneNumber: '+15550001004', description: 'HOS 11-hour driving limit reached' },
  { phoneNumber: '+15550001008', description: 'Reefer at 45F, needs 38F' },
];

let stack: RunningStack;
let browser: Browser;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await apiToken(stack)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function signIn(p: Page): Promise<void> {
  await p.goto(stack.dashboardUrl);
  await p.fill('#login-email', stack.devUser.email);
  await p.fill('#login-password', stack.devUser.password);
  await p.click('button[type=submit]');
  await p.waitForSelector('#board-title');
}

/** Painted pixels of a canvas: a chart that drew something has many. */
function paintedPixels(p: Page, selector: string): Promise<number> {
  return p.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  });
}

const figure = (p: Page, name: string) => p.textContent(`#analytics-totals [data-figure=${name}] dd`);

describe.skipIf(!chromiumAvailable())('Analytics page in Chromium', () => {
  let expected: AnalyticsResponse;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack({ speed: SPEED, env: { SIMULATOR_SCRIPT: 'by-number' } }),
      launchChromium(),
    ]);
    for (const [i, seed] of SEEDED.entries()) {
      await api('POST', '/driver_data/call-elevenlabs', {
        driverId: `drv_an_${i}`,
        driverName: `Driver ${i}`,
        phoneNumber: seed.phoneNumber,
        violations: [{ type: 'violation', description: seed.description }],
      });
    }
    // Hand count: five calls end; three are answered by a person (1, 11, 8), two of them acknowledge (1, 11).
    const deadline = Date.now() + 90_000;
    for (;;) {
      expected = await api<AnalyticsResponse>('GET', '/analytics');
      const t = expected.totals;
      if (t.dialed === 5 && t.connected === 3 && t.acknowledged === 2) break;
      if (Date.now() > deadline)
        throw new Error(`analytics never matched the hand count: ${JSON.stringify(t)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the seeded figures, both charts and the table', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    await signIn(page);
    await page.click('nav a[href="#/analytics"]');
    await page.waitForSelector('#analytics-totals [data-figure=dialed]');
    expect(await figure(page, 'dialed')).toBe('5');
    expect(await figure(page, 'answerRate')).toBe('60.0%');
    expect(await figure(page, 'acknowledgmentRate')).toBe('66.7%');
    expect(await figure(page, 'medianSecsToAcknowledge')).toMatch(/^\d+:\d\d$/);
    expect(await figure(page, 'attention')).toBe(
      `${expected.totals.attentionOpened} / ${expected.totals.attentionResolved}`,
    );
    expect(await paintedPixels(page, '#analytics-counts-chart')).toBeGreaterThan(500);
    expect(await paintedPixels(page, '#analytics-rates-chart')).toBeGreaterThan(500);
    // Day rows: the range's days, today's holding the five calls.
    const today = page.locator(`#analytics-table tr[data-key="${expected.to}"] td`);
    expect(await today.allTextContents()).toEqual(
      expect.arrayContaining(['5', '3', '60.0%', '2', '66.7%']) as string[],
    );

    await page.selectOption('#analytics-group', 'violationType');
    await page.waitForSelector('#analytics-table tr[data-key="violation:temperature"]');
    const temperature = await page
      .locator('#analytics-table tr[data-key="violation:temperature"] td')
      .allTextContents();
    // Temperature: 1 (acknowledged), 2 (no answer), 8 (disputed) → 3 dialed, 2 answered, 1 acknowledged.
    expect(temperature.slice(0, 5)).toEqual(['3', '2', '66.7%', '1', '50.0%']);
    const hos = await page
      .locator('#analytics-table tr[data-key="violation:hours_of_service"] td')
      .allTextContents();
    // Hours of service: 11 (acknowledged), 4 (voicemail: not connected) → 2 dialed, 1 answered, 1 acknowledged.
    expect(hos.slice(0, 5)).toEqual(['2', '1', '50.0%', '1', '100.0%']);
    await page.screenshot({ path: artifactPath('analytics-laptop.png'), fullPage: true });
    await page.close();
  });

  it('stays readable on a 768×1024 tablet: no sideways scrolling, charts within the screen', async () => {
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 }, hasTouch: true });
    page.setDefaultTimeout(20_000);
    await signIn(page);
    await page.goto(`${stack.dashboardUrl}/#/analytics`);
    await page.waitForSelector('#analytics-totals [data-figure=dialed]');
    expect(await figure(page, 'dialed')).toBe('5');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    for (const id of ['#analytics-counts-chart', '#analytics-rates-chart']) {
      const box = await page.locator(id).boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(768);
      expect(await paintedPixels(page, id)).toBeGreaterThan(500);
    }
    // The table stays a table (columns compare down the page), within the screen.
    const table = await page.locator('#analytics-table').boundingBox();
    expect((table?.x ?? 0) + (table?.width ?? 0)).toBeLessThanOrEqual(768);
    expect(await page.$eval('#analytics-table thead', (el) => getComputedStyle(el).display)).not.toBe('none');
    // Figures are big enough to read at arm's length.
    const size = await page.$eval('#analytics-totals dd', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(20);
    await page.screenshot({ path: artifactPath('analytics-tablet.png') });
    await page.close();
  });
});
