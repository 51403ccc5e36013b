// Signs simulated and test deliveries exactly as the providers do: X-Twilio-Signature and ElevenLabs-Signature.
import { createHmac } from 'node:crypto';
import twilio from 'twilio';

/** Twilio: base64 HMAC-SHA1 over the public URL + sorted form params (the SDK's own implementation). */
export function twilioSignature(
  authToken: string,
  publicUrl: string,
  params: Record<string, string>,
): string {
  return twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
}

/** ElevenLabs: `t=<unix secs>,v0=<hex HMAC-SHA256(secret, "t.body")>` over the exact body bytes. */
export function elevenLabsSignature(secret: string, rawBody: string | Buffer, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v0=${digest}`;
}
