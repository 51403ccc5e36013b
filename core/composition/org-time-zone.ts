// The org's time zone setting (`ORG_DEFAULT_TIMEZONE`), parsed once for the API and the worker alike.
import { isTimeZone } from '../domain/time-zone.ts';
import { ConfigError, optionalString, type Env } from '../support/config.ts';

/** Zone of campaign drivers sent without one and of analytics days: US trucks, and Central time spans the middle. */
export const DEFAULT_ORG_TIMEZONE = 'America/Chicago';

/** `ORG_DEFAULT_TIMEZONE`: an IANA zone the runtime knows (default America/Chicago), else a ConfigError. */
export function parseOrgTimezone(env: Env): string {
  const value = optionalString(env, 'ORG_DEFAULT_TIMEZONE') ?? DEFAULT_ORG_TIMEZONE;
  if (!isTimeZone(value)) {
    throw new ConfigError('ORG_DEFAULT_TIMEZONE', 'must be an IANA time zone such as America/Chicago');
  }
  return value;
}
