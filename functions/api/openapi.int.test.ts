// docs/openapi.yaml matches the implementation: same routes both ways, and real responses fit their schemas.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SignJWT } from 'jose';
import twilio from 'twilio';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_STATES } from '../../core/domain/campaign.ts';
import { systemClock } from '../../core/support/clock.ts';
import type { BusMessage } from '../../core/ports/event-bus.ts';
import { webhookBody, webhookEventsOf } from '../../core/operations/webhook-events.ts';
import { createAppRoutes } from '../app.ts';
import type { WebhookDeps } from '../webhooks/webhook-deps.ts';
import {
  campaignBody,
  campaignDriver,
  ORG,
  OTHER_ORG,
  PUBLIC_BASE_URL,
  startApiStack,
  triggerBody,
  type ApiResponse,
  type ApiStack,
} from './api.test-kit.ts';

interface OpenApiDoc {
  webhooks: Record<string, unknown>;
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { responses: Record<string, ResponseObject> };
}
type ResponseObject = { $ref?: string; content?: Record<string, { schema?: unknown }> };

const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as OpenApiDoc;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
ajv.addSchema(doc, 'openapi');

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Asserts `res` is a documented response of `method path` and its JSON body fits the documented schema. */
function expectConforms(method: string, path: string, res: ApiResponse): void {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is documented`).toBeDefined();
  let response = operation!.responses[String(res.status)];
  expect(response, `${method} ${path} documents ${res.status}`).toBeDefined();
  let location = pointer('paths', path, method.toLowerCase(), 'responses', String(res.status));
  if (response!.$ref) {
    const name = response!.$ref.split('/').pop()!;
    response = doc.components.responses[name];
    location = pointer('components', 'responses', name);
  }
  if (res.status === 204) {
    expect(response!.content, `${method} ${path} 204 has no content`).toBeUndefined();
    expect(res.text).toBe('');
    return;
  }
  const media = res.headers.get('content-type')?.split(';')[0] ?? '';
  expect(Object.keys(response!.content ?? {}), `${method} ${path} ${res.status} content type`).toContain(
    media,
  );
  if (media !== 'application/json') return;
  const validate = ajv.compile({ $ref: `openapi#/${location}/${pointer('content', media, 'schema')}` });
  if (!validate(res.body)) {
    throw new Error(
      `${method} ${path} ${res.status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${res.text}`,
    );
  }
}

