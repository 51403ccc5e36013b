// GET …/Calls.json: Twilio's filters, newest-first paging in the 2010 envelope, auth — raw HTTP and the official SDK.
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PHONE_NUMBER } from './elevenlabs-api.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  DRIVER,
  dialElevenLabs,
  dialRegister,
  startHarness,
  type Harness,
} from './fixtures.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LIST_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`;
const BASIC = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');

interface ListPage {
  calls: { sid: string; to: string; from: string; status: string; start_time: string | null }[];
  page: number;
  page_size: number;
  start: number;
  end: number;
  uri: string;
  first_page_uri: string;
  next_page_uri: string | null;
  previous_page_uri: string | null;
}

async function list(
  harness: Harness,
  query: Record<string, string> | string = {},
  auth = BASIC,
): Promise<{ status: number; body: ListPage & { code?: number } }> {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const res = await fetch(`${harness.sim.url}${LIST_PATH}${search ? `?${search}` : ''}`, {
    headers: { Authorization: auth },
  });
  return { status: res.status, body: (await res.json()) as ListPage & { code?: number } };
}

/** Three finished calls: register to DRIVER (acknowledged), elevenlabs to DRIVER, register to OTHER (busy). */
const OTHER = '+15550000099';
async function threeCalls(harness: Harness) {
  const register = await dialRegister(harness);
  await harness.sim.whenIdle();
  const elevenlabs = await dialElevenLabs(harness);
  await harness.sim.whenIdle();
  harness.sim.setScript('busy');
  const other = await dialRegister(harness, { to: OTHER });
  await harness.sim.whenIdle();
  return { register: register.sid, elevenlabs: elevenlabs.callSid ?? '', other: other.sid };
}

describe('GET Calls.json', () => {
  it('answers every call newest first in the 2010 list envelope, both dial modes included', async () => {
    h = await startHarness({ sim: { transcriptionWaitMs: 0 } });
    const sids = await threeCalls(h);
    const { status, body } = await list(h);
    expect(status).toBe(200);
    expect(body.calls.map((c) => c.sid)).toEqual([sids.other, sids.elevenlabs, sids.register]);
    expect(body).toMatchObject({
      page: 0,
      page_size: 50,
      start: 0,
      end: 2,
      next_page_uri: null,
      previous_page_uri: null,
      uri: `${LIST_PATH}?PageSize=50&Page=0`,
      first_page_uri: `${LIST_PATH}?PageSize=50&Page=0`,
    });
    expect(body.calls[1]).toMatchObject({ to: DRIVER, from: AGENT_PHONE_NUMBER, status: 'completed' });
    for (const call of body.calls)
      expect(call.start_time).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} /);
  });

  it('filters by To, From and Status', async () => {
    h = await startHarness({ sim: { transcriptionWaitMs: 0 } });
    const sids = await threeCalls(h);
    const sidsOf = async (query: Record<string, string>) =>
      (await list(h!, query)).body.calls.map((c) => c.sid);
    expect(await sidsOf({ To: DRIVER })).toEqual([sids.elevenlabs, sids.register]);
    expect(await sidsOf({ To: OTHER })).toEqual([sids.other]);
    expect(await sidsOf({ From: AGENT_PHONE_NUMBER })).toEqual([sids.elevenlabs]);
    expect(await sidsOf({ Status: 'busy' })).toEqual([sids.other]);
    expect(await sidsOf({ To: DRIVER, Status: 'busy' })).toEqual([]);
  });

  it('filters by StartTime: a day, on or after (StartTime>=), on or before (StartTime<=)', async () => {
    h = await startHarness();
    const call = await dialRegister(h);
    await h.sim.whenIdle();
    const started = new Date((await list(h)).body.calls[0]?.start_time ?? '');
    const day = started.toISOString().slice(0, 10);
    const iso = (ms: number) => new Date(started.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const count = async (query: string) => (await list(h!, query)).body.calls.length;
    expect(await count(`StartTime=${day}`)).toBe(1);
    expect(await count(`StartTime%3E=${day}`)).toBe(1);
    expect(await count(`StartTime%3E=${iso(0)}`)).toBe(1);
    expect(await count(`StartTime%3E=${iso(1000)}`)).toBe(0);
    expect(await count(`StartTime%3C=${iso(0)}`)).toBe(1);
    expect(await count(`StartTime%3C=${iso(-1000)}`)).toBe(0);
    expect(await count(`StartTime%3C=${iso(-86_400_000)}`)).toBe(0);
    expect(await count(`StartTime=${iso(-86_400_000).slice(0, 10)}`)).toBe(0);
    expect(await count(`StartTime%3E=${day}&StartTime%3C=${iso(1000)}`)).toBe(1);
    // The SDK sends startTimeAfter as `StartTime>` with a date-time.
    expect((await h.twilio.calls.list({ startTimeAfter: started })).map((c) => c.sid)).toEqual([call.sid]);
    expect(await h.twilio.calls.list({ startTimeAfter: new Date(started.getTime() + 1000) })).toEqual([]);
  });

  it('pages with PageSize/Page; next_page_uri keeps the filters and the SDK follows it', async () => {
    h = await startHarness({ sim: { transcriptionWaitMs: 0 } });
    const sids = await threeCalls(h);
    const first = await list(h, { To: DRIVER, PageSize: '1' });
    expect(first.body.calls.map((c) => c.sid)).toEqual([sids.elevenlabs]);
    expect(first.body.next_page_uri).toBe(`${LIST_PATH}?To=%2B15550000002&PageSize=1&Page=1`);
    const second = await list(h, first.body.next_page_uri?.split('?')[1] ?? '');
    expect(second.body).toMatchObject({ page: 1, start: 1, end: 1, next_page_uri: null });
    expect(second.body.previous_page_uri).toBe(`${LIST_PATH}?To=%2B15550000002&PageSize=1&Page=0`);
    expect(second.body.calls.map((c) => c.sid)).toEqual([sids.register]);
    const viaSdk = await h.twilio.calls.list({ to: DRIVER, pageSize: 1 });
    expect(viaSdk.map((c) => c.sid)).toEqual([sids.elevenlabs, sids.register]);
    expect((await h.twilio.calls.list({ limit: 2 })).map((c) => c.sid)).toEqual([
      sids.other,
      sids.elevenlabs,
    ]);
  });

  it.each([
    ['PageSize=0'],
    ['PageSize=1001'],
    ['PageSize=ten'],
    ['Page=-1'],
    ['Status=answered'],
    ['StartTime%3E=2026-13-01'],
    ['StartTime%3E=yesterday'],
    ['StartTime=2026-01-05T10:00'],
  ])('answers 400 for %s', async (query) => {
    h = await startHarness();
    const { status, body } = await list(h, query);
    expect(status).toBe(400);
    expect(body.code).toBe(20001);
  });

  it.each([
    ['no credentials', '', 401],
    ['a wrong token', 'Basic ' + Buffer.from(`${ACCOUNT_SID}:nope`).toString('base64'), 401],
  ])('refuses %s', async (_name, auth, expected) => {
    h = await startHarness();
    const { status, body } = await list(h, {}, auth);
    expect(status).toBe(expected);
    expect(body.code).toBe(20003);
  });

  it('answers 404 for another account', async () => {
    h = await startHarness();
    const res = await fetch(`${h.sim.url}/2010-04-01/Accounts/AC${'9'.repeat(32)}/Calls.json`, {
      headers: { Authorization: BASIC },
    });
    expect(res.status).toBe(404);
  });
});
