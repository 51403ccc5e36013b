// Provider timestamps → ISO strings: the one place that turns unix seconds or date strings into callrelay's times.

/**
 * ISO time of a provider timestamp: a number is unix seconds, a string anything `Date` parses (RFC 2822, ISO 8601).
 * Undefined when absent, unparsable, or outside the range a `Date` can hold (never a throw).
 */
export function isoTime(value: string | number | null | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
