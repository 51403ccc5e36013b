// One CSV row per call for the history export: times, status, what the driver said yes to; never a phone number.
import type { Call } from './call.ts';
import { concludeCall } from './call-outcome.ts';
import type { CsvValue } from '../support/csv.ts';

/** The export's header row, in column order. */
export const CALL_EXPORT_COLUMNS = [
  'callId',
  'driverId',
  'driverName',
  'createdAt',
  'answeredAt',
  'endedAt',
  'durationSecs',
  'status',
  'acknowledged',
  'eta',
  'photosPromised',
  'escalation',
  'optedOut',
  'summary',
  'campaignId',
] as const;

/**
 * The export row of `call`, in `CALL_EXPORT_COLUMNS` order. Outcome cells come from `concludeCall`: empty while the
 * call is pending or when nobody was reached (then `status` says why), `acknowledged` empty when the agent could
 * not tell.
 */
export function callExportRow(call: Call): CsvValue[] {
  const c = concludeCall(call);
  const reached = c.kind === 'reached' ? c : undefined;
  return [
    call.callId,
    call.driver?.id,
    call.driver?.name,
    call.createdAt,
    call.answeredAt,
    call.endedAt,
    call.durationSecs,
    call.status,
    reached?.acknowledged,
    reached?.eta,
    reached?.photosPromised,
    reached?.escalationNeeded,
    reached?.optOut,
    call.outcome?.summary,
    call.campaign?.campaignId,
  ];
}
