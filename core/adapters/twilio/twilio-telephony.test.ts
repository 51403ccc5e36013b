// TwilioTelephony.findCalls against the provider simulator: calls from both dial modes, the since bound, failures.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  DRIVER,
  FROM,
  dialElevenLabs,
  dialRegister,
  startHarness,
  type Harness,
} from '../../../simulator/fixtures.test-kit.ts';
import { PUBLIC_BASE } from '../../../simulator/webhook-receiver.test-kit.ts';
import { AppError } from '../../support/errors.ts';
import { TwilioLocalHttpClient } from './twilio-local-http-client.ts';
import { TwilioTelephony } from './twilio-telephony.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const OTHER = '+15550000099';

function telephony(harness: Harness, timeoutMs = 5_000): TwilioTelephony {
  return new TwilioTelephony({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    fromNumber: FROM,
    publicBaseUrl: PUBLIC_BASE,
    timeoutMs,
    httpClient: new TwilioLocalHttpClient(harness.sim.url, { timeout: timeoutMs, autoRetry: false }),
  });
}

async function startedAt(harness: Harness, callSid: string): Promise<Date> {
  const call = await harness.twilio.calls(callSid).fetch();
  return call.startTime;
}

describe('TwilioTelephony.findCalls', () => {
  it('finds calls to the number placed by calls.create and by ElevenLabs outbound-call, none to others', async () => {
    h = await startHarness({ sim: { transcriptionWaitMs: 0 } });
    const adapter = telephony(h);
    const placed = await adapter.placeCall({ callId: 'call_1', toNumber: DRIVER });
    const viaElevenLabs = await dialElevenLabs(h);
    await dialRegister(h, { to: OTHER });
    await h.sim.whenIdle();
    const since = await startedAt(h, placed.callSid);

    const found = await adapter.findCalls({ toNumber: DRIVER, since });
    expect(found.map((c) => c.callSid).sort()).toEqual([placed.callSid, viaElevenLabs.callSid].sort());
    expect(found.find((c) => c.callSid === placed.callSid)).toEqual({
      callSid: placed.callSid,
      status: 'completed',
      startedAt: since.toISOString(),
    });
    expect(await adapter.findCalls({ toNumber: '+15550000077', since })).toEqual([]);
  });

  it('leaves out calls started before since, comparing whole seconds', async () => {
    h = await startHarness();
    const adapter = telephony(h);
    const { callSid } = await adapter.placeCall({ callId: 'call_1', toNumber: DRIVER });
    await h.sim.whenIdle();
    const started = await startedAt(h, callSid);
    // Twilio dates carry whole seconds: a since within the start second still finds the call.
    const withinSecond = new Date(started.getTime() + 999);
    expect(
      (await adapter.findCalls({ toNumber: DRIVER, since: withinSecond })).map((c) => c.callSid),
    ).toEqual([callSid]);
    const nextSecond = new Date(started.getTime() + 1_000);
    expect(await adapter.findCalls({ toNumber: DRIVER, since: nextSecond })).toEqual([]);
  });

  it('reports unanswered calls too (the attempt was dialed even if nobody picked up)', async () => {
    h = await startHarness({ sim: { script: 'no-answer' } });
    const adapter = telephony(h);
    const since = new Date(Date.now() - 1_000);
    const { callSid } = await adapter.placeCall({ callId: 'call_1', toNumber: DRIVER });
    await h.sim.whenIdle();
    expect(await adapter.findCalls({ toNumber: DRIVER, since })).toEqual([
      expect.objectContaining({ callSid, status: 'no-answer' }),
    ]);
  });

  it('turns a provider failure into provider_error without the phone number', async () => {
    h = await startHarness();
    h.sim.failNext('twilio.list-calls', { status: 503 });
    const err = await telephony(h)
      .findCalls({ toNumber: DRIVER, since: new Date() })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'provider_error',
      details: { provider: 'twilio', operation: 'calls.list', kind: 'http_status', status: 503 },
    });
    expect(
      JSON.stringify({ message: (err as Error).message, details: (err as AppError).details }),
    ).not.toContain(DRIVER.slice(1));
  });

  it('is bounded by the request timeout', async () => {
    h = await startHarness();
    h.sim.failNext('twilio.list-calls', { delayMs: 3_000 });
    h.sim.failNext('twilio.list-calls', { delayMs: 3_000 });
    const err = await telephony(h, 200)
      .findCalls({ toNumber: DRIVER, since: new Date() })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'provider_error', details: { kind: 'timeout' } });
  });
});
