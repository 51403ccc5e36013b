// What a phone number is: E.164, the one form callrelay stores, dials and accepts (API, config, simulator).

/** E.164: `+`, a non-zero country digit, 7–15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** True for an E.164 number such as `+15551234567`. */
export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164_PATTERN.test(value);
}
