/**
 * Addresses a sandbox must never reach through the egress proxy: this host (loopback, the
 * unspecified address), cloud metadata services (link-local), private networks, carrier-grade
 * NAT, multicast and reserved space, and IPv6 forms that embed an IPv4 address (NAT64, 6to4),
 * which would otherwise smuggle any of the above past an IPv4 check. (BlockList checks an
 * IPv4-mapped IPv6 address such as ::ffff:127.0.0.1 against the IPv4 rules by itself.)
 */
import { BlockList, isIP } from "node:net";

const IPV4_RANGES: [string, number][] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the host itself
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local: the metadata service (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const IPV6_RANGES: [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64
  ["64:ff9b:1::", 48], // local-use NAT64
  ["2002::", 16], // 6to4
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated, still routed by some stacks)
  ["ff00::", 8], // multicast
];

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4");
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");
LINK_LOCAL.addAddress("0.0.0.0", "ipv4");
LINK_LOCAL.addAddress("::", "ipv6");

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

const FORBIDDEN = new BlockList();
for (const [address, prefix] of IPV4_RANGES) FORBIDDEN.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of IPV6_RANGES) FORBIDDEN.addSubnet(address, prefix, "ipv6");

function family(address: string): "ipv4" | "ipv6" | null {
  const version = isIP(address);
  return version === 4 ? "ipv4" : version === 6 ? "ipv6" : null;
}

/** True for any address that is not a public unicast address (unparseable ones included). */
export function isForbiddenAddress(address: string): boolean {
  const kind = family(address);
  return kind === null || FORBIDDEN.check(address, kind);
}

/**
 * True for addresses even an operator-named endpoint may not use: link-local (metadata) and
 * the unspecified address. Loopback and private addresses are fine for the endpoints the host
 * itself is configured with (a local control plane, a model gateway on the LAN).
 */
export function isNeverReachable(address: string): boolean {
  const kind = family(address);
  return kind === null || LINK_LOCAL.check(address, kind);
}

/** Why an address is refused, in words a person reading the session log understands. */
export function describeAddress(address: string): string {
  const kind = family(address);
  if (kind === null) return "not an IP address";
  if (LINK_LOCAL.check(address, kind)) return "a link-local address (cloud metadata service)";
  if (LOOPBACK.check(address, kind)) return "a loopback address (this host)";
  return "a private or reserved address";
}
