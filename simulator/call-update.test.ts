// Call updates (Twilio "modify a live call") through TwilioTelephony: takeover plays a human conversation, end hangs up.
import { afterEach, describe, expect, it } from 'vitest';
import { TwilioLocalHttpClient } from '../core/adapters/twilio/twilio-local-http-client.ts';
import { TwilioTelephony } from '../core/adapters/twilio/twilio-telephony.ts';
import { AppError } from '../core/support/errors.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  FROM,
  dialRegister,
  startHarness,
  type Harness,
} from './fixtures.test-kit.ts';
import { TAKEOVER_CONVERSATION } from './scripts/takeover.ts';
import { PUBLIC_BASE, type ReceivedHook } from './webhook-receiver.test-kit.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DISPATCHER_PHONE = '+15550100200';

function telephony(harness: Harness): TwilioTelephony {
  return new TwilioTelephony({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    fromNumber: FROM,
    publicBaseUrl: PUBLIC_BASE,
    timeoutMs: 5_000,
    httpClient: new TwilioLocalHttpClient(harness.sim.url, { timeout: 5_000, autoRetry: false }),
  });
}

const contents = (harness: Harness) =>
  harness.receiver
    .of('transcription')
    .map((x) => x.params)
    .filter((p) => p.TranscriptionEvent === 'transcription-content');
const textOf = (p: Record<string, string>) =>
  (JSON.parse(p.TranscriptionData ?? '{}') as { transcript: string }).transcript;

/** A harness whose simulator holds the call once the driver first speaks, so a test acts mid-call at any speed. */
async function holdMidCall(): Promise<{ harness: Harness; callSid: string }> {
  const box: { harness?: Harness; held?: boolean } = {};
  const pauseOnDriver = (hook: ReceivedHook) => {
    if (!box.held && hook.kind === 'transcription' && hook.params.Track === 'inbound_track') {
      box.held = true;
      box.harness?.sim.pause();
    }
    return 200;
  };
  const harness = await startHarness({ receiver: { respond: pauseOnDriver } });
  box.harness = harness;
  const call = await dialRegister(harness);
  await expect.poll(() => contents(harness).some((p) => p.Track === 'inbound_track')).toBe(true);
  return { harness, callSid: call.sid };
}

describe('call updates', () => {
  it('a <Dial> update stops the agent and plays the dispatcher conversation on the outbound track', async () => {
    const held = await holdMidCall();
    h = held.harness;
    const agentLinesBefore = contents(h).filter((p) => p.Track === 'outbound_track').length;
    await telephony(h).redirectToPhone({
      callSid: held.callSid,
      toNumber: DISPATCHER_PHONE,
      notice: 'Please hold for your dispatcher.',
    });
    const update = h.sim.requests().find((r) => r.route === 'twilio.update-call');
    expect(update?.body).toMatchObject({ Twiml: expect.stringContaining(`<Dial callerId="${FROM}">`) });
    expect((update?.body as { Twiml: string }).Twiml).toContain(DISPATCHER_PHONE);
    h.sim.resume();
    await h.sim.whenIdle();

    const outbound = contents(h)
      .filter((p) => p.Track === 'outbound_track')
      .map(textOf);
    const after = outbound.slice(agentLinesBefore);
    expect(after[0]).toBe('Please hold for your dispatcher.');
    const dispatcherLines = TAKEOVER_CONVERSATION.turns
      .filter((t) => t.speaker === 'dispatcher')
      .map((t) => t.text.replace('{{driver_name}}', 'Sam'));
    expect(after.slice(1)).toEqual(dispatcherLines);
    // The agent's closing line never played.
    expect(outbound).not.toContain('Thanks, I have noted 3:30. Drive safe.');
    const statuses = h.receiver.of('status').map((x) => x.params.CallStatus);
    expect(statuses.at(-1)).toBe('completed');
    const sessionEnds = h.receiver
      .of('transcription')
      .filter((x) => x.params.TranscriptionEvent === 'transcription-stopped');
    expect(sessionEnds).toHaveLength(1);
  });

  it('endCall with a notice says goodbye, then the call completes; a second update is 21220', async () => {
    const held = await holdMidCall();
    h = held.harness;
    const adapter = telephony(h);
    await adapter.endCall({ callSid: held.callSid, notice: 'Goodbye.' });
    await expect(adapter.endCall({ callSid: held.callSid })).rejects.toMatchObject({
      code: 'not_in_progress',
    });
    h.sim.resume();
    await h.sim.whenIdle();
    expect(contents(h).map(textOf).at(-1)).toBe('Goodbye.');
    expect(
      h.receiver
        .of('status')
        .map((x) => x.params.CallStatus)
        .at(-1),
    ).toBe('completed');
    expect(h.sim.calls()[0]?.status).toBe('completed');
    await expect(
      adapter.redirectToPhone({ callSid: held.callSid, toNumber: DISPATCHER_PHONE, notice: 'x' }),
    ).rejects.toBeInstanceOf(AppError);
  });

  it('Status=completed hangs up at once; a provider failure is provider_error without the number', async () => {
    const held = await holdMidCall();
    h = held.harness;
    const adapter = telephony(h);
    h.sim.failNext('twilio.update-call', { status: 503 });
    const err = await adapter
      .redirectToPhone({ callSid: held.callSid, toNumber: DISPATCHER_PHONE, notice: 'x' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({
      code: 'provider_error',
      details: { provider: 'twilio', operation: 'calls.update', status: 503 },
    });
    expect(JSON.stringify({ m: (err as Error).message, d: (err as AppError).details })).not.toContain(
      DISPATCHER_PHONE.slice(1),
    );
    await adapter.endCall({ callSid: held.callSid });
    expect(h.sim.requests().at(-1)?.body).toEqual({ Status: 'completed' });
    h.sim.resume();
    await h.sim.whenIdle();
    expect(
      h.receiver
        .of('status')
        .map((x) => x.params.CallStatus)
        .at(-1),
    ).toBe('completed');
  });
});
