// Which IP addresses are public unicast: the SSRF rule outbound webhooks apply before every connection.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** IPv4 ranges that are not public unicast (RFC 6890 special-purpose registry, plus multicast and reserved). */
const V4_BLOCKED: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. the cloud metadata server 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
];

/**
 * IPv6 outside global unicast (2000::/3) is refused outright; inside it, these are not public: documentation,
 * Teredo and 6to4 (both tunnel to IPv4 addresses that could be private), ORCHID and benchmarking.
 */
const V6_BLOCKED_IN_GLOBAL: ReadonlyArray<[string, number]> = [
  ['2001::', 32], // Teredo
  ['2001:2::', 48], // benchmarking
  ['2001:10::', 28], // ORCHID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['3fff::', 20], // documentation (RFC 9637)
];

const v4Blocked = new BlockList();
for (const [net, prefix] of V4_BLOCKED) v4Blocked.addSubnet(net, prefix, 'ipv4');
const v6Global = new BlockList();
v6Global.addSubnet('2000::', 3, 'ipv6');
const v6Blocked = new BlockList();
for (const [net, prefix] of V6_BLOCKED_IN_GLOBAL) v6Blocked.addSubnet(net, prefix, 'ipv6');
const v6Embedding = new BlockList();
v6Embedding.addSubnet('::ffff:0:0', 96, 'ipv6'); // IPv4-mapped
v6Embedding.addSubnet('64:ff9b::', 96, 'ipv6'); // NAT64 well-known prefix

/** The IPv4 address an IPv4-mapped or NAT64 IPv6 address carries, else undefined. */
function embeddedV4(address: string): string | undefined {
  if (!v6Embedding.check(address, 'ipv6')) return undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1];
  const hex = /:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * True only for a public unicast IP address: false for loopback, private (RFC 1918), CGNAT, link-local (the
 * metadata server), multicast, reserved and documentation ranges, IPv6 ULA and link-local, IPv4-mapped or NAT64
 * forms of any of those, and anything that is not an IP address.
 */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !v4Blocked.check(address, 'ipv4');
  if (!isIPv6(address)) return false;
  const v4 = embeddedV4(address);
  if (v4 !== undefined) return isPublicAddress(v4);
  return v6Global.check(address, 'ipv6') && !v6Blocked.check(address, 'ipv6');
}