describe('docs/openapi.yaml', () => {
  it('documents exactly the routes the server serves (API + webhooks + health)', async () => {
    const stack = await startApiStack({ backend: 'memory' });
    try {
      const webhookDeps: WebhookDeps = {
        store: stack.backend.store,
        bus: stack.backend.bus,
        clock: systemClock,
        config: {
          publicBaseUrl: PUBLIC_BASE_URL,
          twilioAuthToken: 't',
          elevenlabsWebhookSecret: 's',
          defaultOrg: 'o',
        },
      };
      const served = createAppRoutes(webhookDeps, stack.deps)
        .map((r) => `${r.method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`)
        .sort();
      const documented = Object.entries(doc.paths)
        .flatMap(([path, item]) =>
          Object.keys(item)
            .filter((m) => METHODS.includes(m))
            .map((m) => `${m.toUpperCase()} ${path}`),
        )
        .sort();
      expect(documented).toEqual(served);
    } finally {
      await stack.close();
    }
  });

  it('the checker rejects what the schemas forbid', () => {
    const res = (status: number, body: unknown): ApiResponse => ({
      status,
      headers: new Headers({ 'content-type': 'application/json' }),
      body,
      text: JSON.stringify(body),
    });
    expect(() => expectConforms('GET', '/calls/{callId}', res(200, { callId: 1 }))).toThrow(/does not match/);
    expect(() => expectConforms('GET', '/calls/{callId}', res(418, {}))).toThrow(/documents 418/);
    const phone = {
      callId: 'c',
      orgId: 'o',
      triggers: [],
      status: 'queued',
      createdAt: 'x',
      updatedAt: 'x',
      lastSeq: 0,
    };
    expect(() =>
      expectConforms(
        'GET',
        '/calls/{callId}',
        res(200, { ...phone, driver: { id: 'd', name: 'n', phoneNumber: '+1555' } }),
      ),
    ).toThrow(/does not match/);
    const counts = Object.fromEntries(DRIVER_STATES.map((state) => [state, 0]));
    const campaign = {
      campaignId: 'cmp_1',
      name: 'n',
      status: 'running',
      startAt: 'x',
      callingWindow: { start: '08:00', end: '21:00' },
      retry: { maxAttempts: 3, backoffSecs: [900] },
      maxConcurrentCalls: 5,
      counts,
      driverCount: 0,
      createdBy: 'u',
      createdAt: 'x',
      updatedAt: 'x',
    };
    const driver = {
      driverId: 'd',
      driverName: 'n',
      timezone: 'UTC',
      state: 'scheduled',
      attempts: 0,
      callIds: [],
    };
    expect(() =>
      expectConforms('GET', '/campaigns/{campaignId}', res(200, { ...campaign, drivers: [driver] })),
    ).not.toThrow();
    expect(() =>
      expectConforms(
        'GET',
        '/campaigns/{campaignId}',
        res(200, { ...campaign, drivers: [{ ...driver, phoneNumber: '+1555' }] }),
      ),
    ).toThrow(/does not match/);
    expect(() =>
      expectConforms('GET', '/campaigns', res(200, { campaigns: [{ ...campaign, requestHash: 'h' }] })),
    ).toThrow(/does not match/);
    expect(() =>
      expectConforms('GET', '/campaigns', res(200, { campaigns: [{ ...campaign, drivers: [] }] })),
    ).toThrow(/does not match/);
  });

  describe('real responses match their schemas', () => {
    let stack: ApiStack;
    let token: string;
    beforeAll(async () => {
      stack = await startApiStack({ backend: 'memory', env: { DIAL_MODE: 'elevenlabs' } });
      token = await stack.login();
    });
    afterAll(() => stack.close());

    it('auth and health', async () => {
      expectConforms('GET', '/healthz', await stack.request('GET', '/healthz'));
      await stack.createUser('ops@acme.test', 'correct horse battery');
      const login = (password: string) =>
        stack.request('POST', '/auth/login', { body: { email: 'ops@acme.test', password } });
      expectConforms('POST', '/auth/login', await login('correct horse battery'));
      expectConforms('POST', '/auth/login', await login('wrong'));
      expectConforms(
        'POST',
        '/auth/login',
        await stack.request('POST', '/auth/login', { body: { email: 1 } }),
      );
      const { token: fresh } = (await login('correct horse battery')).body as { token: string };
      const refreshed = await stack.request('POST', '/auth/refresh', { token: fresh });
      expect(refreshed.status).toBe(200);
      expectConforms('POST', '/auth/refresh', refreshed);
      expectConforms('POST', '/auth/refresh', await stack.request('POST', '/auth/refresh'));
      const now = Math.floor(Date.now() / 1000);
      const tooOld = await new SignJWT({ org: 'org-acme', role: 'dispatcher', auth_time: now - 86_400 })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('usr_old')
        .setIssuer(stack.config.auth.issuer)
        .setAudience(stack.config.auth.audience)
        .setExpirationTime(now + 60)
        .sign(stack.config.auth.secret!);
      const sessionExpired = await stack.request('POST', '/auth/refresh', { token: tooOld });
      expect((sessionExpired.body as { error: { code: string } }).error.code).toBe('session_expired');
      expectConforms('POST', '/auth/refresh', sessionExpired);
      const ticket = await stack.request('POST', '/relay/tickets', { token: fresh });
      expect(ticket.status).toBe(200);
      expectConforms('POST', '/relay/tickets', ticket);
      expectConforms('POST', '/relay/tickets', await stack.request('POST', '/relay/tickets'));
      // From an address that never logged in to the account: after 5 free failures each one slows the account
      // down for longer (1 s, 2 s … 60 s), so guessing on meets a 429 however slow this machine is.
      const guess = () =>
        stack.requestFrom('127.0.0.9', 'POST', '/auth/login', {
          body: { email: 'ops@acme.test', password: 'no' },
        });
      let limited = await guess();
      for (let i = 0; i < 20 && limited.status === 401; i++) limited = await guess();
      expect(limited.status).toBe(429);
      expectConforms('POST', '/auth/login', limited);
      // Every hashing slot and wait-line place taken: the next login is shed with 503.
      const work = stack.deps.passwordWork;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holders: Promise<void>[] = [];
      while (work.hasRoom()) holders.push(work.tryRun(() => held));
      const shed = await stack.request('POST', '/auth/login', {
        body: { email: 'someone@acme.test', password: 'x' },
      });
      expect(shed.status).toBe(503);
      expectConforms('POST', '/auth/login', shed);
      release();
      await Promise.all(holders);
    });

    it('calls, events, conversations', async () => {
      const path = '/driver_data/call-elevenlabs';
      const created = await stack.request('POST', path, {
        token,
        body: triggerBody(),
        headers: { 'idempotency-key': 'k1' },
      });
      expect(created.status).toBe(201);
      expectConforms('POST', path, created);
      expectConforms(
        'POST',
        path,
        await stack.request('POST', path, {
          token,
          body: triggerBody(),
          headers: { 'idempotency-key': 'k1' },
        }),
      );
      expectConforms(
        'POST',
        path,
        await stack.request('POST', path, { token, body: triggerBody({ phoneNumber: '555' }) }),
      );
      expectConforms('POST', path, await stack.request('POST', path, { body: triggerBody() }));
      stack.sim.failNext('elevenlabs.outbound-call', { status: 500 });
      expectConforms('POST', path, await stack.request('POST', path, { token, body: triggerBody() }));
      await stack.settle();

      const { callId, conversationId } = created.body as { callId: string; conversationId: string };
      const list = await stack.request('GET', '/calls?limit=1', { token });
      expect((list.body as { nextCursor?: string }).nextCursor).toBeDefined();
      expectConforms('GET', '/calls', list);
      expectConforms('GET', '/calls', await stack.request('GET', '/calls?limit=1000', { token }));
      expectConforms('GET', '/calls/{callId}', await stack.request('GET', `/calls/${callId}`, { token }));
      expectConforms('GET', '/calls/{callId}', await stack.request('GET', '/calls/call_nope', { token }));
      const events = await stack.request('GET', `/calls/${callId}/events?limit=500`, { token });
      const kinds = new Set((events.body as { events: { kind: string }[] }).events.map((e) => e.kind));
      expect([...kinds].sort()).toEqual(['call_status', 'segment', 'transcript']);
      expectConforms('GET', '/calls/{callId}/events', events);
      expectConforms(
        'GET',
        '/calls/{callId}/events',
        await stack.request('GET', `/calls/${callId}/events?afterSeq=2&limit=2`, { token }),
      );
      const fetchPath = '/driver_data/conversations/{conversationId}/fetch';
      expectConforms(
        'POST',
        fetchPath,
        await stack.request('POST', `/driver_data/conversations/${conversationId}/fetch`, { token }),
      );
      expectConforms(
        'POST',
        fetchPath,
        await stack.request('POST', '/driver_data/conversations/conv_nope/fetch', { token }),
      );
    });

    it('outbound webhook endpoints', async () => {
      const admin = await stack.login(undefined, 'admin');
      const path = '/webhook-endpoints';
      const created = await stack.request('POST', path, {
        token: admin,
        body: { url: 'https://93.184.215.14/hooks', events: ['call.completed'], includePhoneNumbers: true },
      });
      expect(created.status).toBe(201);
      expectConforms('POST', path, created);
      for (const body of [{ url: 'https://127.0.0.1/x', events: ['call.failed'] }, { events: [] }]) {
        expectConforms('POST', path, await stack.request('POST', path, { token: admin, body }));
      }
      expectConforms('POST', path, await stack.request('POST', path, { token, body: {} }));
      expectConforms('GET', path, await stack.request('GET', path, { token: admin }));
      expectConforms('GET', path, await stack.request('GET', path, { token }));
      const { id } = created.body as { id: string };
      const one = (suffix: string) => `/webhook-endpoints/{endpointId}${suffix}`;
      const test = await stack.request('POST', `${path}/${id}/test`, { token: admin });
      expect(test.status).toBe(202);
      expectConforms('POST', one('/test'), test);
      const { deliveryId } = (test.body as { delivery: { deliveryId: string } }).delivery;
      const log = await stack.request('GET', `${path}/${id}/deliveries?limit=5`, { token: admin });
      expectConforms('GET', one('/deliveries'), log);
      expectConforms(
        'GET',
        one('/deliveries'),
        await stack.request('GET', `${path}/${id}/deliveries?cursor=nope`, { token: admin }),
      );
      const retry = await stack.request('POST', `${path}/${id}/deliveries/${deliveryId}/retry`, {
        token: admin,
      });
      expect(retry.status).toBe(202);
      expectConforms('POST', one('/deliveries/{deliveryId}/retry'), retry);
      const rotated = await stack.request('POST', `${path}/${id}/rotate-secret`, { token: admin });
      expectConforms('POST', one('/rotate-secret'), rotated);
      expectConforms(
        'POST',
        one('/rotate-secret'),
        await stack.request('POST', `${path}/ep_nope/rotate-secret`, { token: admin }),
      );
      const deleted = await stack.request('DELETE', `${path}/${id}`, { token: admin });
      expect(deleted.status).toBe(204);
      expectConforms('DELETE', one(''), await stack.request('DELETE', `${path}/${id}`, { token: admin }));
    });

    it('outbound webhook events match their schemas', () => {
      const at = '2026-03-01T08:00:00.000Z';
      const call = {
        callId: 'call_1',
        orgId: 'org-acme',
        driver: { id: 'drv_1', name: 'Sam' },
        triggers: [{ type: 'violation' as const, description: 'Reefer at 45F' }],
        campaign: { campaignId: 'cmp_1', driverId: 'drv_1', attempt: 1 },
        conversationId: 'conv_1',
        createdAt: at,
        updatedAt: at,
        answeredAt: at,
        endedAt: at,
        durationSecs: 40,
        lastSeq: 5,
      };
      const event = {
        callId: 'call_1',
        seq: 5,
        dedupeKey: 'k',
        recordedAt: at,
        kind: 'call_status' as const,
        status: 'completed' as const,
        source: 'twilio' as const,
      };
      const counts = {
        scheduled: 0,
        calling: 0,
        retry_scheduled: 0,
        acknowledged: 1,
        not_acknowledged: 0,
        unreachable: 0,
        opted_out: 0,
        suppressed: 0,
        canceled: 0,
      };
      const messages: BusMessage[] = [
        {
          type: 'event',
          event,
          call: {
            ...call,
            status: 'completed',
            outcome: {
              summary: 'ok',
              callSuccessful: 'success',
              dataCollection: { acknowledged: 'yes', eta: '30 min', photos_promised: true },
            },
          },
        },
        {
          type: 'event',
          event: { ...event, status: 'busy' },
          call: { ...call, status: 'busy', failureReason: 'busy' },
        },
        {
          type: 'notice',
          orgId: 'org-acme',
          notice: {
            kind: 'attention_opened',
            item: {
              attentionId: 'att_1',
              orgId: 'org-acme',
              reason: 'escalation',
              driverId: 'drv_1',
              driverName: 'Sam',
              callIds: ['call_1'],
              openedAt: at,
            },
          },
        },
        {
          type: 'notice',
          orgId: 'org-acme',
          notice: {
            kind: 'campaign_completed',
            campaign: {
              campaignId: 'cmp_1',
              orgId: 'org-acme',
              name: 'Night',
              status: 'completed',
              startAt: at,
              callingWindow: { start: '08:00', end: '21:00' },
              retry: { maxAttempts: 1, backoffSecs: [60] },
              maxConcurrentCalls: 1,
              counts,
              driverCount: 1,
              createdBy: 'u',
              createdAt: at,
              updatedAt: at,
              completedAt: at,
            },
          },
        },
        {
          type: 'notice',
          orgId: 'org-acme',
          notice: {
            kind: 'driver_opted_out',
            orgId: 'org-acme',
            driverId: 'drv_1',
            driverName: 'Sam',
            phoneNumber: '+15551234567',
            callId: 'call_1',
            at,
          },
        },
      ];
      const schemaOf: Record<string, string> = {
        'call.completed': 'CallCompletedEvent',
        'call.failed': 'CallFailedEvent',
        'call.needs_attention': 'NeedsAttentionEvent',
        'campaign.completed': 'CampaignCompletedEvent',
        'driver.opted_out': 'DriverOptedOutEvent',
      };
      const events = messages.flatMap(webhookEventsOf);
      expect(events.map((e) => e.type).sort()).toEqual(Object.keys(schemaOf).sort());
      expect(Object.keys(doc.webhooks).sort()).toEqual([...Object.keys(schemaOf), 'webhook.test'].sort());
      for (const e of events) {
        const validate = ajv.compile({ $ref: `openapi#/components/schemas/${schemaOf[e.type]}` });
        for (const body of [webhookBody(e), webhookBody(e, '+15551234567')]) {
          if (!validate(JSON.parse(body)))
            throw new Error(`${e.type}: ${ajv.errorsText(validate.errors)}\n${body}`);
        }
      }
    });

    it('campaigns, suppressions and attention', async () => {
      const create = (body: unknown, key?: string) =>
        stack.request('POST', '/campaigns', {
          token,
          body,
          ...(key ? { headers: { 'idempotency-key': key } } : {}),
        });
      const created = await create(campaignBody(2), 'openapi-1');
      expect(created.status).toBe(201);
      expectConforms('POST', '/campaigns', created);
      expectConforms('POST', '/campaigns', await create(campaignBody(2), 'openapi-1'));
      expectConforms('POST', '/campaigns', await create(campaignBody(3), 'openapi-1'));
      expectConforms(
        'POST',
        '/campaigns',
        await create(
          campaignBody(2, { drivers: [campaignDriver(0, { phoneNumber: '5' }), campaignDriver(0)] }),
        ),
      );
      expectConforms('POST', '/campaigns', await create(campaignBody(1, { name: 'x'.repeat(1024 * 1024) })));
      expectConforms(
        'POST',
        '/campaigns',
        await stack.request('POST', '/campaigns', {
          token,
          rawBody: '{',
          headers: { 'content-type': 'application/json' },
        }),
      );
      expectConforms(
        'POST',
        '/campaigns',
        await stack.request('POST', '/campaigns', {
          token,
          rawBody: '{}',
          headers: { 'content-type': 'text/plain' },
        }),
      );
      expectConforms(
        'POST',
        '/campaigns',
        await stack.request('POST', '/campaigns', { body: campaignBody(1) }),
      );
      await create(campaignBody(1, { startAt: '2099-01-01T00:00:00Z' }));

      const list = await stack.request('GET', '/campaigns?limit=1', { token });
      expect((list.body as { nextCursor?: string }).nextCursor).toBeDefined();
      expectConforms('GET', '/campaigns', list);
      expectConforms('GET', '/campaigns', await stack.request('GET', '/campaigns?limit=0', { token }));
      expectConforms('GET', '/campaigns', await stack.request('GET', '/campaigns?cursor=bad', { token }));
      const { campaignId } = created.body as { campaignId: string };
      expectConforms(
        'GET',
        '/campaigns/{campaignId}',
        await stack.request('GET', `/campaigns/${campaignId}`, { token }),
      );
      expectConforms(
        'GET',
        '/campaigns/{campaignId}',
        await stack.request('GET', '/campaigns/cmp_nope', { token }),
      );
      for (const action of ['pause', 'resume', 'cancel', 'cancel']) {
        const path = `/campaigns/{campaignId}/${action}`;
        expectConforms(
          'POST',
          path,
          await stack.request('POST', `/campaigns/${campaignId}/${action}`, { token }),
        );
        expectConforms('POST', path, await stack.request('POST', `/campaigns/cmp_nope/${action}`, { token }));
      }
      expectConforms(
        'POST',
        '/campaigns/{campaignId}/resume',
        await stack.request('POST', `/campaigns/${campaignId}/resume`, { token }),
      );

      const add = (body: unknown) => stack.request('POST', '/suppressions', { token, body });
      const added = await add({ phoneNumber: '+15558880001', note: 'asked' });
      expect(added.status).toBe(201);
      expectConforms('POST', '/suppressions', added);
      expectConforms('POST', '/suppressions', await add({ phoneNumber: '+15558880001' }));
      expectConforms('POST', '/suppressions', await add({ phoneNumber: 'nope' }));
      await add({ phoneNumber: '+15558880002' });
      const suppressions = await stack.request('GET', '/suppressions?limit=1', { token });
      expect((suppressions.body as { nextCursor?: string }).nextCursor).toBeDefined();
      expectConforms('GET', '/suppressions', suppressions);
      expectConforms('GET', '/suppressions', await stack.request('GET', '/suppressions?limit=x', { token }));
      const { suppressionId } = added.body as { suppressionId: string };
      const removed = await stack.request('DELETE', `/suppressions/${suppressionId}`, { token });
      expect(removed.status).toBe(204);
      expectConforms('DELETE', '/suppressions/{suppressionId}', removed);
      expectConforms(
        'DELETE',
        '/suppressions/{suppressionId}',
        await stack.request('DELETE', `/suppressions/${suppressionId}`, { token }),
      );

      for (const [id, org] of [
        ['att_oa_1', ORG],
        ['att_oa_2', ORG],
        ['att_oa_3', OTHER_ORG],
      ] as const) {
        await stack.backend.attention.open({
          attentionId: id,
          orgId: org,
          reason: 'unreachable',
          driverId: 'drv_1',
          driverName: 'Driver 1',
          callIds: ['call_1', 'call_2', 'call_3'],
          campaignId,
          openedAt: new Date().toISOString(),
        });
      }
      const resolve = (id: string, body: unknown) =>
        stack.request('POST', `/attention/${id}/resolve`, { token, body });
      const resolved = await resolve('att_oa_1', { note: 'Reached him by text' });
      expect(resolved.status).toBe(200);
      expectConforms('POST', '/attention/{attentionId}/resolve', resolved);
      expectConforms(
        'POST',
        '/attention/{attentionId}/resolve',
        await resolve('att_oa_1', { note: 'again' }),
      );
      expectConforms(
        'POST',
        '/attention/{attentionId}/resolve',
        await resolve('att_oa_3', { note: 'not ours' }),
      );
      expectConforms('POST', '/attention/{attentionId}/resolve', await resolve('att_oa_2', {}));
      const attention = await stack.request('GET', '/attention?state=all&limit=1', { token });
      expect((attention.body as { nextCursor?: string }).nextCursor).toBeDefined();
      expectConforms('GET', '/attention', attention);
      expectConforms('GET', '/attention', await stack.request('GET', '/attention?state=resolved', { token }));
      expectConforms('GET', '/attention', await stack.request('GET', '/attention?state=nope', { token }));
      expectConforms('GET', '/attention', await stack.request('GET', '/attention'));
    });

    it('live intervention (takeover, end)', async () => {
      const created = await stack.request('POST', '/driver_data/call-elevenlabs', {
        token,
        body: triggerBody(),
      });
      await stack.settle();
      const { callId } = created.body as { callId: string };
      for (const action of ['takeover', 'end']) {
        const path = `/calls/{callId}/${action}`;
        const over = await stack.request('POST', `/calls/${callId}/${action}`, { token });
        expect(over.status).toBe(409);
        expectConforms('POST', path, over);
        expectConforms('POST', path, await stack.request('POST', `/calls/call_nope/${action}`, { token }));
        expectConforms('POST', path, await stack.request('POST', `/calls/${callId}/${action}`));
      }
      const bad = await stack.request('POST', `/calls/${callId}/takeover`, {
        token,
        body: { phoneNumber: '5' },
      });
      expect(bad.status).toBe(422);
      expectConforms('POST', '/calls/{callId}/takeover', bad);
      const taken = { by: 'usr_1', byEmail: 'd@acme.test', at: new Date().toISOString() };
      const live = { ...((await stack.request('GET', `/calls/${callId}`, { token })).body as object) };
      const accepted = (body: unknown): ApiResponse => ({
        status: 202,
        headers: new Headers({ 'content-type': 'application/json' }),
        body,
        text: JSON.stringify(body),
      });
      expectConforms('POST', '/calls/{callId}/takeover', accepted({ ...live, takenOver: taken }));
      expectConforms('POST', '/calls/{callId}/end', accepted({ ...live, endRequested: taken }));
    });

    it('analytics', async () => {
      const token = await stack.login();
      for (const query of ['', '?groupBy=violationType', '?groupBy=campaign&from=2030-01-01&to=2030-01-31']) {
        const res = await stack.request('GET', `/analytics${query}`, { token });
        expect(res.status).toBe(200);
        expectConforms('GET', '/analytics', res);
      }
      expectConforms('GET', '/analytics', await stack.request('GET', '/analytics?groupBy=driver', { token }));
      expectConforms('GET', '/analytics', await stack.request('GET', '/analytics'));
    });

    it('webhooks', async () => {
      const params = { CallSid: 'CA' + 'f'.repeat(32), CallStatus: 'ringing', SequenceNumber: '1' };
      const signature = twilio.getExpectedTwilioSignature(
        'sim-twilio-auth-token',
        `${PUBLIC_BASE_URL}/webhooks/twilio/status`,
        params,
      );
      const form = {
        rawBody: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
      const ok = await stack.request('POST', '/webhooks/twilio/status', {
        ...form,
        headers: { ...form.headers, 'x-twilio-signature': signature },
      });
      expect(ok.status).toBe(200);
      expectConforms('POST', '/webhooks/twilio/status', ok);
      expectConforms(
        'POST',
        '/webhooks/twilio/status',
        await stack.request('POST', '/webhooks/twilio/status', form),
      );
      const voiceParams = { CallSid: 'CA' + 'e'.repeat(32), From: '+15550000001', To: '+15551234567' };
      const voiceUrl = `${PUBLIC_BASE_URL}/webhooks/twilio/voice?callId=call_unknown`;
      const voice = await stack.request('POST', '/webhooks/twilio/voice?callId=call_unknown', {
        rawBody: new URLSearchParams(voiceParams).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(
            'sim-twilio-auth-token',
            voiceUrl,
            voiceParams,
          ),
        },
      });
      expect(voice.text).toContain('<Hangup/>');
      expectConforms('POST', '/webhooks/twilio/voice', voice);
      expectConforms(
        'POST',
        '/webhooks/elevenlabs',
        await stack.request('POST', '/webhooks/elevenlabs', { body: {} }),
      );
    });
  });
});
