// Campaigns, Attention and Suppressions pages in real Chromium against the real local stack (API, relay, simulator).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../scripts/stack/start-stack.ts';
import { artifactPath, chromiumAvailable, launchChromium } from './browser.ts';
import { apiToken, startTestStack } from './local-stack.ts';

/** Simulated calls play fast: a campaign of a few drivers finishes in seconds. */
const SPEED = 20;
const HEADER = 'driverId,driverName,phoneNumber,timezone,violationType,violationDescription';

let stack: RunningStack;
let browser: Browser;
let page: Page;
/** Every relay frame the page received, to tell a live update from a reload. */
const relayFrames: string[] = [];

async function signIn(p: Page): Promise<void> {
  await p.goto(stack.dashboardUrl);
  await p.fill('#login-email', stack.devUser.email);
  await p.fill('#login-password', stack.devUser.password);
  await p.click('button[type=submit]');
  await p.waitForSelector('#board-title');
}

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
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Creates a campaign through the page's form from CSV text; returns its id from the detail page's URL. */
async function createFromForm(
  p: Page,
  csv: string,
  rules: { name: string; backoff?: string; attempts?: string; concurrent?: string },
): Promise<string> {
  await p.goto(`${stack.dashboardUrl}/#/campaigns/new`);
  await p.waitForSelector('#form-title');
  await p.fill('#name', rules.name);
  if (rules.backoff) await p.fill('#backoff', rules.backoff);
  if (rules.attempts) await p.fill('#maxAttempts', rules.attempts);
  if (rules.concurrent) await p.fill('#maxConcurrentCalls', rules.concurrent);
  // Round the clock, whatever the time zone of the machine running the test.
  await p.fill('#windowStart', '00:00');
  await p.fill('#windowEnd', '23:59');
  await p.fill('#csv', csv);
  await p.click('button[type=submit]');
  await p.waitForURL(/#\/campaigns\/(?!new)[^/]+$/);
  return decodeURIComponent(new URL(p.url()).hash.replace('#/campaigns/', ''));
}

// Without Chromium (and without CI=true) the global setup warned once: the suite is skipped, not failed.
describe.skipIf(!chromiumAvailable())('campaign pages in Chromium', () => {
  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack({ speed: SPEED, env: { SIMULATOR_SCRIPT: 'by-number', SCHEDULER_TICK_MS: '200' } }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => relayFrames.push(String(payload))));
    await signIn(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows each bad CSV row before submit and sends nothing while any is left', async () => {
    const posted: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname.endsWith('/campaigns'))
        posted.push(req.url());
    });
    await page.click('#nav >> text=Campaigns');
    await page.waitForSelector('#campaigns-title');
    await page.click('text=New campaign');
    await page.waitForSelector('#form-title');
    await page.fill('#name', 'Bad rows');
    const csv = [
      HEADER,
      'd1,Sam Carter,+15551230001,America/Chicago,violation,"Reefer at 45°F, needs 38°F"',
      'd2,Ana Ruiz,555-0100,Mars/Olympus,violation,Late check-in',
      'd1,Lee Park,+15551230003,,violation,Speeding',
      'd4,,+15551230004,,warning,',
    ].join('\n');
    await page.fill('#csv', csv);
    // Checked as typed, before any submit.
    await page.waitForSelector('#csv-problems li');
    const problems = () =>
      page.$$eval('#csv-problems li', (items) =>
        items.map((li) => `${(li as HTMLElement).dataset.row}:${(li as HTMLElement).dataset.column ?? ''}`),
      );
    expect(await problems()).toEqual([
      '2:phoneNumber',
      '2:timezone',
      '3:driverId',
      '4:driverName',
      '4:violationDescription',
    ]);
    expect(await page.textContent('#csv-problems [data-row="3"]')).toContain('already on row 1');
    expect(await page.textContent('#csv-summary')).toContain('4 rows, 5 problems');
    expect(await page.getAttribute('#csv', 'aria-invalid')).toBe('true');
    await page.click('button[type=submit]');
    await page.waitForSelector('#form-error:not(:empty)');
    expect(await page.textContent('#form-error')).toMatch(/Fix the 5 problems.*nothing was sent/);
    expect(new URL(page.url()).hash).toBe('#/campaigns/new');
    await page.screenshot({ path: artifactPath('campaign-csv-errors.png'), fullPage: true });

    // Fixing the rows clears the list.
    await page.fill(
      '#csv',
      [HEADER, 'd1,Sam Carter,+15551230001,America/Chicago,violation,"Reefer at 45°F, needs 38°F"'].join(
        '\n',
      ),
    );
    await page.waitForSelector('#csv-problems:empty', { state: 'attached' });
    expect(await page.textContent('#csv-summary')).toBe('1 driver ready.');
    expect(posted).toEqual([]);
  });

  it('refuses a non-E.164 suppression in the page, adds a valid one, and removes it after confirmation', async () => {
    await page.click('#nav >> text=Suppressions');
    await page.waitForSelector('#suppressions-title');
    await page.fill('#suppress-phone', '555-0100');
    await page.click('.suppress-form button[type=submit]');
    await page.waitForSelector('#suppress-phone-error:not(:empty)');
    expect(await page.getAttribute('#suppress-phone', 'aria-invalid')).toBe('true');

    await page.fill('#suppress-phone', '+1 (555) 777-0001');
    await page.fill('#suppress-note', 'Asked by phone');
    await page.click('.suppress-form button[type=submit]');
    const row = 'tr[data-phone="+15557770001"]';
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toContain('Asked by phone');
    const listed = await api<{ suppressions: { phoneNumber: string }[] }>('GET', '/suppressions');
    expect(listed.suppressions.map((s) => s.phoneNumber)).toContain('+15557770001');

    // Declining the confirmation keeps it; confirming removes it.
    await page.click(`${row} .remove-suppression`);
    await page.click('#confirm-no');
    expect(await page.$(row)).not.toBeNull();
    await page.click(`${row} .remove-suppression`);
    await page.click('#confirm-yes');
    await page.waitForSelector(row, { state: 'detached' });
    const after = await api<{ suppressions: { phoneNumber: string }[] }>('GET', '/suppressions');
    expect(after.suppressions.map((s) => s.phoneNumber)).not.toContain('+15557770001');
  });

  it('pauses and resumes a campaign that waits for its start, and cancels it after confirmation', async () => {
    await page.goto(`${stack.dashboardUrl}/#/campaigns/new`);
    await page.waitForSelector('#form-title');
    await page.fill('#name', 'Tomorrow');
    // A start a day ahead: nothing dials while the buttons are tested.
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await page.fill('#startAt', local);
    await page.setInputFiles('#csv-file', {
      name: 'drivers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${HEADER}\nt1,Tia Moss,+15551239001,America/Denver,reminder,Send photos\n`),
    });
    await page.waitForSelector('#csv-summary:has-text("1 driver ready")');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/campaigns\/(?!new)[^/]+$/);
    await page.waitForSelector('#campaign-title [data-campaign-status="scheduled"]');
    const driverRow = 'tr[data-driver-id="t1"]';
    await page.waitForSelector(`${driverRow}[data-state="scheduled"]`);
    // The next attempt is shown on the driver's clock, with the zone.
    expect(await page.textContent(`${driverRow} .next-attempt`)).toMatch(/M[SD]T$/);

    await page.click('#campaign-pause');
    await page.waitForSelector('#campaign-title [data-campaign-status="paused"]');
    await page.click('#campaign-resume');
    await page.waitForSelector('#campaign-title [data-campaign-status="scheduled"]');

    // Another dispatcher pauses it: the open page follows over the relay, with no reload.
    const campaignId = decodeURIComponent(new URL(page.url()).hash.replace('#/campaigns/', ''));
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await api('POST', `/campaigns/${campaignId}/pause`);
    await page.waitForSelector('#campaign-title [data-campaign-status="paused"]');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await api('POST', `/campaigns/${campaignId}/resume`);
    await page.waitForSelector('#campaign-title [data-campaign-status="scheduled"]');

    await page.click('#campaign-cancel');
    await page.click('#confirm-no');
    expect(await page.$('#campaign-title [data-campaign-status="scheduled"]')).not.toBeNull();
    await page.click('#campaign-cancel');
    await page.click('#confirm-yes');
    await page.waitForSelector('#campaign-title [data-campaign-status="canceled"]');
    await page.waitForSelector(`${driverRow}[data-state="canceled"]`);
    expect(await page.$('#campaign-pause')).toBeNull();
  });

  it('creates a campaign from CSV and shows every driver reach a final state live; attention items resolve', async () => {
    // By-number script: last digit 1 acknowledged, 2 no-answer (unreachable after its attempts), 6 no answer then
    // acknowledged, 7 opts out, 8 answers but does not acknowledge.
    const csv = [
      HEADER,
      'c1,Ack Driver,+15551231001,America/Chicago,violation,Reefer at 45°F',
      'c2,Never Answers,+15551231002,America/New_York,violation,Late check-in',
      'c6,Second Try,+15551231006,America/Los_Angeles,violation;reminder,Speeding; Send photos',
      'c7,Opts Out,+15551231007,Europe/Berlin,violation,Missed stop',
      'c8,Disputes,+15551231008,,violation,"Detention, 3 hours"',
    ].join('\n');
    const campaignId = await createFromForm(page, csv, {
      name: 'Morning check calls',
      backoff: '1s',
      attempts: '2',
      concurrent: '3',
    });
    await page.waitForSelector('#drivers tr[data-driver-id="c8"]');
    const final = ['acknowledged', 'not_acknowledged', 'unreachable', 'opted_out'];
    const expected: Record<string, string> = {
      c1: 'acknowledged',
      c2: 'unreachable',
      c6: 'acknowledged',
      c7: 'opted_out',
      c8: 'not_acknowledged',
    };
    for (const [driverId, state] of Object.entries(expected)) {
      await page.waitForSelector(`tr[data-driver-id="${driverId}"][data-state="${state}"]`, {
        timeout: 90_000,
      });
    }
    await page.waitForSelector('#campaign-title [data-campaign-status="completed"]', { timeout: 30_000 });
    expect(await page.textContent('#progress-text')).toBe('5 of 5 drivers finished');
    expect(await page.textContent(`tr[data-driver-id="c6"] .attempts`)).toBe('2');
    // Each attempt links to its call in the existing call view.
    const callLinks = await page.$$eval('tr[data-driver-id="c6"] .call-links a', (a) =>
      a.map((l) => l.getAttribute('href')),
    );
    expect(callLinks).toHaveLength(2);
    const detail = await api<{ drivers: { driverId: string; state: string }[] }>(
      'GET',
      `/campaigns/${campaignId}`,
    );
    expect(Object.fromEntries(detail.drivers.map((d) => [d.driverId, d.state]))).toEqual(expected);
    expect(detail.drivers.every((d) => final.includes(d.state))).toBe(true);
    await page.screenshot({ path: artifactPath('campaign-finished.png'), fullPage: true });

    await page.click(`tr[data-driver-id="c1"] .call-links a`);
    await page.waitForSelector('#transcript');
    await page.goBack();

    // The not-acknowledged driver waits on the Attention page; resolving needs a note.
    await page.click('#nav >> text=Attention');
    const item = '.attention-item[data-reason="not_acknowledged"]';
    await page.waitForSelector(item);
    expect(await page.textContent(`${item} .attention-head`)).toContain('Disputes');
    expect(await page.$(`${item} a[href="#/campaigns/${campaignId}"]`)).not.toBeNull();
    await page.screenshot({ path: artifactPath('attention.png'), fullPage: true });
    await page.click(`${item} .resolve-button`);
    await page.waitForSelector(`${item} .field-error:not(:empty)`);
    await page.fill(`${item} textarea`, 'Called back: the driver sent the detention receipt.');
    await page.click(`${item} .resolve-button`);
    await page.waitForSelector(item, { state: 'detached' });
    await page.click('#tab-resolved');
    await page.waitForSelector(`${item} .resolved-note`);
    expect(await page.textContent(`${item} .resolved-note`)).toContain('detention receipt');

    // The driver who opted out is on the suppression list now.
    await page.click('#nav >> text=Suppressions');
    await page.waitForSelector('tr[data-phone="+15551231007"]');
  }, 180_000);
});
