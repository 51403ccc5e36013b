// verifyElevenLabsRequest: documented HMAC scheme, two-sided 30-minute window, exact raw bytes.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/support/clock.ts';
import { AppError } from '../../core/support/errors.ts';
import type { HttpRequest } from '../http/http-types.ts';
import { elevenLabsSignature } from '../../simulator/signing.ts';
import { verifyElevenLabsRequest } from './elevenlabs-signature.ts';

const SECRET = 'wsec_unit';
const NOW = 1_768_478_400; // unix seconds
const clock: Clock = { now: () => new Date(NOW * 1000) };
const BODY = '{"type":"post_call_transcription","data":{"conversation_id":"c1","note":"héllo"}}';

const sign = (t: number, body = BODY, secret = SECRET) =>
  `t=${t},v0=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

const request = (
  signature: string | undefined,
  body: string | Buffer = BODY,
  contentType = 'application/json',
): HttpRequest => ({
  method: 'POST',
  path: '/webhooks/elevenlabs',
  query: new URLSearchParams(),
  rawQuery: '',
  headers: {
    'content-type': contentType,
    ...(signature === undefined ? {} : { 'elevenlabs-signature': signature }),
  },
  rawBody: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  params: {},
});

const codeOf = (req: HttpRequest): string | undefined => {
  try {
    verifyElevenLabsRequest(req, SECRET, clock);
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'not-an-AppError';
  }
};

describe('verifyElevenLabsRequest', () => {
  const valid = sign(NOW);
  const v0 = valid.split(',v0=')[1]!;

  it.each([
    ['now', sign(NOW), undefined],
    ['v0 before t', `v0=${v0},t=${NOW}`, undefined],
    ['29 min old', sign(NOW - 29 * 60), undefined],
    ['29 min ahead', sign(NOW + 29 * 60), undefined],
    ['exactly 30 min old', sign(NOW - 30 * 60), undefined],
    ['31 min old', sign(NOW - 31 * 60), 'invalid_signature'],
    ['31 min ahead', sign(NOW + 31 * 60), 'invalid_signature'],
    ['milliseconds timestamp', sign(NOW * 1000), 'invalid_signature'],
    ['wrong secret', sign(NOW, BODY, 'wsec_other'), 'invalid_signature'],
    ['signature of another body', sign(NOW, `${BODY} `), 'invalid_signature'],
    ['uppercase hex', `t=${NOW},v0=${v0.toUpperCase()}`, 'invalid_signature'],
    ['truncated hex', `t=${NOW},v0=${v0.slice(0, 40)}`, 'invalid_signature'],
    ['no v0', `t=${NOW}`, 'invalid_signature'],
    ['no t', `v0=${v0}`, 'invalid_signature'],
    ['non-numeric t', `t=abc,v0=${v0}`, 'invalid_signature'],
    ['empty header', '', 'missing_signature'],
    ['no header', undefined, 'missing_signature'],
  ])('%s → %s', (_case, header, code) => {
    expect(codeOf(request(header))).toBe(code);
  });

  it.each([
    ['text/plain', request(valid, BODY, 'text/plain'), 'unsupported_media_type'],
    ['a form body', request(valid, BODY, 'application/x-www-form-urlencoded'), 'unsupported_media_type'],
    ['a body over 1 MiB', request(valid, Buffer.alloc(1024 * 1024 + 1, 0x20)), 'payload_too_large'],
    ['application/json; charset=utf-8', request(valid, BODY, 'application/json; charset=utf-8'), undefined],
  ])('body rules: %s → %s', (_case, req, code) => {
    expect(codeOf(req)).toBe(code);
  });

  it('signs the exact bytes received (re-serialized JSON does not verify)', () => {
    const reserialized = JSON.stringify(JSON.parse(BODY), null, 1);
    expect(codeOf(request(valid, reserialized))).toBe('invalid_signature');
  });

  it('the simulator signs with the documented scheme', () => {
    expect(elevenLabsSignature(SECRET, BODY, NOW)).toBe(valid);
  });
});
