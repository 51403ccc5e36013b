// GET /analytics at the edge: auth, org scoping, default range, gap-free day rows, and validation (422) cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG, OTHER_ORG, startApiStack, type ApiStack } from './api.test-kit.ts';
import type { AnalyticsResponse } from '../../core/protocol/rest-api.ts';
import type { Notice } from '../../core/domain/notice.ts';

describe('GET /analytics', () => {
  let stack: ApiStack;
  let token: string;
  beforeAll(async () => {
    stack = await startApiStack({ backend: 'memory' });
    token = await stack.login(ORG);
    const record = (orgId: string, marker: string, day: string, campaign: string) =>
      stack.backend.analytics.record({
        orgId,
        markerId: marker,
        day,
        groups: [
          { dimension: 'day', key: day },
          { dimension: 'violationType', key: 'violation:temperature' },
          { dimension: 'campaign', key: campaign },
        ],
        fact: { metric: 'dialed' },
      });
    await record(ORG, 'call:a:dialed', '2030-01-02', 'cmp-1');
    await record(ORG, 'call:b:dialed', '2030-01-04', 'cmp-2');
    await record(ORG, 'call:c:dialed', '2030-01-04', 'cmp-2');
    await record(OTHER_ORG, 'call:x:dialed', '2030-01-03', 'cmp-9');
  });
  afterAll(async () => {
    await stack.close();
  });

  const get = (query: string, auth = true) =>
    stack.request('GET', `/analytics${query}`, auth ? { token } : {});

  it('needs a token', async () => {
    expect((await get('', false)).status).toBe(401);
  });

  it("answers gap-free day rows of the caller's org only", async () => {
    const res = await get('?from=2030-01-01&to=2030-01-05');
    expect(res.status).toBe(200);
    const body = res.body as AnalyticsResponse;
    expect(body).toMatchObject({
      from: '2030-01-01',
      to: '2030-01-05',
      groupBy: 'day',
      timeZone: 'America/Chicago',
    });
    expect(body.rows.map((r) => [r.key, r.dialed])).toEqual([
      ['2030-01-01', 0],
      ['2030-01-02', 1],
      ['2030-01-03', 0],
      ['2030-01-04', 2],
      ['2030-01-05', 0],
    ]);
    expect(body.totals.dialed).toBe(3);
  });

  it('groups by campaign, most dialed first, within the range', async () => {
    const body = (await get('?from=2030-01-02&to=2030-01-04&groupBy=campaign')).body as AnalyticsResponse;
    expect(body.rows.map((r) => [r.key, r.dialed])).toEqual([
      ['cmp-2', 2],
      ['cmp-1', 1],
    ]);
    const narrow = (await get('?from=2030-01-03&to=2030-01-04&groupBy=violationType'))
      .body as AnalyticsResponse;
    expect(narrow.rows.map((r) => [r.key, r.dialed])).toEqual([['violation:temperature', 2]]);
  });

  it('defaults to the 30 days ending today', async () => {
    const body = (await get('')).body as AnalyticsResponse;
    expect(body.rows).toHaveLength(30);
    expect(body.rows.at(-1)?.key).toBe(body.to);
    expect(body.rows[0]?.key).toBe(body.from);
  });

  it.each([
    ['a bad date', '?from=2030-13-01&to=2030-12-31', 'query.from'],
    ['a date that is no calendar day', '?from=2030-02-30', 'query.from'],
    ['not a date', '?to=yesterday', 'query.to'],
    ['from after to', '?from=2030-02-01&to=2030-01-01', 'query.from'],
    ['a range over 366 days', '?from=2030-01-01&to=2031-01-03', 'query.to'],
    ['an unknown groupBy', '?groupBy=driver', 'query.groupBy'],
  ])('422 for %s', async (_case, query, field) => {
    const res = await get(query);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    expect(JSON.stringify(res.body)).toContain(field);
  });

  it('POST /attention/{id}/resolve announces attention_resolved once (not again on the 409 repeat)', async () => {
    const notices: Notice[] = [];
    const sub = await stack.backend.bus.subscribe('analytics-test', (m) => {
      if (m.type === 'notice') notices.push(m.notice);
    });
    try {
      await stack.backend.attention.open({
        attentionId: 'att_analytics_1',
        orgId: ORG,
        reason: 'escalation',
        driverId: 'drv_1',
        driverName: 'Driver 1',
        callIds: ['call_1'],
        openedAt: new Date().toISOString(),
      });
      const resolve = () =>
        stack.request('POST', '/attention/att_analytics_1/resolve', { token, body: { note: 'handled' } });
      expect((await resolve()).status).toBe(200);
      expect((await resolve()).status).toBe(409);
      await expect.poll(() => notices.length).toBe(1);
      expect(notices[0]).toMatchObject({
        kind: 'attention_resolved',
        item: { attentionId: 'att_analytics_1', resolved: { note: 'handled' } },
      });
    } finally {
      await sub.close();
    }
  });
});
