// The body of POST /campaigns: rules within CAMPAIGN_LIMITS and driver rows validated like single calls, every bad row named.
import { z } from 'zod';
import { CAMPAIGN_LIMITS } from '../../core/domain/campaign.ts';
import type { FieldProblem } from '../../core/protocol/rest-api.ts';
import { driverSchema } from './driver-input.ts';
import { fieldProblems, invalid } from './request-input.ts';

const C = CAMPAIGN_LIMITS;

/**
 * Most `details` one refused campaign lists: every problem of 1,000 rows with a couple of bad fields each, while a
 * body of nothing but bad rows cannot make the error itself megabytes long.
 */
export const CAMPAIGN_PROBLEMS_MAX = 2000;

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const clockTime = z
  .string({ error: 'must be a string' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time HH:MM such as 08:00');

const campaignSchema = z.object({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(C.nameMax, `is longer than ${C.nameMax} characters`),
  startAt: z.iso
    .datetime({
      offset: true,
      error: 'must be an ISO 8601 time with an offset, e.g. 2026-03-02T08:00:00-06:00',
    })
    .transform((at) => new Date(at).toISOString())
    .optional(),
  callingWindow: z
    .object({ start: clockTime, end: clockTime }, { error: 'must be an object { start, end }' })
    .refine((w) => w.start < w.end, { message: 'must be later than start (same day)', path: ['end'] })
    .optional(),
  retry: z
    .object(
      {
        maxAttempts: wholeNumber(1, C.maxAttemptsMax),
        backoffSecs: z
          .array(wholeNumber(C.backoffSecsMin, C.backoffSecsMax), { error: 'must be an array' })
          .min(1, 'needs at least 1 entry')
          .max(C.backoffEntriesMax, `allows at most ${C.backoffEntriesMax} entries`),
      },
      { error: 'must be an object { maxAttempts, backoffSecs }' },
    )
    .optional(),
  maxConcurrentCalls: wholeNumber(1, C.maxConcurrentCallsMax).optional(),
  drivers: z
    .array(driverSchema, { error: 'must be an array' })
    .min(C.driversMin, `needs at least ${C.driversMin} driver`)
    .max(C.driversMax, `allows at most ${C.driversMax} drivers`),
});

/** A create request that passed validation (drivers trimmed, `startAt` normalized to UTC ISO). */
export type CampaignRequest = z.output<typeof campaignSchema>;

/**
 * Validates a campaign body. Refuses with `validation_failed` listing every problem at once — each bad driver row
 * by its path (`drivers.3.phoneNumber`), a repeated driverId at each repeat (`drivers.7.driverId`) — never the
 * values. A driver list over the maximum is refused on its length alone, before any row is read.
 */
export function parseCampaignRequest(body: unknown): CampaignRequest {
  const rows = isRecord(body) ? body.drivers : undefined;
  if (Array.isArray(rows) && rows.length > C.driversMax) {
    throw invalid([{ field: 'drivers', problem: `allows at most ${C.driversMax} drivers` }]);
  }
  const result = campaignSchema.safeParse(body);
  const problems = [...(result.success ? [] : fieldProblems(result.error)), ...duplicateDriverIds(rows)];
  if (problems.length > 0 || !result.success) throw invalid(capped(sortedByRow(problems)));
  return result.data;
}

/** Each row whose (trimmed) driverId an earlier row already has. */
function duplicateDriverIds(rows: unknown): FieldProblem[] {
  if (!Array.isArray(rows)) return [];
  const firstRow = new Map<string, number>();
  const problems: FieldProblem[] = [];
  rows.forEach((row, index) => {
    const id = isRecord(row) && typeof row.driverId === 'string' ? row.driverId.trim() : '';
    if (!id) return;
    const first = firstRow.get(id);
    if (first === undefined) firstRow.set(id, index);
    else
      problems.push({
        field: `drivers.${index}.driverId`,
        problem: `duplicate of drivers.${first}.driverId`,
      });
  });
  return problems;
}

/** Top-level fields first, then rows in order, so a caller fixing a CSV reads problems top to bottom. */
function sortedByRow(problems: FieldProblem[]): FieldProblem[] {
  const row = (p: FieldProblem) => {
    const match = /^drivers\.(\d+)(\.|$)/.exec(p.field);
    return match ? Number(match[1]) : -1;
  };
  return problems
    .map((p, order) => ({ p, order }))
    .sort((a, b) => row(a.p) - row(b.p) || a.order - b.order)
    .map(({ p }) => p);
}

function capped(problems: FieldProblem[]): FieldProblem[] {
  if (problems.length <= CAMPAIGN_PROBLEMS_MAX) return problems;
  const shown = problems.slice(0, CAMPAIGN_PROBLEMS_MAX);
  shown.push({
    field: '(body)',
    problem: `${problems.length - CAMPAIGN_PROBLEMS_MAX} more problems not listed`,
  });
  return shown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
