// Twilio's wire conventions: date formats, the common call params of every voice webhook, signed form deliveries.
import { TWILIO_RETRY, type Delivery, type RetryPolicy } from './delivery.ts';
import { twilioSignature } from './signing.ts';
import type { CallRecord } from './state.ts';
import type { DeliveryKind } from './types.ts';

export const TWILIO_API_VERSION = '2010-04-01';

/** RFC 2822 in UTC as Twilio writes it: `Wed, 08 Oct 2025 13:54:12 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** ISO 8601 with microseconds, as in Real-Time Transcription webhooks: `2024-06-25T18:45:21.454000Z`. */
export function isoMicros(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** Params every voice webhook and status callback carries for a call (geo lookups left empty). */
export function callParams(call: CallRecord, accountSid: string): Record<string, string> {
  const geo = (prefix: string) => ({
    [`${prefix}City`]: '',
    [`${prefix}State`]: '',
    [`${prefix}Zip`]: '',
    [`${prefix}Country`]: 'US',
  });
  return {
    AccountSid: accountSid,
    ApiVersion: TWILIO_API_VERSION,
    CallSid: call.sid,
    CallStatus: call.status,
    Direction: 'outbound-api',
    From: call.from,
    To: call.to,
    Caller: call.from,
    Called: call.to,
    ...geo('From'),
    ...geo('To'),
    ...geo('Caller'),
    ...geo('Called'),
    ...(call.answeredBy ? { AnsweredBy: call.answeredBy } : {}),
  };
}

/** A form webhook signed with X-Twilio-Signature; GET puts the params in the query and signs the full URL. */
export function twilioFormDelivery(args: {
  kind: DeliveryKind;
  label: string;
  callSid: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  authToken: string;
  policy?: RetryPolicy;
}): Delivery {
  const { url, method, params, authToken } = args;
  return {
    kind: args.kind,
    publicUrl: url,
    callSid: args.callSid,
    conversationId: null,
    label: args.label,
    payload: params,
    policy: args.policy ?? TWILIO_RETRY,
    build: () => {
      const headers: Record<string, string> = { 'User-Agent': 'TwilioProxy/1.1', Accept: '*/*' };
      if (method === 'GET') {
        const target = new URL(url);
        for (const [k, v] of Object.entries(params)) target.searchParams.append(k, v);
        const signed = target.toString();
        return {
          method,
          url: signed,
          headers: { ...headers, 'X-Twilio-Signature': twilioSignature(authToken, signed, {}) },
        };
      }
      return {
        method,
        url,
        headers: {
          ...headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilioSignature(authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
  };
}
