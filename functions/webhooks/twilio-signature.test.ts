// verifyTwilioRequest against Twilio's documented vector and the SDK's own signer.
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/support/errors.ts';
import type { HttpRequest } from '../http/http-types.ts';
import { publicRequestUrl, verifyTwilioRequest } from './twilio-signature.ts';

function request(
  body: string,
  signature: string | undefined,
  query = '',
  contentType = body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
): HttpRequest {
  return {
    method: 'POST',
    path: '/internal/fn',
    query: new URLSearchParams(query),
    rawQuery: query,
    headers: {
      'content-type': contentType,
      ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
    },
    rawBody: Buffer.from(body),
    params: {},
  };
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not-an-AppError';
  }
};

describe('verifyTwilioRequest', () => {
  // https://www.twilio.com/docs/usage/webhooks/webhooks-security (PROVIDERS.md §6.1)
  const docsParams = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };
  const docsUrl = 'https://mycompany.com/myapp.php?foo=1&bar=2';

  it('accepts Twilio’s documented example and returns every param', () => {
    const req = request(new URLSearchParams(docsParams).toString(), '0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioRequest(req, docsUrl, '12345')).toEqual(docsParams);
  });

  it('keeps values untrimmed and signs repeated keys as Twilio does', () => {
    const body = 'A=%20spaced%20&B=2&B=1&C=';
    const signature = twilio.getExpectedTwilioSignature('tok', 'https://x.test/h', {
      A: ' spaced ',
      B: ['2', '1'],
      C: '',
    });
    expect(verifyTwilioRequest(request(body, signature), 'https://x.test/h', 'tok')).toEqual({
      A: ' spaced ',
      B: '2',
      C: '',
    });
  });

  it.each([
    ['missing header', undefined, 'missing_signature'],
    ['empty header', '', 'missing_signature'],
    ['garbage', 'not-base64', 'invalid_signature'],
    [
      'signature of other params',
      twilio.getExpectedTwilioSignature('12345', docsUrl, { CallSid: 'CA1' }),
      'invalid_signature',
    ],
  ])('rejects %s', (_case, signature, code) => {
    const req = request(new URLSearchParams(docsParams).toString(), signature);
    expect(codeOf(() => verifyTwilioRequest(req, docsUrl, '12345'))).toBe(code);
  });

  it('treats a field named __proto__ as data', () => {
    const body = '__proto__=x&CallSid=CA1';
    const signed = Object.fromEntries([
      ['__proto__', 'x'],
      ['CallSid', 'CA1'],
    ]);
    const signature = twilio.getExpectedTwilioSignature('tok', 'https://x.test/h', signed);
    const verified = verifyTwilioRequest(request(body, signature), 'https://x.test/h', 'tok');
    expect(Object.getPrototypeOf(verified)).toBe(Object.prototype);
    expect(Object.entries(verified)).toEqual([
      ['__proto__', 'x'],
      ['CallSid', 'CA1'],
    ]);
  });

  it.each([
    ['text/plain (skips framework form limits)', 'text/plain', 'a=1', 'unsupported_media_type'],
    ['no Content-Type', '', 'a=1', 'unsupported_media_type'],
    ['JSON on the form variant', 'application/json', 'a=1', 'unsupported_media_type'],
    ['257 form fields', 'application/x-www-form-urlencoded', 'a=1&'.repeat(257), 'payload_too_large'],
    [
      'a body over 64 KiB',
      'application/x-www-form-urlencoded',
      `a=${'x'.repeat(65 * 1024)}`,
      'payload_too_large',
    ],
  ])('refuses %s before checking the signature', (_case, contentType, body, code) => {
    const req = request(body, 'bogus', '', contentType);
    expect(codeOf(() => verifyTwilioRequest(req, 'https://x.test/h', 'tok'))).toBe(code);
  });

  it('accepts 256 form fields (the limit) and checks their signature', () => {
    const params = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`F${i}`, String(i)]));
    const signature = twilio.getExpectedTwilioSignature('tok', 'https://x.test/h', params);
    const body = new URLSearchParams(params).toString();
    expect(
      Object.keys(verifyTwilioRequest(request(body, signature), 'https://x.test/h', 'tok')),
    ).toHaveLength(256);
  });

  it('verifies JSON bodies by the bodySHA256 URL variant', () => {
    const body = '{"CallSid":"CA1","SequenceId":2}';
    const url = `https://x.test/h?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature('tok', url, {});
    expect(verifyTwilioRequest(request(body, signature), url, 'tok')).toEqual({
      CallSid: 'CA1',
      SequenceId: '2',
    });
    expect(codeOf(() => verifyTwilioRequest(request(`${body} `, signature), url, 'tok'))).toBe(
      'invalid_signature',
    );
  });

  it('rejects a signed JSON-variant body that is not JSON without quoting it anywhere (it may hold numbers)', () => {
    const body = '{"To": +15551234567}';
    const url = `https://x.test/h?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const signature = twilio.getExpectedTwilioSignature('tok', url, {});
    let caught: unknown;
    try {
      verifyTwilioRequest(request(body, signature), url, 'tok');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('invalid_payload');
    // The edge logs message and cause; a SyntaxError's message quotes the input.
    expect(`${(caught as AppError).message} ${String((caught as AppError).cause)}`).not.toContain(
      '5551234567',
    );
  });

  it('builds the public URL from the configured base, the public path and the received query', () => {
    const req = request('', 'x', 'callId=call_123&x=a+b');
    expect(publicRequestUrl('https://api.example.com', '/webhooks/twilio/status', req)).toBe(
      'https://api.example.com/webhooks/twilio/status?callId=call_123&x=a+b',
    );
    expect(publicRequestUrl('https://api.example.com', '/p', request('', 'x'))).toBe(
      'https://api.example.com/p',
    );
  });
});
