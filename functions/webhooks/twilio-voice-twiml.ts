// TwiML of the voice webhook: start real-time transcription, then hand the call to the agent's own TwiML verbs.
import twilio from 'twilio';
import { AppError } from '../../core/support/errors.ts';
import { callbackUrl, TRANSCRIPTION_SETTINGS } from '../../core/domain/callback-urls.ts';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * `<Response><Start><Transcription …/></Start>` + the verbs inside the agent's `<Response>` + `</Response>`.
 * The agent's TwiML (ElevenLabs register-call) is spliced verbatim: re-building it verb by verb would drop attributes
 * the SDK's builder does not know.
 * @throws AppError `provider_error` when `agentTwiml` has no `<Response>` element.
 */
export function voiceTwiml(publicBaseUrl: string, callId: string, agentTwiml: string): string {
  const start = new twilio.twiml.VoiceResponse();
  start.start().transcription({
    ...TRANSCRIPTION_SETTINGS,
    statusCallbackUrl: callbackUrl(publicBaseUrl, 'transcription', callId),
    statusCallbackMethod: 'POST',
  });
  const agentVerbs = responseBody(agentTwiml);
  if (agentVerbs === undefined) {
    throw new AppError('provider_error', 'elevenlabs register-call failed: answer is not TwiML', {
      details: { provider: 'elevenlabs', operation: 'register-call', kind: 'rejected' },
    });
  }
  return `${XML_DECLARATION}<Response>${responseBody(start.toString()) ?? ''}${agentVerbs}</Response>`;
}

/** TwiML that ends the call politely: used when the call is unknown, already over, or the agent is unavailable. */
export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}

/** The inner XML of the single `<Response>` element, or undefined when there is none (`<Response/>` → ''). */
function responseBody(twiml: string): string | undefined {
  if (/<Response\s*\/>/.test(twiml)) return '';
  const match = /<Response(?:\s[^>]*)?>([\s\S]*)<\/Response>/.exec(twiml);
  return match?.[1]?.trim();
}
