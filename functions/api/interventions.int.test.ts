// Takeover and end of a live call through the API, the real Twilio SDK and the simulator, on every backend.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../core/auth/passwords.ts';
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import { TAKEOVER_NOTICE } from '../../core/domain/intervention.ts';
import { TAKEOVER_CONVERSATION } from '../../simulator/scripts/takeover.ts';
import { BACKENDS, emulatorsAvailable } from '../../test/backends.ts';
import {
  PUBLIC_BASE_URL,
  ORG,
  OTHER_ORG,
  startApiStack,
  triggerBody,
  type ApiStack,
} from './api.test-kit.ts';

const backends = BACKENDS.filter((b) => b === 'memory' || emulatorsAvailable());
const DISPATCHER_PHONE = '+15550100200';
const PASSWORD = 'correct horse battery';

describe.each(backends)('live intervention on %s', (backend) => {
  let stack: ApiStack | undefined;
  afterEach(async () => {
    // Let held calls finish, so no webhook is still being stored while the backend closes.
    stack?.sim.resume();
    await stack?.settle();
    await stack?.close();
    stack = undefined;
  });

  /**
   * A stack whose simulator holds every call once a few transcription webhooks went out (the agent and the driver
   * have spoken), so the test acts on an in-progress call whatever the machine's speed. Paced (the 41 s script in
   * ~8 s) so the script cannot run far past the deliveries the pause is keyed on while a slow backend handles them.
   */
  async function startHeldStack(mode: 'register' | 'elevenlabs' = 'register'): Promise<ApiStack> {
    const box: { stack?: ApiStack; sent: number } = { sent: 0 };
    let onHeld: () => void = () => undefined;
    held = new Promise<void>((resolve) => (onHeld = resolve));
    const s = await startApiStack({
      backend,
      env: { DIAL_MODE: mode },
      simulator: {
        speed: 5,
        deliverTo: (publicUrl) => {
          if (publicUrl.includes('/transcription') && ++box.sent === 4) {
            box.stack?.sim.pause();
            onHeld();
          }
          return publicUrl.replace(PUBLIC_BASE_URL, box.stack?.url ?? '');
        },
      },
    });
    box.stack = s;
    return s;
  }

  /** A dispatcher of `org` (with a profile phone number when given) and their token. */
  async function dispatcher(s: ApiStack, phoneNumber?: string, org = ORG) {
    const email = `${randomUUID().slice(0, 8)}@dispatch.test`;
    const user = await s.backend.users.createUser({
      userId: `usr_${randomUUID().slice(0, 8)}`,
      email,
      orgId: org,
      role: 'dispatcher',
      passwordHash: await hashPassword(PASSWORD),
      ...(phoneNumber ? { phoneNumber } : {}),
    });
    const res = await s.request('POST', '/auth/login', { body: { email, password: PASSWORD } });
    return { userId: user.userId, email, token: (res.body as { token: string }).token };
  }

  /** Resolves once the held stack's simulator paused its call. */
  let held: Promise<void> = Promise.resolve();

  async function liveCall(s: ApiStack, token: string): Promise<string> {
    const created = await s.request('POST', '/driver_data/call-elevenlabs', { token, body: triggerBody() });
    expect(created.status).toBe(201);
    const { callId } = created.body as { callId: string };
    await held;
    await expect
      .poll(async () => ((await s.request('GET', `/calls/${callId}`, { token })).body as Call).status, {
        timeout: 20_000,
      })
      .toBe('in-progress');
    return callId;
  }

  async function eventsOf(s: ApiStack, token: string, callId: string): Promise<CallEvent[]> {
    const res = await s.request('GET', `/calls/${callId}/events?limit=500`, { token });
    return (res.body as { events: CallEvent[] }).events;
  }

  it.each(['register', 'elevenlabs'] as const)(
    '%s mode takeover: the dispatcher profile number is dialed, later outbound speech is the dispatcher',
    async (mode) => {
      stack = await startHeldStack(mode);
      const me = await dispatcher(stack, DISPATCHER_PHONE);
      const callId = await liveCall(stack, me.token);

      const res = await stack.request('POST', `/calls/${callId}/takeover`, { token: me.token });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ callId, takenOver: { by: me.userId, byEmail: me.email } });
      const again = await stack.request('POST', `/calls/${callId}/takeover`, {
        token: me.token,
        body: { phoneNumber: '+15550100999' },
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: { code: 'already_taken_over', details: { by: me.userId } } });
      const update = stack.sim.requests().filter((r) => r.route === 'twilio.update-call');
      expect(update).toHaveLength(1);
      expect((update[0]?.body as { Twiml: string }).Twiml).toContain(DISPATCHER_PHONE);

      stack.sim.resume();
      await stack.settle();
      const events = await eventsOf(stack, me.token, callId);
      const intervention = events.find((e) => e.kind === 'intervention');
      expect(intervention).toMatchObject({ action: 'takeover', by: me.userId });
      const after = events.filter((e) => e.seq > (intervention?.seq ?? 0));
      const spoken = (speaker: string) =>
        after.flatMap((e) => (e.kind === 'segment' && e.speaker === speaker ? [e.text] : []));
      const scripted = TAKEOVER_CONVERSATION.turns
        .filter((t) => t.speaker === 'dispatcher')
        .map((t) => t.text.replace('{{driver_name}}', 'Sam Carter'));
      expect(spoken('dispatcher')).toEqual(expect.arrayContaining([TAKEOVER_NOTICE, ...scripted]));
      expect(spoken('driver')).toContain('Will do. I will call you back after the reset.');
      expect(spoken('agent')).toEqual([]);
      const call = (await stack.request('GET', `/calls/${callId}`, { token: me.token })).body as Call;
      expect(call).toMatchObject({ status: 'completed', takenOver: { by: me.userId } });
      // The number never leaves the provider request: not in logs, not in events.
      expect(stack.logs.join('\n')).not.toContain(DISPATCHER_PHONE.slice(1));
      expect(JSON.stringify(events)).not.toContain(DISPATCHER_PHONE.slice(1));

      const late = await stack.request('POST', `/calls/${callId}/end`, { token: me.token });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ error: { code: 'not_in_progress' } });
    },
  );

  it('end: the call says goodbye and completes; the timeline records who ended it', async () => {
    stack = await startHeldStack();
    const me = await dispatcher(stack);
    const callId = await liveCall(stack, me.token);
    const res = await stack.request('POST', `/calls/${callId}/end`, { token: me.token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ endRequested: { by: me.userId } });
    const repeat = await stack.request('POST', `/calls/${callId}/end`, { token: me.token });
    expect(repeat.status).toBe(202);
    expect(stack.sim.requests().filter((r) => r.route === 'twilio.update-call')).toHaveLength(1);
    stack.sim.resume();
    await stack.settle();
    const events = await eventsOf(stack, me.token, callId);
    expect(events.filter((e) => e.kind === 'intervention')).toMatchObject([{ action: 'end', by: me.userId }]);
    expect(events.filter((e) => e.kind === 'call_status').at(-1)).toMatchObject({ status: 'completed' });
  });

  it('404 for unknown or other-org calls, 422 without a number, 502 on a provider failure', async () => {
    stack = await startHeldStack();
    const me = await dispatcher(stack);
    const rival = await dispatcher(stack, DISPATCHER_PHONE, OTHER_ORG);
    const callId = await liveCall(stack, me.token);

    for (const path of [`/calls/${callId}/takeover`, `/calls/${callId}/end`]) {
      const foreign = await stack.request('POST', path, { token: rival.token });
      expect(foreign.status).toBe(404);
    }
    const unknown = await stack.request('POST', '/calls/call_nope/takeover', { token: me.token });
    expect(unknown.status).toBe(404);
    const noNumber = await stack.request('POST', `/calls/${callId}/takeover`, { token: me.token });
    expect(noNumber.status).toBe(422);
    expect(noNumber.body).toMatchObject({ error: { code: 'phone_number_required' } });
    const badNumber = await stack.request('POST', `/calls/${callId}/takeover`, {
      token: me.token,
      body: { phoneNumber: '555-0100' },
    });
    expect(badNumber.status).toBe(422);
    expect(badNumber.body).toMatchObject({ error: { code: 'validation_failed' } });
    stack.sim.failNext('twilio.update-call', { status: 503 });
    const failed = await stack.request('POST', `/calls/${callId}/takeover`, {
      token: me.token,
      body: { phoneNumber: DISPATCHER_PHONE },
    });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { code: 'provider_error' } });
    // Nothing was recorded: the takeover can be tried again.
    const retried = await stack.request('POST', `/calls/${callId}/takeover`, {
      token: me.token,
      body: { phoneNumber: DISPATCHER_PHONE },
    });
    expect(retried.status).toBe(202);
  });

  it('409 not_in_progress before the call is answered', async () => {
    stack = await startApiStack({ backend });
    const token = await stack.login();
    stack.sim.pause();
    const created = await stack.request('POST', '/driver_data/call-elevenlabs', {
      token,
      body: triggerBody(),
    });
    const { callId } = created.body as { callId: string };
    const res = await stack.request('POST', `/calls/${callId}/end`, { token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'not_in_progress' } });
    stack.sim.resume();
  });
});
