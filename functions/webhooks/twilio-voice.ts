// POST /webhooks/twilio/voice: Twilio asks what to do with an answered call callrelay placed (register dial mode).
import { isTerminal, type Call } from '../../core/domain/call.ts';
import { dedupeKeys } from '../../core/domain/dedupe-key.ts';
import { dynamicVariablesFor } from '../../core/domain/dynamic-variables.ts';
import { isAppError } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { IdempotencyStore } from '../../core/ports/idempotency-store.ts';
import type { VoiceAgent } from '../../core/ports/voice-agent.ts';
import { TWILIO_WEBHOOK_PATHS } from '../../core/domain/callback-urls.ts';
import { recordCallEvent } from '../../core/operations/record-call-event.ts';
import type { HttpHandler, HttpResponse } from '../http/http-types.ts';
import { callIdFromQuery } from './payload-parse.ts';
import { publicRequestUrl, verifyTwilioRequest } from './twilio-signature.ts';
import { hangupTwiml, voiceTwiml } from './twilio-voice-twiml.ts';

/**
 * How a repeated voice webhook (a replay, or a copy racing the first) is answered: with the first answer, kept for
 * longer than any call lasts (Twilio ends calls after 4 h), while the first request holds a lease for as long as a
 * registration may take (the provider timeout, under Twilio's 15 s).
 */
export const VOICE_ANSWER_RULES = {
  leaseMs: 15_000,
  retainMs: 6 * 60 * 60 * 1000,
  /** How long a copy waits for the first request's answer before hanging up its own leg of the race. */
  waitMs: 12_000,
  pollMs: 200,
} as const;

export interface TwilioVoiceDeps {
  store: CallStore;
  bus: EventBus;
  agent: VoiceAgent;
  idempotency: IdempotencyStore;
  config: { publicBaseUrl: string; twilioAuthToken: string; twilioFromNumber: string };
}

/**
 * Verifies the signature, registers the call with the agent (dynamic variables from the stored call) and answers
 * TwiML that starts both-track transcription before connecting the agent. The call is looked up by the `callId`
 * callrelay put in the voice URL; an unknown or finished call, or an agent failure, is answered with `<Hangup/>`
 * (a 4xx/5xx would make Twilio play its "application error" message to the driver). An agent failure also records
 * `failed` with the reason, so dispatchers see why.
 *
 * Twilio's signature has no timestamp, so a signed voice request can be replayed: the first answer per call is
 * remembered ({@link VOICE_ANSWER_RULES}) and every repeat gets the same TwiML without registering again.
 */
export function createTwilioVoiceHandler(deps: TwilioVoiceDeps): HttpHandler {
  return async (req, { logger }) => {
    const url = publicRequestUrl(deps.config.publicBaseUrl, TWILIO_WEBHOOK_PATHS.voice, req);
    const params = verifyTwilioRequest(req, url, deps.config.twilioAuthToken);
    const callId = callIdFromQuery(req.query);
    // The CallSid is linked by the dial and by the status webhook; linking it here too only adds contention.
    const call = callId ? await deps.store.getCall(callId) : null;
    if (!call || !callId) {
      logger.warn('voice webhook for an unknown call: hanging up', { callId, callSid: params.CallSid });
      return twiml(hangupTwiml());
    }
    if (isTerminal(call.status)) {
      logger.warn('voice webhook for a finished call: hanging up', { callId, status: call.status });
      return twiml(hangupTwiml());
    }
    const key = `twilio-voice:${callId}`;
    const first = await firstAnswer(deps.idempotency, key);
    if (first !== undefined) {
      logger.warn('repeated voice webhook answered with the first answer', { callId });
      return twiml(first ?? hangupTwiml());
    }
    let answer: string;
    try {
      answer = await register(deps, call, params, logger);
    } catch (err) {
      await deps.idempotency.release(key).catch((e: unknown) => logger.warn('release failed', { error: e }));
      throw err;
    }
    await deps.idempotency.complete(key, answer, VOICE_ANSWER_RULES.retainMs);
    return twiml(answer);
  };
}

/**
 * Claims the call's one registration: undefined when this request is to register; otherwise the first request's
 * answer, waited for while it is still registering (null if it does not finish in time: this copy hangs up).
 */
async function firstAnswer(idempotency: IdempotencyStore, key: string): Promise<string | null | undefined> {
  const { leaseMs, waitMs, pollMs } = VOICE_ANSWER_RULES;
  for (let waited = 0; ; waited += pollMs) {
    const claim = await idempotency.claim(key, leaseMs);
    if (claim.state === 'claimed') return undefined;
    if (claim.state === 'done') return claim.value;
    if (waited >= waitMs) return null;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Registers the call with the agent and returns the TwiML to answer; an agent failure records `failed`, hangs up. */
async function register(
  deps: TwilioVoiceDeps,
  call: Call,
  params: Record<string, string>,
  logger: Logger,
): Promise<string> {
  const { callId } = call;
  const toNumber = params.To || call.driver?.phoneNumber;
  const fromNumber = params.From || deps.config.twilioFromNumber;
  try {
    if (!toNumber) throw new TypeError(`call ${callId} has no number to register`);
    const agentTwiml = await deps.agent.registerCall({
      fromNumber,
      toNumber,
      dynamicVariables: dynamicVariablesFor(call),
    });
    logger.info('call registered with the agent', { callId });
    return voiceTwiml(deps.config.publicBaseUrl, callId, agentTwiml);
  } catch (err) {
    if (!isAppError(err) || err.code !== 'provider_error') throw err;
    logger.warn('agent registration failed: hanging up', { callId, reason: err.message });
    await recordCallEvent(
      { ...deps, logger },
      callId,
      {
        dedupeKey: dedupeKeys.internal(callId, 'register_failed'),
        body: { kind: 'call_status', status: 'failed', source: 'api', reason: err.message },
      },
      'log',
    );
    return hangupTwiml();
  }
}

function twiml(body: string): HttpResponse {
  return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}
