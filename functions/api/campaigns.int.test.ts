// POST/GET /campaigns and pause/resume/cancel over real HTTP on both backends: defaults, per-row validation, limits,
// idempotent replays, paging, org isolation and status transitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_DEFAULTS } from '../../core/domain/campaign.ts';
import type { CampaignDetail, ListCampaignsResponse } from '../../core/protocol/rest-api.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { campaignBody, campaignDriver, OTHER_ORG, startApiStack, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; message: string; details?: unknown } };
type Problem = { field: string; problem: string };

describe.each(backends)('campaigns API on %s', (backend) => {
  let stack: ApiStack;
  let token: string;
  let sub: string;
  beforeAll(async () => {
    stack = await startApiStack({ backend });
    token = await stack.login();
    sub = (await stack.deps.verifyToken(token)).sub;
  });
  afterAll(() => stack.close());

  const create = (body: unknown, key?: string, as = token) =>
    stack.request('POST', '/campaigns', {
      token: as,
      body,
      ...(key ? { headers: { 'idempotency-key': key } } : {}),
    });

  it('creates a campaign: 201, every driver scheduled, the defaults applied, no phone numbers', async () => {
    const body = campaignBody(3);
    (body.drivers as Record<string, unknown>[])[2]!.timezone = 'America/Los_Angeles';
    const res = await create(body);
    expect(res.status).toBe(201);
    const campaign = res.body as CampaignDetail;
    expect(campaign).toMatchObject({
      name: 'Morning temperature checks',
      callingWindow: CAMPAIGN_DEFAULTS.callingWindow,
      retry: CAMPAIGN_DEFAULTS.retry,
      maxConcurrentCalls: CAMPAIGN_DEFAULTS.maxConcurrentCalls,
      driverCount: 3,
      createdBy: sub,
    });
    expect(['scheduled', 'running']).toContain(campaign.status);
    expect(campaign.campaignId).toMatch(/^cmp_[0-9a-f]{32}$/);
    expect(campaign.counts.scheduled).toBe(3);
    expect(campaign.drivers.map((d) => [d.driverId, d.state, d.attempts, d.timezone])).toEqual([
      ['drv_0', 'scheduled', 0, 'America/Chicago'],
      ['drv_1', 'scheduled', 0, 'America/Chicago'],
      ['drv_2', 'scheduled', 0, 'America/Los_Angeles'],
    ]);
    expect(res.text).not.toContain('+1555');
    expect(res.text).not.toContain('requestHash');
    expect(res.text).not.toContain('orgId');

    const read = await stack.request('GET', `/campaigns/${campaign.campaignId}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(campaign);
    expect(stack.logs.join('\n')).not.toContain('+1555');
  });

  it('applies the rules given and normalizes startAt', async () => {
    const res = await create(
      campaignBody(1, {
        startAt: '2099-03-08T08:00:00-06:00',
        callingWindow: { start: '09:30', end: '17:00' },
        retry: { maxAttempts: 10, backoffSecs: [1, 604_800] },
        maxConcurrentCalls: 100,
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'scheduled',
      startAt: '2099-03-08T14:00:00.000Z',
      callingWindow: { start: '09:30', end: '17:00' },
      retry: { maxAttempts: 10, backoffSecs: [1, 604_800] },
      maxConcurrentCalls: 100,
    });
  });

  it('reports every bad row and rule at once, by path, never echoing a value', async () => {
    const drivers = Array.from({ length: 9 }, (_, i) => campaignDriver(i));
    drivers[1] = campaignDriver(1, { phoneNumber: '555-867-5309' });
    drivers[3] = campaignDriver(3, {
      violations: [{ type: 'complaint', description: 'SECRET-DESCRIPTION' }],
      timezone: 'Mars/Olympus_Mons',
    });
    drivers[5] = campaignDriver(5, { driverName: '   ' });
    drivers[7] = campaignDriver(7, { driverId: ' drv_2 ' });
    drivers[8] = 'not a row' as unknown as Record<string, unknown>;
    const res = await create({
      name: 'x',
      startAt: '2026-03-08T08:00:00',
      callingWindow: { start: '21:00', end: '08:00' },
      retry: { maxAttempts: 11, backoffSecs: [0, 604_801] },
      maxConcurrentCalls: 0,
      drivers,
    });
    expect(res.status).toBe(422);
    const error = (res.body as ErrorBody).error;
    expect(error.code).toBe('validation_failed');
    const fields = (error.details as Problem[]).map((p) => p.field);
    expect(fields).toEqual([
      'startAt',
      'callingWindow.end',
      'retry.maxAttempts',
      'retry.backoffSecs.0',
      'retry.backoffSecs.1',
      'maxConcurrentCalls',
      'drivers.1.phoneNumber',
      'drivers.3.violations.0.type',
      'drivers.3.timezone',
      'drivers.5.driverName',
      'drivers.7.driverId',
      'drivers.8',
    ]);
    expect(error.details).toContainEqual({
      field: 'drivers.7.driverId',
      problem: 'duplicate of drivers.2.driverId',
    });
    for (const secret of ['867', 'complaint', 'SECRET', 'Mars', '2026-03-08', 'not a row']) {
      expect(res.text).not.toContain(secret);
    }
    expect(stack.logs.join('\n')).not.toContain('867-5309');
  });

  it('accepts 1000 drivers and refuses 1001, an empty list and an oversized body', async () => {
    const thousand = await create(campaignBody(1000));
    expect(thousand.status).toBe(201);
    expect((thousand.body as CampaignDetail).drivers).toHaveLength(1000);
    expect((thousand.body as CampaignDetail).counts.scheduled).toBe(1000);

    const tooMany = await create(campaignBody(1001));
    expect(tooMany.status).toBe(422);
    expect((tooMany.body as ErrorBody).error.details).toEqual([
      { field: 'drivers', problem: 'allows at most 1000 drivers' },
    ]);
    const none = await create(campaignBody(0));
    expect((none.body as ErrorBody).error.details).toEqual([
      { field: 'drivers', problem: 'needs at least 1 driver' },
    ]);
    const huge = await create(campaignBody(1, { name: 'x'.repeat(1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect((huge.body as ErrorBody).error.code).toBe('payload_too_large');
    const text = await stack.request('POST', '/campaigns', {
      token,
      rawBody: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('replays an Idempotency-Key: 200 with the same campaign; a different body is 409', async () => {
    const first = await create(campaignBody(2), 'tms-batch-0301');
    expect(first.status).toBe(201);
    const again = await create(campaignBody(2), 'tms-batch-0301');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((again.body as CampaignDetail).campaignId).toBe((first.body as CampaignDetail).campaignId);
    const changed = await create(campaignBody(3), 'tms-batch-0301');
    expect(changed.status).toBe(409);
    expect((changed.body as ErrorBody).error.code).toBe('conflict');
    const badKey = await create(campaignBody(1), 'has space');
    expect(badKey.status).toBe(422);
    expect((badKey.body as ErrorBody).error.details).toEqual([
      { field: 'header.Idempotency-Key', problem: 'must be 1-255 visible ASCII characters' },
    ]);
    const otherOrg = await create(campaignBody(2), 'tms-batch-0301', await stack.login(OTHER_ORG));
    expect(otherOrg.status).toBe(201);
    expect((otherOrg.body as CampaignDetail).campaignId).not.toBe((first.body as CampaignDetail).campaignId);
  });

  it('pages the list newest first and keeps orgs apart', async () => {
    const rival = await stack.login(`org-pager-${backend}`);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await create(campaignBody(1, { name: `Batch ${i}` }), undefined, rival);
      ids.push((res.body as CampaignDetail).campaignId);
    }
    const first = await stack.request('GET', '/campaigns?limit=2', { token: rival });
    expect(first.status).toBe(200);
    const page1 = first.body as ListCampaignsResponse;
    expect(page1.campaigns).toHaveLength(2);
    expect(page1.nextCursor).toBeDefined();
    expect(first.text).not.toContain('"drivers"');
    const second = await stack.request(
      'GET',
      `/campaigns?limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`,
      { token: rival },
    );
    const page2 = second.body as ListCampaignsResponse;
    expect(page2.nextCursor).toBeUndefined();
    expect([...page1.campaigns, ...page2.campaigns].map((c) => c.campaignId).sort()).toEqual(ids.sort());
    expect(page1.campaigns[0]!.name).toBe('Batch 2');

    const bad = await stack.request('GET', '/campaigns?limit=0&cursor=x', { token: rival });
    expect(bad.status).toBe(422);
    const badCursor = await stack.request('GET', '/campaigns?cursor=nonsense', { token: rival });
    expect(badCursor.status).toBe(400);

    const mine = (await stack.request('GET', '/campaigns?limit=100', { token }))
      .body as ListCampaignsResponse;
    expect(mine.campaigns.map((c) => c.campaignId)).not.toContain(ids[0]);
    for (const path of [`/campaigns/${ids[0]}`, '/campaigns/cmp_unknown', '/campaigns/..%2F..']) {
      const res = await stack.request('GET', path, { token });
      expect(res.status, path).toBe(404);
      expect((res.body as ErrorBody).error.code).toBe('not_found');
    }
    for (const action of ['pause', 'resume', 'cancel']) {
      const res = await stack.request('POST', `/campaigns/${ids[0]}/${action}`, { token });
      expect(res.status, action).toBe(404);
    }
  });

  it('pauses, resumes and cancels; an action that does not apply is 409 invalid_state', async () => {
    const created = (await create(campaignBody(2))).body as CampaignDetail;
    const act = (action: string) =>
      stack.request('POST', `/campaigns/${created.campaignId}/${action}`, { token });
    const expectRefused = async (action: string, status: string) => {
      const res = await act(action);
      expect(res.status, action).toBe(409);
      expect((res.body as ErrorBody).error).toMatchObject({ code: 'invalid_state', details: { status } });
    };

    await expectRefused('resume', created.status);
    const paused = await act('pause');
    expect(paused.status).toBe(200);
    expect((paused.body as CampaignDetail).status).toBe('paused');
    await expectRefused('pause', 'paused');
    const resumed = await act('resume');
    expect(resumed.status).toBe(200);
    expect((resumed.body as CampaignDetail).status).toBe('running');
    const canceled = await act('cancel');
    expect(canceled.status).toBe(200);
    const detail = canceled.body as CampaignDetail;
    expect(detail.status).toBe('canceled');
    expect(detail.drivers.map((d) => d.state)).toEqual(['canceled', 'canceled']);
    expect(detail.counts).toMatchObject({ canceled: 2, scheduled: 0 });
    await expectRefused('cancel', 'canceled');
    await expectRefused('resume', 'canceled');
    await expectRefused('pause', 'canceled');
  });
});
