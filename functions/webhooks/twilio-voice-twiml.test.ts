import { describe, expect, it } from 'vitest';
import { hangupTwiml, voiceTwiml } from './twilio-voice-twiml.ts';

const agent =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Connect><Stream url="wss://agent.example/s?a=1&amp;b=2">' +
  '<Parameter name="conversation_id" value="conv_1"/></Stream></Connect></Response>';

describe('voiceTwiml', () => {
  it('starts both-track transcription, then plays the agent verbs verbatim', () => {
    const xml = voiceTwiml('https://hooks.example', 'call_1', agent);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Start><Transcription name="callrelay" track="both_tracks" ' +
        'inboundTrackLabel="driver" outboundTrackLabel="agent" partialResults="true" ' +
        'statusCallbackUrl="https://hooks.example/webhooks/twilio/transcription?callId=call_1" statusCallbackMethod="POST"/>' +
        '</Start><Connect><Stream url="wss://agent.example/s?a=1&amp;b=2"><Parameter name="conversation_id" value="conv_1"/>' +
        '</Stream></Connect></Response>',
    );
  });

  it('rejects an answer that is not TwiML as a provider error', () => {
    expect(() => voiceTwiml('https://h', 'c', '{"detail":"nope"}')).toThrow(
      expect.objectContaining({ code: 'provider_error' }),
    );
  });

  it('hangs up', () => {
    expect(hangupTwiml()).toContain('<Response><Hangup/></Response>');
  });
});
