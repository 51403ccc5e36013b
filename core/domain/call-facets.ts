// A call's history facets: its conclusion as flat scalars a store can filter on (kept by the reducer).
import type { Call, CallFacets } from './call.ts';
import { concludeCall } from './call-outcome.ts';

/** The outcome filter values of `GET /calls` (one per request) and what each means. */
export const OUTCOME_FILTERS = [
  'acknowledged',
  'not_acknowledged',
  'unreachable',
  'escalation',
  'opted_out',
] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

/** The facets of `call` per `concludeCall` (stored as `Call.facets`), or undefined while it is pending. */
export function deriveFacets(call: Call): CallFacets | undefined {
  const c = concludeCall(call);
  switch (c.kind) {
    case 'pending':
      return undefined;
    case 'not_reached':
      return { outcome: 'unreachable', escalation: false, optedOut: false };
    case 'reached':
      return {
        outcome: c.acknowledged === true ? 'acknowledged' : 'not_acknowledged',
        escalation: c.escalationNeeded === true,
        optedOut: c.optOut === true,
      };
  }
}

/** Whether `facets` satisfy an outcome filter. */
export function matchesOutcome(facets: CallFacets | undefined, filter: OutcomeFilter): boolean {
  if (!facets) return false;
  switch (filter) {
    case 'escalation':
      return facets.escalation;
    case 'opted_out':
      return facets.optedOut;
    default:
      return facets.outcome === filter;
  }
}

/** Same facets (so the reducer leaves the field untouched). */
export function sameFacets(a: CallFacets | undefined, b: CallFacets | undefined): boolean {
  if (!a || !b) return a === b;
  return a.outcome === b.outcome && a.escalation === b.escalation && a.optedOut === b.optedOut;
}
