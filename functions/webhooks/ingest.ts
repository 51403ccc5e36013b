// The one write path of every webhook: resolve the call, append idempotently, then publish what is stored.
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallRef, EventDraft } from '../../core/ports/call-store.ts';
import { recordCallEvent } from '../../core/operations/record-call-event.ts';
import { json, type HttpResponse } from '../http/http-types.ts';
import type { WebhookDeps } from './webhook-deps.ts';

export type IngestOutcome = { outcome: 'appended' | 'duplicate'; event: CallEvent } | { outcome: 'ignored' };

export interface IngestResult {
  call: Call;
  results: IngestOutcome[];
}

/**
 * Resolves the call (creating it under `DEFAULT_ORG` when callrelay did not create it), then for each draft in
 * order: appends it and publishes the stored event with the call after it.
 *
 * - `appended` and `duplicate` both publish, so a provider retry after a failed publish republishes the event.
 * - `ignored` (e.g. a status moving backwards) stores and publishes nothing.
 * - Persist first, publish second: a publish failure rejects with `bus_unavailable` (503) although the event is
 *   stored, so the provider retries; store failures reject with `store_unavailable` (503) before anything is published.
 */
export async function ingest(
  deps: Pick<WebhookDeps, 'store' | 'bus' | 'config'>,
  ref: CallRef,
  drafts: (call: Call) => EventDraft[],
  logger: Logger,
): Promise<IngestResult> {
  let call = await deps.store.resolveCall(ref, deps.config.defaultOrg);
  const results: IngestOutcome[] = [];
  for (const draft of drafts(call)) {
    const result = await recordCallEvent({ ...deps, logger }, call.callId, draft, 'reject');
    call = result.call;
    if (result.outcome === 'ignored') {
      logger.info('event ignored: it would not change the call', {
        callId: call.callId,
        kind: draft.body.kind,
      });
      results.push({ outcome: 'ignored' });
      continue;
    }
    logger.info(result.outcome === 'appended' ? 'event stored' : 'duplicate delivery republished', {
      callId: call.callId,
      seq: result.event.seq,
      kind: result.event.kind,
    });
    results.push({ outcome: result.outcome, event: result.event });
  }
  return { call, results };
}

/** The 200 every accepted webhook gets: what happened, for operators reading provider delivery logs. */
export function accepted(result: IngestResult | { callId?: string; note: string }): HttpResponse {
  if ('note' in result) return json(200, { ok: true, ...result });
  return json(200, {
    ok: true,
    callId: result.call.callId,
    events: result.results.map((r) =>
      r.outcome === 'ignored' ? { outcome: r.outcome } : { outcome: r.outcome, seq: r.event.seq },
    ),
  });
}
