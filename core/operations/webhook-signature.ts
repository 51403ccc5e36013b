// Standard Webhooks signing: `whsec_` secrets and `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` signatures.
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** 24 random bytes: the spec asks for 24 to 64; the reference libraries generate this size. */
const SECRET_BYTES = 24;

/** A new signing secret, `whsec_` + base64 of random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/**
 * The `webhook-signature` header value: one `v1,<sig>` entry per secret, space-separated (during a rotation both the
 * new and the old secret sign, so receivers holding either verify). `timestamp` is in unix seconds.
 */
export function signWebhook(input: {
  id: string;
  timestamp: number;
  body: string;
  secrets: readonly string[];
}): string {
  if (input.secrets.length === 0) throw new TypeError('signWebhook needs at least one secret');
  const content = `${input.id}.${input.timestamp}.${input.body}`;
  return input.secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content).digest('base64')}`)
    .join(' ');
}

/** The three Standard Webhooks headers of one attempt, plus the content type. */
export function webhookHeaders(input: {
  id: string;
  at: Date;
  body: string;
  secrets: readonly string[];
}): Record<string, string> {
  const timestamp = Math.floor(input.at.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook({ id: input.id, timestamp, body: input.body, secrets: input.secrets }),
  };
}
