// The worker's two production entries: Cloud Scheduler's tick (HTTP) and Eventarc's push of each bus message.
import { parseBusMessage } from '../../core/adapters/google/bus-message-codec.ts';
import { AppError } from '../../core/support/errors.ts';
import type { Logger } from '../../core/support/log.ts';
import { json, type HttpHandler } from '../http/http-types.ts';
import type { Worker } from './compose-worker.ts';

/**
 * `POST` from Cloud Scheduler (the function is private: only the invoker account's OIDC token gets through IAM):
 * runs due work for up to `budgetMs` and answers what it did.
 */
export function createWorkerTickHandler(worker: Worker, budgetMs: number): HttpHandler {
  return async (req) => {
    if (req.method !== 'POST') throw new AppError('method_not_allowed', 'the worker tick takes POST');
    const report = await worker.tickFor(budgetMs);
    return json(200, report);
  };
}

/** The part of a Pub/Sub CloudEvent (`google.cloud.pubsub.topic.v1.messagePublished`) the worker reads. */
export interface PubSubCloudEvent {
  data?: { message?: { data?: string; messageId?: string } };
}

/**
 * One bus message pushed through Eventarc. Resolving acks it; throwing has it redelivered (`--retry`), which the
 * modules tolerate. A message that is not a bus message is logged and acked: retrying cannot fix it.
 */
export function createWorkerEventsHandler(
  worker: Worker,
  logger: Logger,
): (event: PubSubCloudEvent) => Promise<void> {
  return async (event) => {
    const message = event.data?.message;
    const parsed = message?.data ? parseBusMessage(Buffer.from(message.data, 'base64')) : null;
    if (!parsed) {
      logger.warn('dropping a push that is not a bus message', { messageId: message?.messageId });
      return;
    }
    await worker.onBusMessage(parsed);
  };
}
