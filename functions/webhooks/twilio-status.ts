// POST /webhooks/twilio/status: verified Twilio call status callbacks → durable `call_status` events.
import { assertNever } from '../../core/support/assert-never.ts';
import type { HttpHandler } from '../http/http-types.ts';
import { accepted, ingest } from './ingest.ts';
import { callIdFromQuery } from './payload-parse.ts';
import { parseTwilioStatus, twilioStatusDraft } from './twilio-status-payload.ts';
import { publicRequestUrl, verifyTwilioRequest } from './twilio-signature.ts';
import { WEBHOOK_PATHS, type WebhookDeps } from './webhook-deps.ts';

/**
 * Twilio status callbacks may arrive out of order and more than once: each is appended under CallSid +
 * SequenceNumber and the store keeps only forward status moves, so late or repeated callbacks change nothing.
 */
export function createTwilioStatusHandler(deps: WebhookDeps): HttpHandler {
  return async (req, { logger, requestId }) => {
    const url = publicRequestUrl(deps.config.publicBaseUrl, WEBHOOK_PATHS.twilioStatus, req);
    const params = verifyTwilioRequest(req, url, deps.config.twilioAuthToken);
    const payload = parseTwilioStatus(params);
    const callId = callIdFromQuery(req.query);
    switch (payload.kind) {
      case 'unknown_status':
        logger.warn('unknown Twilio CallStatus acknowledged', {
          callSid: payload.callSid,
          callStatus: payload.callStatus,
        });
        return accepted({ note: 'unknown status ignored' });
      case 'status': {
        const ref = { ...(callId ? { callId } : {}), callSid: payload.callSid };
        return accepted(
          await ingest(deps, ref, () => [twilioStatusDraft(payload)], logger, {
            webhook: 'twilio_status',
            requestId,
          }),
        );
      }
      default:
        return assertNever(payload);
    }
  };
}
