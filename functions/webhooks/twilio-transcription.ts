// POST /webhooks/twilio/transcription: Real-Time Transcription → durable final `segment`s and live-only partials.
import { assertNever } from '../../core/support/assert-never.ts';
import type { HttpHandler } from '../http/http-types.ts';
import { publishMessage } from '../../core/operations/record-call-event.ts';
import { accepted, ingest } from './ingest.ts';
import { callIdFromQuery } from './payload-parse.ts';
import { parseTwilioTranscription, partialSegment, segmentDraft } from './twilio-transcription-payload.ts';
import { publicRequestUrl, verifyTwilioRequest } from './twilio-signature.ts';
import { WEBHOOK_PATHS, type WebhookDeps } from './webhook-deps.ts';

/**
 * Final content is appended under TranscriptionSid + SequenceId. Partial content is published to the live bus
 * only (no seq, never stored). Session lifecycle events are logged and acknowledged; a transcription error is
 * Twilio's problem to report, not a reason to make it retry, so it is logged and answered 200 as well.
 */
export function createTwilioTranscriptionHandler(deps: WebhookDeps): HttpHandler {
  return async (req, { logger }) => {
    const url = publicRequestUrl(deps.config.publicBaseUrl, WEBHOOK_PATHS.twilioTranscription, req);
    const params = verifyTwilioRequest(req, url, deps.config.twilioAuthToken);
    const payload = parseTwilioTranscription(params);
    const callId = callIdFromQuery(req.query);
    const ref = { ...(callId ? { callId } : {}), callSid: payload.callSid };
    const ids = { callSid: payload.callSid, transcriptionSid: payload.transcriptionSid };
    switch (payload.kind) {
      case 'started':
      case 'stopped':
        logger.info(`transcription ${payload.kind}`, ids);
        return accepted({ note: `transcription ${payload.kind}` });
      case 'error':
        logger.warn('transcription error reported by Twilio', {
          ...ids,
          errorCode: payload.errorCode,
          providerError: payload.error,
        });
        return accepted({ note: 'transcription error logged' });
      case 'unknown':
        logger.warn('unknown TranscriptionEvent acknowledged', { ...ids, event: payload.event });
        return accepted({ note: 'unknown event ignored' });
      case 'content': {
        if (!payload.text.trim()) return accepted({ note: 'empty transcript ignored' });
        if (!payload.final) {
          const call = await deps.store.resolveCall(ref, deps.config.defaultOrg);
          const at = Number(payload.sequenceId);
          await publishMessage(deps.bus, {
            type: 'partial',
            partial: partialSegment(payload, call, deps.clock.now()),
            orgId: call.orgId,
            ...(Number.isSafeInteger(at)
              ? { position: { stream: `${payload.transcriptionSid}:${payload.speaker}`, at } }
              : {}),
          });
          return accepted({ callId: call.callId, note: 'partial published' });
        }
        return accepted(
          await ingest(deps, ref, (call) => [segmentDraft(payload, call, deps.clock.now())], logger),
        );
      }
      default:
        return assertNever(payload);
    }
  };
}
