// The audit trail over real HTTP on both backends: one entry per dispatcher action and per provider change, with
// actor, time, org and request id; filters and paging; org isolation; admin-only; no secrets or phone numbers stored.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditAction, AuditEntry } from '../../core/domain/audit.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { ListAuditResponse } from '../../core/protocol/rest-api.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  campaignBody,
  ORG,
  OTHER_ORG,
  startApiStack,
  TWILIO_TOKEN,
  triggerBody,
  type ApiResponse,
  type ApiStack,
  type RequestOptions,
} from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
type ErrorBody = { error: { code: string; details?: unknown } };

/** Every number and secret the scenario uses: none may appear in any stored entry. */
const DRIVER_NUMBER = '+15551234567';
const SUPPRESSED_NUMBER = '+15557771234';
const NOTE_NUMBER = '+15557779999';
const RECEIVER_TOKEN = 'receiver-token-3f9a1c';

describe.each(backends)('audit trail on %s', (backend) => {
  let stack: ApiStack;
  let admin: string;
  let dispatcher: string;
  let rivalAdmin: string;
  let adminSub: string;
  let dispatcherSub: string;
  let callId: string;
  let campaignId: string;
  const secrets: string[] = [];

  /** A request with its own `X-Request-Id`, checked to be echoed back. */
  const act = async (
    requestId: string,
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<ApiResponse> => {
    const res = await stack.request(method, path, {
      ...options,
      headers: { ...options.headers, 'x-request-id': requestId },
    });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    return res;
  };

  const allEntries = async (org = ORG): Promise<AuditEntry[]> =>
    (await stack.backend.audit.query(org, { limit: 1000 })).entries;

  beforeAll(async () => {
    // Paced so provider callbacks arrive in order, as from real providers (see call-flow.int.test.ts).
    stack = await startApiStack({
      backend,
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' },
      simulator: { speed: 10 },
    });
    admin = await stack.login(ORG, 'admin');
    dispatcher = await stack.login(ORG);
    rivalAdmin = await stack.login(OTHER_ORG, 'admin');
    adminSub = (await stack.deps.verifyToken(admin)).sub;
    dispatcherSub = (await stack.deps.verifyToken(dispatcher)).sub;
    secrets.push(admin, dispatcher, rivalAdmin, 'correct horse battery', TWILIO_TOKEN);
  });
  afterAll(() => stack?.close());

  it('records every dispatcher action exactly once, with actor, time, org and request id', async () => {
    const trigger = { token: dispatcher, body: triggerBody(), headers: { 'idempotency-key': 'audit-k1' } };
    const created = await act('req-trigger', 'POST', '/driver_data/call-elevenlabs', trigger);
    expect(created.status).toBe(201);
    callId = (created.body as { callId: string }).callId;
    const replay = await act('req-trigger-replay', 'POST', '/driver_data/call-elevenlabs', trigger);
    expect(replay.status).toBe(200);
    await stack.settle();

    const campaign = await act('req-campaign', 'POST', '/campaigns', {
      token: dispatcher,
      body: campaignBody(2, { startAt: '2099-01-01T00:00:00.000Z' }),
    });
    expect(campaign.status).toBe(201);
    campaignId = (campaign.body as { campaignId: string }).campaignId;
    for (const action of ['pause', 'resume', 'cancel']) {
      const res = await act(`req-${action}`, 'POST', `/campaigns/${campaignId}/${action}`, {
        token: dispatcher,
      });
      expect(res.status).toBe(200);
    }

    const added = await act('req-suppress', 'POST', '/suppressions', {
      token: dispatcher,
      body: { phoneNumber: SUPPRESSED_NUMBER, note: `asked on ${SUPPRESSED_NUMBER}` },
    });
    expect(added.status).toBe(201);
    const again = await act('req-suppress-again', 'POST', '/suppressions', {
      token: dispatcher,
      body: { phoneNumber: SUPPRESSED_NUMBER },
    });
    expect(again.status).toBe(200);
    const suppressionId = (added.body as { suppressionId: string }).suppressionId;
    const removed = await act('req-unsuppress', 'DELETE', `/suppressions/${suppressionId}`, {
      token: dispatcher,
    });
    expect(removed.status).toBe(204);

    await stack.backend.attention.open({
      attentionId: 'att_audit_1',
      orgId: ORG,
      reason: 'not_acknowledged',
      driverId: 'drv_42',
      driverName: 'Sam Carter',
      callIds: [callId],
      campaignId,
      summary: 'Disputes the violation',
      openedAt: '2030-01-01T00:00:00.000Z',
    });
    const resolved = await act('req-resolve', 'POST', '/attention/att_audit_1/resolve', {
      token: dispatcher,
      body: { note: `called back on ${NOTE_NUMBER}` },
    });
    expect(resolved.status).toBe(200);

    const endpoint = await act('req-ep-create', 'POST', '/webhook-endpoints', {
      token: admin,
      body: {
        url: `http://127.0.0.1:9/hooks/${RECEIVER_TOKEN}?token=${RECEIVER_TOKEN}`,
        events: ['call.completed'],
      },
    });
    expect(endpoint.status).toBe(201);
    const { id: endpointId, secret } = endpoint.body as { id: string; secret: string };
    const rotated = await act('req-ep-rotate', 'POST', `/webhook-endpoints/${endpointId}/rotate-secret`, {
      token: admin,
    });
    expect(rotated.status).toBe(200);
    secrets.push(secret, (rotated.body as { secret: string }).secret);
    const test = await act('req-ep-test', 'POST', `/webhook-endpoints/${endpointId}/test`, { token: admin });
    expect(test.status).toBe(202);
    const deliveryId = (test.body as { delivery: { deliveryId: string } }).delivery.deliveryId;
    const retried = await act(
      'req-ep-retry',
      'POST',
      `/webhook-endpoints/${endpointId}/deliveries/${deliveryId}/retry`,
      { token: admin },
    );
    expect(retried.status).toBe(202);
    const deleted = await act('req-ep-delete', 'DELETE', `/webhook-endpoints/${endpointId}`, {
      token: admin,
    });
    expect(deleted.status).toBe(204);

    const entries = (await allEntries()).filter((e) => e.actor.kind === 'dispatcher');
    const expected: Array<[AuditAction, string, string, Record<string, string>]> = [
      ['call.triggered', dispatcherSub, 'req-trigger', { callId }],
      ['campaign.created', dispatcherSub, 'req-campaign', { campaignId }],
      ['campaign.paused', dispatcherSub, 'req-pause', { campaignId }],
      ['campaign.resumed', dispatcherSub, 'req-resume', { campaignId }],
      ['campaign.canceled', dispatcherSub, 'req-cancel', { campaignId }],
      ['suppression.added', dispatcherSub, 'req-suppress', { suppressionId }],
      ['suppression.removed', dispatcherSub, 'req-unsuppress', { suppressionId }],
      [
        'attention.resolved',
        dispatcherSub,
        'req-resolve',
        { attentionId: 'att_audit_1', callId, campaignId },
      ],
      ['webhook_endpoint.created', adminSub, 'req-ep-create', { endpointId }],
      ['webhook_endpoint.secret_rotated', adminSub, 'req-ep-rotate', { endpointId }],
      ['webhook_endpoint.test_sent', adminSub, 'req-ep-test', { endpointId }],
      ['webhook_endpoint.delivery_retried', adminSub, 'req-ep-retry', { endpointId }],
      ['webhook_endpoint.deleted', adminSub, 'req-ep-delete', { endpointId }],
    ];
    for (const [action, actorId, requestId, target] of expected) {
      const matching = entries.filter((e) => e.action === action);
      expect(matching, action).toHaveLength(1);
      expect(matching[0]).toMatchObject({
        orgId: ORG,
        actor: { kind: 'dispatcher', id: actorId, role: actorId === adminSub ? 'admin' : 'dispatcher' },
        requestId,
        target,
        auditId: expect.stringMatching(/^aud_[0-9a-f]{24}$/),
      });
      expect(Date.parse(matching[0]!.at)).not.toBeNaN();
    }
    const signIns = entries.filter((e) => e.action === 'auth.signed_in');
    expect(signIns.map((e) => e.actor.id).sort()).toEqual([adminSub, dispatcherSub].sort());
    expect(entries).toHaveLength(expected.length + signIns.length);
    expect(entries.find((e) => e.action === 'webhook_endpoint.created')?.details).toEqual({
      host: '127.0.0.1:9',
      events: ['call.completed'],
    });
    expect(entries.find((e) => e.action === 'call.triggered')?.details).toMatchObject({ driverId: 'drv_42' });
  });

  it('records each provider webhook that changed the call once: which webhook, status from → to', async () => {
    const res = await stack.request('GET', `/calls/${callId}/events?limit=500`, { token: dispatcher });
    const events = (res.body as { events: CallEvent[] }).events;
    const changes = events.filter(
      (e) => (e.kind === 'call_status' && e.source !== 'api') || e.kind === 'transcript',
    );
    expect(changes.length).toBeGreaterThan(1);
    const provider = (await allEntries()).filter((e) => e.actor.kind === 'provider');
    expect(provider.map((e) => (e.details as { seq: number }).seq).sort((a, b) => a - b)).toEqual(
      changes.map((e) => e.seq),
    );
    for (const entry of provider) {
      expect(entry).toMatchObject({ orgId: ORG, target: { callId }, requestId: expect.any(String) });
      if (entry.action === 'call.status_changed') {
        expect(['twilio_status', 'elevenlabs_post_call']).toContain(entry.details.webhook);
        expect(entry.actor.id).toBe(entry.details.webhook === 'twilio_status' ? 'twilio' : 'elevenlabs');
        expect(entry.details.from).not.toBe(entry.details.to);
      } else {
        expect(entry).toMatchObject({
          action: 'call.transcript_received',
          actor: { kind: 'provider', id: 'elevenlabs' },
          details: { webhook: 'elevenlabs_post_call', turns: expect.any(Number) },
        });
      }
    }
    const last = provider.find((e) => e.action === 'call.status_changed');
    expect(last?.details).toMatchObject({ to: 'completed' });
  });

  it('stores no phone number, secret, token or password in any entry', async () => {
    const stored = JSON.stringify([...(await allEntries()), ...(await allEntries(OTHER_ORG))]);
    const numbers = [DRIVER_NUMBER, SUPPRESSED_NUMBER, NOTE_NUMBER, '+15551000000', '+15551000001'];
    for (const needle of [...numbers, ...numbers.map((n) => n.slice(2)), RECEIVER_TOKEN, ...secrets]) {
      expect(stored, needle).not.toContain(needle);
    }
  });

  it('GET /audit: admin only, filtered, paged newest first; org isolation', async () => {
    const get = (query: string, token = admin) => stack.request('GET', `/audit${query}`, { token });
    const forbidden = await get('', dispatcher);
    expect(forbidden.status).toBe(403);
    expect((forbidden.body as ErrorBody).error.code).toBe('forbidden');
    expect((await get('', '')).status).toBe(401);

    const all = await allEntries();
    const full = (await get('?limit=200')).body as ListAuditResponse;
    expect(full.entries).toEqual(all);
    const seen: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = (await get(`?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`))
        .body as ListAuditResponse;
      seen.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor && seen.length <= all.length);
    expect(seen).toEqual(all);

    const ids = async (query: string) =>
      ((await get(query)).body as ListAuditResponse).entries.map((e) => e.auditId);
    const pick = (f: (e: AuditEntry) => boolean) => all.filter(f).map((e) => e.auditId);
    expect(await ids('?action=campaign.paused')).toEqual(pick((e) => e.action === 'campaign.paused'));
    expect(await ids(`?campaignId=${campaignId}`)).toEqual(pick((e) => e.target.campaignId === campaignId));
    expect(await ids(`?callId=${callId}`)).toEqual(pick((e) => e.target.callId === callId));
    expect(await ids(`?actor=${adminSub}`)).toEqual(pick((e) => e.actor.id === adminSub));
    expect(await ids(`?actor=${dispatcherSub}&action=suppression.added`)).toHaveLength(1);
    const middle = all[Math.floor(all.length / 2)]!.at;
    expect(await ids(`?to=${encodeURIComponent(middle)}`)).toEqual(pick((e) => e.at < middle));
    expect(await ids(`?from=${encodeURIComponent(middle)}&limit=200`)).toEqual(pick((e) => e.at >= middle));

    for (const bad of [
      '?action=call.sneezed',
      '?from=yesterday',
      '?limit=0',
      `?from=${middle}&to=${middle}`,
    ]) {
      const res = await get(bad);
      expect(res.status, bad).toBe(422);
      expect((res.body as ErrorBody).error.code).toBe('validation_failed');
    }
    expect((await get('?cursor=nope')).status).toBe(400);

    const rival = (await get('?limit=200', rivalAdmin)).body as ListAuditResponse;
    expect(rival.entries.map((e) => e.action)).toEqual(['auth.signed_in']);
    expect(rival.entries.every((e) => e.orgId === OTHER_ORG)).toBe(true);
  });

  it("GET /calls/{id}/audit: the call's entries for every user of its org; 404 for another org", async () => {
    const res = await stack.request('GET', `/calls/${callId}/audit`, { token: dispatcher });
    expect(res.status).toBe(200);
    const entries = (res.body as ListAuditResponse).entries;
    expect(entries.map((e) => e.auditId)).toEqual(
      (await allEntries()).filter((e) => e.target.callId === callId).map((e) => e.auditId),
    );
    expect(entries.map((e) => e.action)).toContain('call.triggered');
    expect(entries.map((e) => e.action)).toContain('call.status_changed');
    expect((await stack.request('GET', `/calls/${callId}/audit`, { token: rivalAdmin })).status).toBe(404);
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one, on errors too', async () => {
    const ok = await stack.request('GET', '/calls/nope', {
      token: dispatcher,
      headers: { 'x-request-id': 'abc.123:x-Y_z' },
    });
    expect(ok.status).toBe(404);
    expect(ok.headers.get('x-request-id')).toBe('abc.123:x-Y_z');
    for (const bad of ['has spaces', 'x'.repeat(129), '']) {
      const res = await stack.request('GET', '/health', { headers: { 'x-request-id': bad } });
      const echoed = res.headers.get('x-request-id');
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      expect(echoed).not.toBe(bad);
    }
  });

  it('answers 503 audit_unavailable (applied) and logs the entry when the audit write fails', async () => {
    const append = vi.spyOn(stack.backend.audit, 'append').mockRejectedValue(new Error('audit store down'));
    try {
      const res = await stack.request('POST', '/suppressions', {
        token: dispatcher,
        body: { phoneNumber: '+15557770042' },
      });
      expect(res.status).toBe(503);
      const error = (res.body as ErrorBody).error;
      expect(error).toMatchObject({ code: 'audit_unavailable', details: { applied: true } });
      expect(append).toHaveBeenCalledTimes(3);
      expect(await stack.backend.suppressions.find(ORG, '+15557770042')).not.toBeNull();
      const logged = stack.logs.find((l) => l.includes('audit entry not stored'));
      expect(logged).toContain((error.details as { auditId: string }).auditId);
      expect(logged).toContain('suppression.added');
      expect(logged).not.toContain('5557770042');
    } finally {
      append.mockRestore();
    }
  });
});
