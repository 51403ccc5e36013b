// POST /driver_data/call-elevenlabs: validate the driver + triggers, then dial once per Idempotency-Key.
import { z } from 'zod';
import type { Call } from '../../core/domain/call.ts';
import { E164_PATTERN } from '../../core/domain/phone-number.ts';
import type { CallDialer } from '../../core/operations/call-dialer.ts';
import type { FieldProblem, TriggerCallRequest, TriggerCallResponse } from '../../core/protocol/rest-api.ts';
import { AppError } from '../../core/support/errors.ts';
import { json, type HttpHandler, type HttpRequest } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { jsonBody, validate } from './request-input.ts';

/** Limits of a trigger request (also in docs/openapi.yaml). */
export const TRIGGER_LIMITS = {
  driverIdMax: 128,
  driverNameMax: 100,
  triggersMin: 1,
  triggersMax: 10,
  descriptionMax: 500,
  timezoneMax: 64,
  idempotencyKeyMax: 255,
} as const;

const L = TRIGGER_LIMITS;

const triggerSchema = z.object({
  driverId: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(L.driverIdMax, `is longer than ${L.driverIdMax} characters`),
  driverName: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(L.driverNameMax, `is longer than ${L.driverNameMax} characters`),
  phoneNumber: z
    .string({ error: 'must be a string' })
    .regex(E164_PATTERN, 'must be an E.164 number such as +15551234567'),
  violations: z
    .array(
      z.object({
        type: z.enum(['violation', 'reminder'], { error: 'must be "violation" or "reminder"' }),
        description: z
          .string({ error: 'must be a string' })
          .trim()
          .min(1, 'is required')
          .max(L.descriptionMax, `is longer than ${L.descriptionMax} characters`),
      }),
      { error: 'must be an array' },
    )
    .min(L.triggersMin, `needs at least ${L.triggersMin} entry`)
    .max(L.triggersMax, `allows at most ${L.triggersMax} entries`),
  timezone: z
    .string({ error: 'must be a string' })
    .max(L.timezoneMax, `is longer than ${L.timezoneMax} characters`)
    .refine(isTimeZone, 'must be an IANA time zone such as America/Chicago')
    .optional(),
});

export interface TriggerCallDeps {
  verifyToken: TokenVerifier;
  dialer: CallDialer;
}

/**
 * 201 with the new call; 200 (`Idempotent-Replayed: true`) with the existing one when the `Idempotency-Key` was
 * seen before in this org — nothing is dialed again, also when the first attempt failed. 502 `provider_error` when
 * the provider refused or timed out (the call is stored as `failed` with the reason).
 */
export function createTriggerCallHandler(deps: TriggerCallDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const input: TriggerCallRequest = validate(triggerSchema, jsonBody(req));
    const { call, replayed } = await deps.dialer.trigger({
      orgId: principal.org,
      driver: {
        id: input.driverId,
        name: input.driverName,
        phoneNumber: input.phoneNumber,
        ...(input.timezone ? { timezone: input.timezone } : {}),
      },
      triggers: input.violations,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    return json(
      replayed ? 200 : 201,
      triggerResponse(call),
      replayed ? { 'idempotent-replayed': 'true' } : {},
    );
  });
}

function triggerResponse(call: Call): TriggerCallResponse {
  return {
    callId: call.callId,
    callSid: call.callSid ?? null,
    conversationId: call.conversationId ?? null,
    status: call.status,
  };
}

function idempotencyKeyOf(req: HttpRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError('validation_failed', 'request is invalid', {
      details: [
        {
          field: 'header.Idempotency-Key',
          problem: `must be 1-${L.idempotencyKeyMax} visible ASCII characters`,
        },
      ] satisfies FieldProblem[],
    });
  }
  return key;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
