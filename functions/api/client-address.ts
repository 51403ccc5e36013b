// The address of the client behind a known number of trusted proxies, for per-address throttling.
import type { HttpRequest } from '../http/http-types.ts';

/** Longest address kept as a throttling key: an IPv6 literal is at most 45 characters; anything longer is noise. */
const MAX_ADDRESS_LENGTH = 64;

/**
 * Each trusted proxy appends the address that connected to it to `X-Forwarded-For`; everything left of those
 * entries was written by the client and proves nothing. So with `trustedHops` = N the client is the N-th entry from
 * the right (`client, proxy1, …` → the entry proxy N appended). With 0 the header is ignored and the socket peer is
 * the client (a server clients reach directly, e.g. the local stack). A header with fewer than N entries came
 * through fewer proxies than configured; its leftmost entry is the best there is. No header and no socket address
 * (unknown transport) → `unknown`.
 */
export function clientAddress(req: HttpRequest, trustedHops: number): string {
  const socket = req.remoteAddress ? normalize(req.remoteAddress) : 'unknown';
  if (trustedHops <= 0) return socket;
  const entries = (req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return socket;
  const index = Math.max(entries.length - trustedHops, 0);
  return normalize(entries[index]!);
}

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) is the same client as `1.2.3.4`. */
function normalize(address: string): string {
  const lower = address.toLowerCase().slice(0, MAX_ADDRESS_LENGTH);
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
