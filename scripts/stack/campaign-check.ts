// A whole campaign through a running stack, checked end to end: `SIMULATOR_SCRIPT=by-number` decides each driver's
// story from the last digit of its number, so every driver's final state and the exact number of dials are known.
import { randomInt } from 'node:crypto';
import type { DriverState } from '../../core/domain/campaign.ts';
import type { CampaignDetail } from '../../core/protocol/rest-api.ts';

/** What `by-number` makes of a driver over up to 3 attempts (simulator/README.md): final state and dials. */
const BY_DIGIT: Record<string, { state: DriverState; dials: number }> = {
  '0': { state: 'acknowledged', dials: 1 },
  '1': { state: 'acknowledged', dials: 1 },
  '2': { state: 'unreachable', dials: 3 }, // no answer, every time
  '3': { state: 'unreachable', dials: 3 }, // busy
  '4': { state: 'unreachable', dials: 3 }, // voicemail
  '5': { state: 'not_acknowledged', dials: 1 }, // cut short before confirming
  '6': { state: 'acknowledged', dials: 2 }, // no answer first, then acknowledged
  '7': { state: 'opted_out', dials: 1 },
  '8': { state: 'not_acknowledged', dials: 1 }, // disputes the violation
  '9': { state: 'acknowledged', dials: 1 },
};

export interface CampaignCheckTarget {
  apiUrl: string;
  simulatorUrl: string;
  email: string;
  password: string;
  twilio: { accountSid: string; authToken: string };
}

export interface CampaignCheckReport {
  campaignId: string;
  drivers: number;
  elapsedMs: number;
  /** Dials the simulator saw for this campaign's numbers, and what by-number makes necessary. */
  dials: { seen: number; expected: number; byCampaign: number };
  states: Partial<Record<DriverState, number>>;
  /** Highest `counts.calling` seen while polling, against the campaign's cap. */
  maxCalling: number;
  maxConcurrentCalls: number;
  problems: string[];
}

export async function runCampaignCheck(
  target: CampaignCheckTarget,
  options: { drivers: number; maxConcurrentCalls: number; timeoutMs: number; log?: (line: string) => void },
): Promise<CampaignCheckReport> {
  const log = options.log ?? (() => {});
  const token = await login(target);
  const prefix = String(randomInt(100, 1000)); // fresh numbers: the simulator counts dials per number
  const numbers = Array.from(
    { length: options.drivers },
    (_, i) => `+1555${prefix}${String(i).padStart(4, '0')}`,
  );
  const started = Date.now();
  const created = await api<CampaignDetail>(target, token, 'POST', '/campaigns', {
    name: `by-number check of ${options.drivers} drivers`,
    // All day in UTC: the check is about retries and outcomes, not calling hours.
    callingWindow: { start: '00:00', end: '23:59' },
    retry: { maxAttempts: 3, backoffSecs: [1, 1] },
    maxConcurrentCalls: options.maxConcurrentCalls,
    drivers: numbers.map((phoneNumber, i) => ({
      driverId: `driver-${i}`,
      driverName: `Driver ${i}`,
      phoneNumber,
      timezone: 'UTC',
      violations: [{ type: 'violation', description: 'Reefer at 45°F, needs 38°F' }],
    })),
  });
  log(`campaign ${created.campaignId} created with ${options.drivers} drivers`);
  let detail = created;
  let maxCalling = 0;
  let lastLine = '';
  while (detail.status !== 'completed') {
    if (Date.now() - started > options.timeoutMs) break;
    await new Promise((r) => setTimeout(r, 500));
    detail = await api<CampaignDetail>(target, token, 'GET', `/campaigns/${created.campaignId}`);
    maxCalling = Math.max(maxCalling, detail.counts.calling);
    const line = Object.entries(detail.counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    if (line !== lastLine) log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`);
    lastLine = line;
  }
  const elapsedMs = Date.now() - started;
  const problems: string[] = [];
  if (detail.status !== 'completed')
    problems.push(`campaign still ${detail.status} after ${options.timeoutMs} ms`);
  const expected = { dials: 0, states: {} as Partial<Record<DriverState, number>> };
  for (const [i, driver] of detail.drivers.entries()) {
    const want = BY_DIGIT[numbers[i]!.at(-1)!]!;
    expected.dials += want.dials;
    if (driver.state !== want.state)
      problems.push(`${driver.driverId}: ${driver.state}, expected ${want.state}`);
    if (driver.callIds.length !== want.dials)
      problems.push(`${driver.driverId}: ${driver.callIds.length} attempts, expected ${want.dials}`);
  }
  const states: Partial<Record<DriverState, number>> = {};
  for (const d of detail.drivers) states[d.state] = (states[d.state] ?? 0) + 1;
  const seen = await simulatorDials(target, new Set(numbers));
  const byCampaign = detail.drivers.reduce((n, d) => n + d.callIds.length, 0);
  if (seen !== expected.dials) problems.push(`the simulator saw ${seen} dials, expected ${expected.dials}`);
  if (maxCalling > options.maxConcurrentCalls)
    problems.push(`${maxCalling} calls in flight, over the cap of ${options.maxConcurrentCalls}`);
  return {
    campaignId: created.campaignId,
    drivers: options.drivers,
    elapsedMs,
    dials: { seen, expected: expected.dials, byCampaign },
    states,
    maxCalling,
    maxConcurrentCalls: options.maxConcurrentCalls,
    problems,
  };
}

async function login(target: CampaignCheckTarget): Promise<string> {
  const res = await fetch(`${target.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: target.email, password: target.password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function api<T>(
  target: CampaignCheckTarget,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${target.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every call the simulator placed to one of `numbers`, read from its Twilio call list (all pages). */
async function simulatorDials(target: CampaignCheckTarget, numbers: ReadonlySet<string>): Promise<number> {
  const auth = Buffer.from(`${target.twilio.accountSid}:${target.twilio.authToken}`).toString('base64');
  let next: string | null = `/2010-04-01/Accounts/${target.twilio.accountSid}/Calls.json?PageSize=1000`;
  let count = 0;
  while (next) {
    const res = await fetch(`${target.simulatorUrl}${next}`, { headers: { authorization: `Basic ${auth}` } });
    if (!res.ok) throw new Error(`simulator call list: ${res.status}`);
    const page = (await res.json()) as { calls: { to: string }[]; next_page_uri: string | null };
    count += page.calls.filter((c) => numbers.has(c.to)).length;
    next = page.next_page_uri;
  }
  return count;
}
