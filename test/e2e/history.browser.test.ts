// The History page in real Chromium against the real local stack: search by a word the driver said, export CSV.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack } from './local-stack.ts';

const SPEED = 8;

let stack: RunningStack;
let browser: Browser;
let page: Page;
let token: string;
const callIds: Record<string, string> = {};

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!chromiumAvailable())('History page in Chromium', () => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ speed: SPEED }), launchChromium()]);
    token = await apiToken(stack);
    // Two calls the simulator plays with the `acknowledged` script ("I am parked at the truck stop").
    for (const [driverId, driverName] of [
      ['drv_hist_a', 'Alex Adams'],
      ['drv_hist_b', 'Blair Brooks'],
    ] as const) {
      const created = await api<{ callId: string }>('POST', '/driver_data/call-elevenlabs', {
        driverId,
        driverName,
        phoneNumber: '+15551230001',
        violations: [{ type: 'violation', description: 'Reefer at 45F, needs 38F' }],
      });
      callIds[driverId] = created.callId;
    }
    await until('both calls to be concluded and searchable', async () => {
      const page = await api<{ calls: unknown[] }>('GET', '/calls?q=truck&outcome=acknowledged');
      return page.calls.length === 2 ? true : undefined;
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    page.setDefaultTimeout(20_000);
    await page.goto(stack.dashboardUrl);
    await page.fill('#login-email', stack.devUser.email);
    await page.fill('#login-password', stack.devUser.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#board-title');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const rowIds = () =>
    page.$$eval('#history-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-call-id')));

  it(
    'finds a call by a word the driver said, with the filters in a deep link',
    { timeout: 120_000 },
    async () => {
      await page.click('#nav a[href="#/history"]');
      await page.waitForSelector('#history-title');
      await page.waitForSelector('#history-table tbody tr');
      expect(await rowIds()).toEqual([callIds.drv_hist_b, callIds.drv_hist_a]);

      await page.fill('#history-q', 'Truck PARKED');
      await page.fill('#history-driver', 'drv_hist_b');
      await page.selectOption('#history-outcome', 'acknowledged');
      await page.click('#history-search');
      await page.waitForURL(/#\/history\?.*q=Truck/);
      await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length === 1);
      expect(await rowIds()).toEqual([callIds.drv_hist_b]);
      expect(await page.textContent('#history-table tbody tr [data-outcome]')).toContain('Acknowledged');

      // The URL is the list: loading it afresh (same tab, so the same session) shows the same filters and rows.
      const deepLink = page.url();
      await page.click('#nav a[href="#/calls"]');
      await page.waitForSelector('#board-title');
      await page.goto(deepLink);
      await page.reload();
      await page.waitForSelector('#history-title');
      await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length === 1);
      expect(await page.inputValue('#history-q')).toBe('Truck PARKED');
      expect(await page.inputValue('#history-outcome')).toBe('acknowledged');
      expect(await rowIds()).toEqual([callIds.drv_hist_b]);
      await page.screenshot({ path: artifactPath('history-search.png'), fullPage: true });

      await page.fill('#history-q', 'zebra');
      await page.click('#history-search');
      await page.waitForSelector('#history-status:has-text("No calls match")');
    },
  );

  it(
    'exports the current filters as a CSV download with the expected rows',
    { timeout: 120_000 },
    async () => {
      await page.fill('#history-q', 'truck');
      await page.fill('#history-driver', '');
      await page.click('#history-search');
      await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length === 2);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#history-export')]);
      expect(download.suggestedFilename()).toBe('calls.csv');
      const csv = await readFile((await download.path())!, 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'callId,driverId,driverName,createdAt,answeredAt,endedAt,durationSecs,status,acknowledged,eta,photosPromised,escalation,optedOut,summary,campaignId',
      );
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(
        new RegExp(`^${callIds.drv_hist_b},drv_hist_b,Blair Brooks,.*,completed,true,`),
      );
      expect(lines[2]).toMatch(new RegExp(`^${callIds.drv_hist_a},drv_hist_a,Alex Adams,`));
      expect(csv).not.toContain('5551230001');
    },
  );
});
