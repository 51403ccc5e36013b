// Placeholder fallbacks shared by the scripts: the reefer-temperature violation and trailer-picture reminder case.

export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  driver_name: 'there',
  violations:
    '1. Violation: Temperature is at 45 degrees but needs to be 38 degrees. 2. Reminder: Please send loaded trailer pictures.',
};
