// Provider-shaped identifiers: Twilio SIDs (two letters + 32 hex) and ElevenLabs conversation ids.
import { randomBytes } from 'node:crypto';

export type SidPrefix = 'CA' | 'GT' | 'MZ';

export function twilioSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function conversationId(): string {
  const bytes = randomBytes(28);
  let id = 'conv_';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}
