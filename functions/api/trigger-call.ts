// POST /driver_data/call-elevenlabs: validate the driver + triggers, then dial once per Idempotency-Key.
import type { Call, CallStatus } from '../../core/domain/call.ts';
import { isAppError } from '../../core/support/errors.ts';
import type { CallDialer } from '../../core/operations/call-dialer.ts';
import type { TriggerCallRequest, TriggerCallResponse } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import { withAuth } from './authenticate.ts';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { driverSchema } from './driver-input.ts';
import { idempotencyKeyOf, jsonBody, validate } from './request-input.ts';
import { auditAction } from './audit-action.ts';
import type { AuditDeps } from '../../core/operations/record-audit.ts';

export interface TriggerCallDeps extends AuditDeps {
  verifyToken: TokenVerifier;
  dialer: CallDialer;
}

/**
 * 201 with the new call; 200 (`Idempotent-Replayed: true`) with the existing one when the `Idempotency-Key` was
 * seen before in this org — nothing is dialed again, also when the first attempt failed. 502 `provider_error` when
 * the provider refused or timed out (the call is stored as `failed` with the reason).
 */
export function createTriggerCallHandler(deps: TriggerCallDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, ctx, principal) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const input: TriggerCallRequest = validate(driverSchema, jsonBody(req));
    const record = (callId: string, status: CallStatus) =>
      // Keyed by the call: a replay (same Idempotency-Key) rewrites the same entry, or stores it if the first failed.
      auditAction(
        deps,
        ctx,
        principal,
        { action: 'call.triggered', target: { callId }, details: { driverId: input.driverId, status } },
        `call.triggered:${callId}`,
      );
    let result: Awaited<ReturnType<CallDialer['trigger']>>;
    try {
      result = await deps.dialer.trigger({
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
    } catch (err) {
      // A refused dial still created a (failed) call at the dispatcher's request: that is recorded too.
      const failedCallId = providerFailureCallId(err);
      if (failedCallId) await record(failedCallId, 'failed');
      throw err;
    }
    const { call, replayed } = result;
    await record(call.callId, call.status);
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

/** The call a `provider_error` of the dialer names (it stored the call as `failed`), else undefined. */
function providerFailureCallId(err: unknown): string | undefined {
  if (!isAppError(err) || err.code !== 'provider_error') return undefined;
  const callId = (err.details as { callId?: unknown } | undefined)?.callId;
  return typeof callId === 'string' ? callId : undefined;
}
