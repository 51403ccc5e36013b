// One driver to call, as the API accepts it: the schema of `POST /driver_data/call-elevenlabs` and of each campaign row.
import { z } from 'zod';
import { E164_PATTERN } from '../../core/domain/phone-number.ts';
import { isTimeZone } from '../../core/domain/time-zone.ts';

/** Limits of a driver and its triggers (also in docs/openapi.yaml). */
export const TRIGGER_LIMITS = {
  driverIdMax: 128,
  driverNameMax: 100,
  triggersMin: 1,
  triggersMax: 10,
  descriptionMax: 500,
  timezoneMax: 64,
  idempotencyKeyMax: 255,
} as const;

const L = TRIGGER_LIMITS;

/**
 * A driver with the violations and reminders to talk about. The one schema for a single call and for every row of a
 * campaign, so both accept exactly the same drivers. Problems never quote the value (phone numbers stay out of
 * error bodies and logs).
 */
export const driverSchema = z.object({
  driverId: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(L.driverIdMax, `is longer than ${L.driverIdMax} characters`),
  driverName: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(L.driverNameMax, `is longer than ${L.driverNameMax} characters`),
  phoneNumber: z
    .string({ error: 'must be a string' })
    .regex(E164_PATTERN, 'must be an E.164 number such as +15551234567'),
  violations: z
    .array(
      z.object({
        type: z.enum(['violation', 'reminder'], { error: 'must be "violation" or "reminder"' }),
        description: z
          .string({ error: 'must be a string' })
          .trim()
          .min(1, 'is required')
          .max(L.descriptionMax, `is longer than ${L.descriptionMax} characters`),
      }),
      { error: 'must be an array' },
    )
    .min(L.triggersMin, `needs at least ${L.triggersMin} entry`)
    .max(L.triggersMax, `allows at most ${L.triggersMax} entries`),
  timezone: z
    .string({ error: 'must be a string' })
    .max(L.timezoneMax, `is longer than ${L.timezoneMax} characters`)
    .refine(isTimeZone, 'must be an IANA time zone such as America/Chicago')
    .optional(),
});

/** A driver that passed `driverSchema`. */
export type DriverInput = z.output<typeof driverSchema>;
