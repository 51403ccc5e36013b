// The one write path of every webhook: resolve the call, append idempotently, then publish what is stored.
import type { Call } from '../../core/domain/call.ts';
import type { CallEvent } from '../../core/domain/call-event.ts';
import type { Logger } from '../../core/support/log.ts';
import type { CallRef, EventDraft } from '../../core/ports/call-store.ts';
import { recordCallEvent } from '../../core/operations/record-call-event.ts';
import type { AuditEvent, ProviderWebhook } from '../../core/domain/audit.ts';
import { recordAudit } from '../../core/operations/record-audit.ts';
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
  deps: Pick<WebhookDeps, 'store' | 'bus' | 'config' | 'audit' | 'clock'>,
  ref: CallRef,
  drafts: (call: Call) => EventDraft[],
  logger: Logger,
  audited?: AuditedWebhook,
): Promise<IngestResult> {
  let call = await deps.store.resolveCall(ref, deps.config.defaultOrg);
  const results: IngestOutcome[] = [];
  for (const draft of drafts(call)) {
    const before = call;
    const result = await recordCallEvent({ ...deps, logger }, call.callId, draft, 'reject');
    call = result.call;
    if (audited && result.outcome !== 'ignored') {
      await auditProviderChange(deps, audited, before, result, logger);
    }
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

/** Which provider webhook is ingesting, for its audit entries (`undefined`: the webhook is not audited). */
export interface AuditedWebhook {
  webhook: ProviderWebhook;
  requestId?: string | undefined;
}

const PROVIDER_OF: Record<ProviderWebhook, string> = {
  twilio_status: 'twilio',
  elevenlabs_post_call: 'elevenlabs',
  elevenlabs_initiation_failure: 'elevenlabs',
};

/**
 * Records a stored status change or post-call transcript, keyed by (call, seq): a provider's redelivery (a
 * `duplicate`) writes the same entry again, which the log keeps once — and stores it if the first write failed
 * (then `from` is unknown and left out). Final transcript segments are not audited: they are the transcript, kept
 * as events; the audit trail records what changed the call's state.
 */
async function auditProviderChange(
  deps: Pick<WebhookDeps, 'audit' | 'clock'>,
  audited: AuditedWebhook,
  before: Call,
  result: { outcome: 'appended' | 'duplicate'; event: CallEvent; call: Call },
  logger: Logger,
): Promise<void> {
  const { event } = result;
  const target = {
    callId: result.call.callId,
    ...(result.call.campaign ? { campaignId: result.call.campaign.campaignId } : {}),
  };
  let auditEvent: AuditEvent;
  if (event.kind === 'call_status') {
    auditEvent = {
      action: 'call.status_changed',
      target,
      details: {
        webhook: audited.webhook,
        seq: event.seq,
        ...(result.outcome === 'appended' ? { from: before.status } : {}),
        to: event.status,
      },
    };
  } else if (event.kind === 'transcript') {
    auditEvent = {
      action: 'call.transcript_received',
      target,
      details: {
        webhook: audited.webhook,
        seq: event.seq,
        turns: event.turns.length,
        ...(event.callResult !== undefined ? { callResult: event.callResult } : {}),
      },
    };
  } else return;
  await recordAudit(
    deps,
    {
      orgId: result.call.orgId,
      actor: { kind: 'provider', id: PROVIDER_OF[audited.webhook] },
      requestId: audited.requestId,
      event: auditEvent,
      key: `call-event:${result.call.callId}:${event.seq}`,
    },
    logger,
  );
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
