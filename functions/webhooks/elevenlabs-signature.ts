// Verifies `ElevenLabs-Signature` (t=<unix s>,v0=<hex HMAC-SHA256(secret, "t.rawBody")>) with a two-sided time window.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/support/clock.ts';
import { AppError } from '../../core/support/errors.ts';
import { enforceBodyRules, type BodyRules } from '../http/body-rules.ts';
import type { HttpRequest } from '../http/http-types.ts';

export const ELEVENLABS_SIGNATURE_HEADER = 'elevenlabs-signature';

/**
 * How far the signed timestamp may be from now, in either direction. ElevenLabs' own check only bounds the past
 * (30 min); bounding the future too stops a leaked signature with a far-future `t` from being replayable forever.
 */
export const ELEVENLABS_SIGNATURE_TOLERANCE_MS = 30 * 60 * 1000;

/**
 * What an ElevenLabs webhook may look like before its signature is checked. Post-call transcripts are JSON well
 * under 1 MiB; `post_call_audio` (base64 MP3) can be larger and is not stored anyway: do not subscribe to `audio`.
 */
export const ELEVENLABS_BODY_RULES: BodyRules = { mediaTypes: ['application/json'], maxBytes: 1024 * 1024 };

/**
 * Verifies the signature over the exact raw body bytes, after {@link ELEVENLABS_BODY_RULES}.
 *
 * @throws AppError `unsupported_media_type` / `payload_too_large` outside the body rules, `missing_signature` without the header, `invalid_signature` when it is malformed, outside the
 * time window, or does not match.
 */
export function verifyElevenLabsRequest(req: HttpRequest, secret: string, clock: Clock): void {
  const header = req.headers[ELEVENLABS_SIGNATURE_HEADER];
  if (!header) throw new AppError('missing_signature', 'ElevenLabs-Signature header is missing');
  enforceBodyRules(req, ELEVENLABS_BODY_RULES);
  const { t, v0 } = parseHeader(header);
  if (!t || !/^\d{1,12}$/.test(t))
    throw new AppError('invalid_signature', 'ElevenLabs-Signature has no valid timestamp');
  if (!v0 || !/^[0-9a-f]{64}$/.test(v0))
    throw new AppError('invalid_signature', 'ElevenLabs-Signature has no v0 hash');
  const skewMs = Math.abs(clock.now().getTime() - Number(t) * 1000);
  if (skewMs > ELEVENLABS_SIGNATURE_TOLERANCE_MS) {
    throw new AppError('invalid_signature', 'ElevenLabs-Signature timestamp is outside the tolerance window');
  }
  const expected = createHmac('sha256', secret).update(`${t}.`).update(req.rawBody).digest();
  const given = Buffer.from(v0, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('invalid_signature', 'ElevenLabs-Signature does not match');
  }
}

function parseHeader(header: string): { t?: string; v0?: string } {
  const out: { t?: string; v0?: string } = {};
  for (const part of header.split(',')) {
    const trimmed = part.trim();
    if (trimmed.startsWith('t=') && out.t === undefined) out.t = trimmed.slice(2);
    else if (trimmed.startsWith('v0=') && out.v0 === undefined) out.v0 = trimmed.slice(3);
  }
  return out;
}
