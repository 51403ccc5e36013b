// POST /driver_data/call-elevenlabs: validate the driver + triggers, then dial once per Idempotency-Key.
import type { Call } from '../../core/domain/call.ts';
import type { CallDialer } from '../../core/operations/call-dialer.ts';
import type { TriggerCallRequest, TriggerCallResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { driverSchema } from './driver-input.ts';
import { idempotencyKeyOf, jsonBody, validate } from './request-input.ts';

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
    const input: TriggerCallRequest = validate(driverSchema, jsonBody(req));
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
