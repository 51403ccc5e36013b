// The TwiML reader: what callrelay's voice webhook answers (Start/Transcription + Connect/Stream).
import { describe, expect, it } from 'vitest';
import { parseTwiml, registerCallTwiml, selectAll } from './twiml.ts';

describe('parseTwiml', () => {
  it('reads <Start><Transcription> attributes and the <Stream> parameter', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- callrelay -->' +
      '<Response><Start><Transcription statusCallbackUrl="https://h.test/t?a=1&amp;b=2" track=\'both_tracks\' ' +
      'partialResults="true"/></Start>' +
      registerCallTwiml('wss://sim/stream', 'conv_1').replace(/^[\s\S]*<Response>/, '');
    const doc = parseTwiml(xml);
    const [t] = selectAll(doc, ['Response', 'Start', 'Transcription']);
    expect(t?.attributes).toEqual({
      statusCallbackUrl: 'https://h.test/t?a=1&b=2',
      track: 'both_tracks',
      partialResults: 'true',
    });
    const [stream] = selectAll(doc, ['Response', 'Connect', 'Stream']);
    expect(stream?.attributes.url).toBe('wss://sim/stream');
    expect(stream?.children[0]?.attributes).toEqual({ name: 'conversation_id', value: 'conv_1' });
  });

  it.each(['<Response><Start></Response>', '<Response>', '</Response>'])('rejects unbalanced %s', (xml) => {
    expect(() => parseTwiml(xml)).toThrow(/TwiML/);
  });
});
