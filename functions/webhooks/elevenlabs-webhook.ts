// POST /webhooks/elevenlabs: verified ElevenLabs post-call webhooks → `transcript` and terminal `call_status` events.
import { assertNever } from '../../core/support/assert-never.ts';
import { conversationDrafts } from '../../core/domain/elevenlabs-conversation.ts';
import type { HttpHandler } from '../http/http-types.ts';
import { elevenLabsRef, initiationFailureDraft, parseElevenLabsWebhook } from './elevenlabs-payload.ts';
import { verifyElevenLabsRequest } from './elevenlabs-signature.ts';
import { accepted, ingest } from './ingest.ts';
import type { WebhookDeps } from './webhook-deps.ts';

/**
 * Stored events are keyed by conversation_id + type, so ElevenLabs' retries (5xx only) change nothing but
 * republish. `post_call_audio` is acknowledged without storing (callrelay keeps no audio); unknown types too.
 *
 * The HMAC covers only the body, so only the body (and server-side state) decides which call an event belongs to:
 * the `callrelay_call_id` dynamic variable, else the conversation id / CallSid the store has linked. The query
 * string is not signed and is never read: a replayed delivery with `?callId=<another call>` lands where the
 * original did.
 */
export function createElevenLabsWebhookHandler(deps: WebhookDeps): HttpHandler {
  return async (req, { logger, requestId }) => {
    verifyElevenLabsRequest(req, deps.config.elevenlabsWebhookSecret, deps.clock);
    const payload = parseElevenLabsWebhook(req.rawBody.toString('utf8'));
    switch (payload.kind) {
      case 'post_call_transcription': {
        if (payload.callIdRejected) {
          logger.warn('malformed callrelay_call_id dynamic variable ignored', {
            conversationId: payload.conversationId,
          });
        }
        const ref = elevenLabsRef(payload, payload.callId);
        return accepted(
          await ingest(deps, ref, () => conversationDrafts(payload, 'elevenlabs_webhook'), logger, {
            webhook: 'elevenlabs_post_call',
            requestId,
          }),
        );
      }
      case 'call_initiation_failure': {
        const ref = elevenLabsRef(payload, undefined);
        return accepted(
          await ingest(deps, ref, () => [initiationFailureDraft(payload)], logger, {
            webhook: 'elevenlabs_initiation_failure',
            requestId,
          }),
        );
      }
      case 'post_call_audio':
        logger.info('post-call audio acknowledged, not stored', { conversationId: payload.conversationId });
        return accepted({ note: 'audio not stored' });
      case 'unknown':
        logger.warn('unknown ElevenLabs webhook type acknowledged', { type: payload.type });
        return accepted({ note: 'unknown type ignored' });
      default:
        return assertNever(payload);
    }
  };
}
