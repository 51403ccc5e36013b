// What a time zone is: an IANA zone name the runtime's time-zone database knows (America/Chicago).

/** True for an IANA time zone name `Intl` accepts, such as `America/Chicago` or `UTC`. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
