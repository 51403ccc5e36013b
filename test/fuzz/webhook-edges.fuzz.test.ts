// Property tests over the webhook edge: body rules, signature verifiers and payload parsers, on arbitrary input.
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/support/clock.ts';
import { AppError, ERROR_CODES } from '../../core/support/errors.ts';
import type { HttpRequest } from '../../functions/http/http-types.ts';
import { parseElevenLabsWebhook } from '../../functions/webhooks/elevenlabs-payload.ts';
import { verifyElevenLabsRequest } from '../../functions/webhooks/elevenlabs-signature.ts';
import { parseTwilioStatus } from '../../functions/webhooks/twilio-status-payload.ts';
import { parseTwilioTranscription } from '../../functions/webhooks/twilio-transcription-payload.ts';
import { verifyTwilioRequest } from '../../functions/webhooks/twilio-signature.ts';
import { elevenLabsSignature } from '../../simulator/signing.ts';

const URL_ = 'https://hooks.callrelay.test/webhooks/twilio/status?callId=call_1';
const TOKEN = 'fuzz-twilio-token';
const SECRET = 'wsec_fuzz';
const NOW_SECS = 1_768_478_400;
const clock: Clock = { now: () => new Date(NOW_SECS * 1000) };

/** Runs `fn`; passes when it returns or throws an AppError whose status is a 4xx (a caller's mistake). */
function onlyClientErrors(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(ERROR_CODES[err.code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_CODES[err.code]).toBeLessThan(500);
    return err.code;
  }
}

function request(body: string | Uint8Array, headers: Record<string, string>): HttpRequest {
  return {
    method: 'POST',
    path: '/x',
    query: new URLSearchParams(),
    rawQuery: '',
    headers,
    rawBody: Buffer.from(body),
    params: {},
  };
}

/** Form-ish text: keys and values from a mix of printable, reserved and percent-escaped characters. */
const formText = fc
  .array(
    fc.tuple(
      fc.string({ unit: fc.constantFrom('a', 'Z', '_', '%', '2', 'F', '=', '+', '&', '~', 'é', '\u0000') }),
      fc.string(),
    ),
    { maxLength: 40 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

const headerValue = fc.oneof(fc.string(), fc.constant(''), fc.base64String());
const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8',
  '',
  'multipart/form-data; boundary=x',
);

describe('Twilio verification on arbitrary requests', () => {
  it('rejects every unsigned request with a 4xx code, never another error', () => {
    fc.assert(
      fc.property(formText, headerValue, contentType, (body, signature, type) => {
        const code = onlyClientErrors(() =>
          verifyTwilioRequest(
            request(body, { 'content-type': type, 'x-twilio-signature': signature }),
            URL_,
            TOKEN,
          ),
        );
        expect(code).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly what the Twilio SDK signs, returning the first value of each key', () => {
    const params = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 30 }), {
      maxKeys: 20,
    });
    fc.assert(
      fc.property(params, (p) => {
        const signed = Object.fromEntries(Object.entries(p));
        const signature = twilio.getExpectedTwilioSignature(TOKEN, URL_, signed);
        const body = new URLSearchParams(Object.entries(p)).toString();
        const req = request(body, {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
        });
        expect(verifyTwilioRequest(req, URL_, TOKEN)).toEqual(signed);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ElevenLabs verification on arbitrary requests', () => {
  it('rejects arbitrary signatures with a 4xx code', () => {
    fc.assert(
      fc.property(fc.string(), headerValue, contentType, (body, signature, type) => {
        const code = onlyClientErrors(() =>
          verifyElevenLabsRequest(
            request(body, { 'content-type': type, 'elevenlabs-signature': signature }),
            SECRET,
            clock,
          ),
        );
        expect(code).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts any body signed inside the window and nothing altered by one byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: -1800, max: 1800 }),
        fc.nat(),
        (bytes, skew, flip) => {
          const body = Buffer.from(bytes);
          const headers = {
            'content-type': 'application/json',
            'elevenlabs-signature': elevenLabsSignature(SECRET, body, NOW_SECS + skew),
          };
          expect(() => verifyElevenLabsRequest(request(body, headers), SECRET, clock)).not.toThrow();
          if (body.length === 0) return;
          const altered = Buffer.from(body);
          altered[flip % altered.length] = altered[flip % altered.length]! ^ 0x01;
          expect(
            onlyClientErrors(() => verifyElevenLabsRequest(request(altered, headers), SECRET, clock)),
          ).toBe('invalid_signature');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('payload parsers on arbitrary (verified) input', () => {
  const stringRecord = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'CallSid',
        'CallStatus',
        'SequenceNumber',
        'Timestamp',
        'CallDuration',
        'SipResponseCode',
        'TranscriptionSid',
        'SequenceId',
        'TranscriptionEvent',
        'Track',
        'Final',
        'TranscriptionData',
        'Stability',
        '__proto__',
        'constructor',
      ),
      fc.string(),
    ),
    fc.oneof(
      fc.string(),
      fc.constantFrom('transcription-content', 'true', 'false', 'inbound_track', '1', '{"transcript":"x"}'),
      fc.json(),
    ),
    { maxKeys: 12 },
  );

  it('Twilio status and transcription parsers return a typed value or a 4xx, nothing else', () => {
    fc.assert(
      fc.property(stringRecord, (params) => {
        const own = Object.fromEntries(Object.entries(params));
        onlyClientErrors(() => parseTwilioStatus(own));
        onlyClientErrors(() => parseTwilioTranscription(own));
      }),
      { numRuns: 500 },
    );
  });

  it('the ElevenLabs parser returns a typed value or a 4xx for any text and any JSON', () => {
    const envelope = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom('post_call_transcription', 'call_initiation_failure', 'post_call_audio'),
          fc.string(),
        ),
        event_timestamp: fc.oneof(fc.integer(), fc.double(), fc.string()),
        data: fc.oneof(fc.jsonValue(), fc.object()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          envelope.map((e) => JSON.stringify(e)),
        ),
        (text) => {
          onlyClientErrors(() => parseElevenLabsWebhook(text));
        },
      ),
      { numRuns: 500 },
    );
  });
});
