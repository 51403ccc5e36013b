// /suppressions and /attention over real HTTP on both backends: CRUD, resolve once, paging and org isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionItem } from '../../core/domain/attention.ts';
import type { Suppression } from '../../core/domain/suppression.ts';
import type { ListAttentionResponse, ListSuppressionsResponse } from '../../core/protocol/rest-api.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import { ORG, OTHER_ORG, startApiStack, type ApiStack } from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; message: string; details?: unknown } };

describe.each(backends)('suppressions and attention API on %s', (backend) => {
  let stack: ApiStack;
  let token: string;
  let rival: string;
  let sub: string;
  beforeAll(async () => {
    stack = await startApiStack({ backend });
    token = await stack.login();
    rival = await stack.login(OTHER_ORG);
    sub = (await stack.deps.verifyToken(token)).sub;
  });
  afterAll(() => stack.close());

  it('adds (201, then 200 when listed), lists, and removes (204, then 404) suppressions', async () => {
    const add = (phoneNumber: string, as = token, note?: string) =>
      stack.request('POST', '/suppressions', { token: as, body: { phoneNumber, ...(note ? { note } : {}) } });
    const created = await add('+15557770001', token, '  asked on the phone  ');
    expect(created.status).toBe(201);
    const entry = created.body as Suppression;
    expect(entry).toMatchObject({
      phoneNumber: '+15557770001',
      reason: 'manual',
      note: 'asked on the phone',
      createdBy: sub,
    });
    expect(entry.suppressionId).not.toContain('5557770001');
    const again = await add('+15557770001');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(entry);
    await add('+15557770002');
    await add('+15557770003');

    const bad = await add('555-777-0004', token, 'x'.repeat(501));
    expect(bad.status).toBe(422);
    expect((bad.body as ErrorBody).error.details).toEqual([
      { field: 'phoneNumber', problem: 'must be an E.164 number such as +15551234567' },
      { field: 'note', problem: 'is longer than 500 characters' },
    ]);
    expect(bad.text).not.toContain('777-0004');

    const page1 = (await stack.request('GET', '/suppressions?limit=2', { token }))
      .body as ListSuppressionsResponse;
    expect(page1.suppressions).toHaveLength(2);
    const page2 = (
      await stack.request('GET', `/suppressions?limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`, {
        token,
      })
    ).body as ListSuppressionsResponse;
    expect(page2.nextCursor).toBeUndefined();
    expect([...page1.suppressions, ...page2.suppressions].map((s) => s.phoneNumber).sort()).toEqual([
      '+15557770001',
      '+15557770002',
      '+15557770003',
    ]);

    // Org isolation: the rival neither sees nor removes it; its own entry for the same number is its own.
    const theirs = (await stack.request('GET', '/suppressions', { token: rival }))
      .body as ListSuppressionsResponse;
    expect(theirs.suppressions).toEqual([]);
    const remove = (id: string, as = token) => stack.request('DELETE', `/suppressions/${id}`, { token: as });
    expect((await remove(entry.suppressionId, rival)).status).toBe(404);
    const rivalEntry = (await add('+15557770001', rival)).body as Suppression;
    expect(rivalEntry.suppressionId).not.toBe(entry.suppressionId);

    const removed = await remove(entry.suppressionId);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    const gone = await remove(entry.suppressionId);
    expect(gone.status).toBe(404);
    expect((gone.body as ErrorBody).error.code).toBe('not_found');
    expect((await remove('sup_..')).status).toBe(404);
    expect(await stack.backend.suppressions.find(ORG, '+15557770001')).toBeNull();
    expect(await stack.backend.suppressions.find(OTHER_ORG, '+15557770001')).not.toBeNull();
    expect(stack.logs.join('\n')).not.toContain('5557770');
  });

  it('lists open attention items and resolves each once (then 409 already_resolved)', async () => {
    const open = (attentionId: string, orgId: string, openedAt: string) =>
      stack.backend.attention.open({
        attentionId,
        orgId,
        reason: 'not_acknowledged',
        driverId: 'drv_7',
        driverName: 'Driver 7',
        callIds: ['call_a'],
        campaignId: 'cmp_x',
        summary: 'Disputes the violation',
        openedAt,
      });
    await open(`att_${backend}_1`, ORG, '2026-03-02T14:00:00.000Z');
    await open(`att_${backend}_2`, ORG, '2026-03-02T15:00:00.000Z');
    await open(`att_${backend}_3`, OTHER_ORG, '2026-03-02T16:00:00.000Z');
    const list = async (query = '', as = token) => {
      const res = await stack.request('GET', `/attention${query}`, { token: as });
      expect(res.status).toBe(200);
      return (res.body as ListAttentionResponse).items.map((i) => i.attentionId);
    };
    expect(await list()).toEqual([`att_${backend}_2`, `att_${backend}_1`]);
    const first = (await stack.request('GET', '/attention?limit=1', { token })).body as ListAttentionResponse;
    expect(first.items.map((i) => i.attentionId)).toEqual([`att_${backend}_2`]);
    expect(await list(`?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`)).toEqual([
      `att_${backend}_1`,
    ]);

    const resolve = (id: string, body: unknown, as = token) =>
      stack.request('POST', `/attention/${id}/resolve`, { token: as, body });
    const noNote = await resolve(`att_${backend}_1`, { note: '   ' });
    expect(noNote.status).toBe(422);
    expect((noNote.body as ErrorBody).error.details).toEqual([{ field: 'note', problem: 'is required' }]);
    expect((await resolve(`att_${backend}_1`, { note: 'x'.repeat(1001) })).status).toBe(422);
    expect((await resolve(`att_${backend}_1`, { note: 'not mine' }, rival)).status).toBe(404);
    expect((await resolve(`att_${backend}_3`, { note: 'not mine' })).status).toBe(404);
    expect((await resolve('att_unknown', { note: 'nothing' })).status).toBe(404);

    const resolved = await resolve(`att_${backend}_1`, { note: 'Called him back: reefer fixed' });
    expect(resolved.status).toBe(200);
    const item = resolved.body as AttentionItem;
    expect(item.resolved).toMatchObject({ by: sub, note: 'Called him back: reefer fixed' });
    expect(Date.parse(item.resolved!.at)).not.toBeNaN();

    const twice = await resolve(`att_${backend}_1`, { note: 'again' });
    expect(twice.status).toBe(409);
    expect((twice.body as ErrorBody).error).toMatchObject({
      code: 'already_resolved',
      details: { by: sub, at: item.resolved!.at },
    });

    expect(await list()).toEqual([`att_${backend}_2`]);
    expect(await list('?state=resolved')).toEqual([`att_${backend}_1`]);
    expect(await list('?state=all')).toEqual([`att_${backend}_2`, `att_${backend}_1`]);
    expect(await list('?state=all', rival)).toEqual([`att_${backend}_3`]);
    const badState = await stack.request('GET', '/attention?state=closed', { token });
    expect(badState.status).toBe(422);
    expect((badState.body as ErrorBody).error.details).toEqual([
      { field: 'query.state', problem: 'must be open, resolved or all' },
    ]);
  });
});
