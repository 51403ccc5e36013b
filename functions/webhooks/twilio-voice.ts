// POST /webhooks/twilio/voice: Twilio asks what to do with an answered call callrelay placed (register dial mode).
import { isTerminal } from '../../core/call.ts';
import { dedupeKeys } from '../../core/dedupe-key.ts';
import { dynamicVariablesFor } from '../../core/dynamic-variables.ts';
import { isAppError } from '../../core/errors.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { EventBus } from '../../core/ports/event-bus.ts';
import type { VoiceAgent } from '../../core/ports/voice-agent.ts';
import { TWILIO_WEBHOOK_PATHS } from '../../core/providers/callback-urls.ts';
import { recordCallEvent } from '../../core/record-call-event.ts';
import type { HttpHandler, HttpResponse } from '../http/http-types.ts';
import { callIdFromQuery } from './payload-parse.ts';
import { publicRequestUrl, verifyTwilioRequest } from './twilio-signature.ts';
import { hangupTwiml, voiceTwiml } from './twilio-voice-twiml.ts';

export interface TwilioVoiceDeps {
  store: CallStore;
  bus: EventBus;
  agent: VoiceAgent;
  config: { publicBaseUrl: string; twilioAuthToken: string; twilioFromNumber: string };
}

/**
 * Verifies the signature, registers the call with the agent (dynamic variables from the stored call) and answers
 * TwiML that starts both-track transcription before connecting the agent. The call is looked up by the `callId`
 * callrelay put in the voice URL; an unknown or finished call, or an agent failure, is answered with `<Hangup/>`
 * (a 4xx/5xx would make Twilio play its "application error" message to the driver). An agent failure also records
 * `failed` with the reason, so dispatchers see why.
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
      return twiml(voiceTwiml(deps.config.publicBaseUrl, callId, agentTwiml));
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
      return twiml(hangupTwiml());
    }
  };
}

function twiml(body: string): HttpResponse {
  return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body };
}
