// POST /calls/{callId}/takeover and /calls/{callId}/end: a dispatcher takes a live call over or ends it.
import { z } from 'zod';
import type { TokenVerifier } from '../../core/auth/verify-token.ts';
import { E164_PATTERN } from '../../core/domain/phone-number.ts';
import type { CallIntervention } from '../../core/operations/call-intervention.ts';
import type { CallStore } from '../../core/ports/call-store.ts';
import type { GetCallResponse, TakeoverRequest } from '../../core/protocol/rest-api.ts';
import { json, type HttpHandler, type HttpRequest } from '../http/http-types.ts';
import { ownedCall, withAuth } from './authenticate.ts';
import { jsonBody, validate } from './request-input.ts';

export interface InterventionDeps {
  verifyToken: TokenVerifier;
  store: CallStore;
  interventions: CallIntervention;
}

const takeoverSchema = z.object({
  phoneNumber: z
    .string({ error: 'must be a string' })
    .regex(E164_PATTERN, 'must be an E.164 number such as +15551234567')
    .optional(),
});

/** An empty body means "no options" (both routes may be called without one). */
function optionalBody(req: HttpRequest): unknown {
  return req.rawBody.length === 0 ? {} : jsonBody(req);
}

/**
 * 202 with the call (`takenOver` set): the call leaves the agent and rings the dispatcher's phone. 404 unknown or
 * another org's; 409 `not_in_progress` / `already_taken_over`; 422 `phone_number_required` or an invalid number;
 * 502 `provider_error`.
 */
export function createTakeoverHandler(deps: InterventionDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const call = await ownedCall(deps.store, principal, req.params.callId ?? '');
    const input: TakeoverRequest = validate(takeoverSchema, optionalBody(req));
    const updated = await deps.interventions.takeOver(call, { userId: principal.sub }, input.phoneNumber);
    return json(202, updated satisfies GetCallResponse);
  });
}

/** 202 with the call (`endRequested` set): the driver hears a goodbye, then the call hangs up. Errors as takeover. */
export function createEndCallHandler(deps: InterventionDeps): HttpHandler {
  return withAuth(deps.verifyToken, async (req, _ctx, principal) => {
    const call = await ownedCall(deps.store, principal, req.params.callId ?? '');
    validate(z.object({}), optionalBody(req));
    const updated = await deps.interventions.end(call, { userId: principal.sub });
    return json(202, updated satisfies GetCallResponse);
  });
}
