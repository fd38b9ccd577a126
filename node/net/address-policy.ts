import ipaddr from "ipaddr.js";

/**
 * Which addresses the node may connect to. Public unicast addresses always; private,
 * loopback, link-local and other special ranges only when the operator allows them
 * (`--allow-private-address`, tests and demos), and then optionally only some of them.
 */
export interface AddressPolicy {
  /** Let the node reach non-public addresses (default false). */
  readonly allowPrivate: boolean;
  /**
   * With `allowPrivate`, only these non-public ranges (CIDRs or single addresses, e.g.
   * `127.0.0.1`); `null` or absent: every range. Public addresses are never restricted.
   */
  readonly allowedRanges?: readonly string[] | null;
}

/** The policy of a production node: public addresses only. */
export const PUBLIC_ONLY: AddressPolicy = { allowPrivate: false };

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** IPv4 embedded in IPv6 forms that route to an IPv4 host: NAT64 (RFC 6052) and 6to4. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === "rfc6052") return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === "6to4") return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/**
 * What kind of address `ip` is: `"public"` for a globally routable unicast address, else
 * the name of its special range (`loopback`, `private`, `linkLocal`, `uniqueLocal`,
 * `carrierGradeNat`, …). IPv4-mapped (`::ffff:7f00:1`), NAT64 (`64:ff9b::/96`) and 6to4
 * forms are judged by the IPv4 address they reach. Anything unparsable is `"invalid"`.
 */
export function classifyAddress(ip: string): string {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  // A zone index (fe80::1%eth0) only ever names a link-local address.
  if (bare.includes("%")) return "linkLocal";
  let parsed: Parsed;
  try {
    // process() turns IPv4-mapped IPv6 into the IPv4 address it stands for.
    parsed = ipaddr.process(bare);
  } catch {
    return "invalid";
  }
  if (parsed.kind() === "ipv6") {
    const v4 = embeddedIPv4(parsed as ipaddr.IPv6);
    if (v4) {
      const inner = v4.range();
      return inner === "unicast" ? "public" : inner;
    }
    // Teredo tunnels to addresses we cannot see; refuse like any special range.
  }
  const range = parsed.range();
  return range === "unicast" ? "public" : range;
}

function inRanges(ip: string, ranges: readonly string[]): boolean {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  let parsed: Parsed;
  try {
    parsed = ipaddr.process(bare);
  } catch {
    return false;
  }
  for (const range of ranges) {
    const cidr = range.includes("/") ? range : `${range}/${range.includes(":") ? 128 : 32}`;
    try {
      const [network, bits] = ipaddr.parseCIDR(cidr);
      const candidate =
        network.kind() === parsed.kind()
          ? parsed
          : parsed.kind() === "ipv4"
            ? (parsed as ipaddr.IPv4).toIPv4MappedAddress()
            : null;
      if (candidate && (candidate as ipaddr.IPv4).match(network as ipaddr.IPv4, bits)) return true;
    } catch {
      // an unparsable range was refused when the policy was made
    }
  }
  return false;
}

/** Why `ip` may not be connected to under `policy`, or null when it may. */
export function refuseAddress(ip: string, policy: AddressPolicy): string | null {
  const kind = classifyAddress(ip);
  if (kind === "public") return null;
  if (kind === "invalid") return `${ip} is not an IP address`;
  if (!policy.allowPrivate) return `${ip} is a ${kind} address (use --allow-private-address for tests and demos)`;
  if (policy.allowedRanges && !inRanges(ip, policy.allowedRanges))
    return `${ip} is a ${kind} address outside the allowed ranges`;
  return null;
}

/** Checks a list of ranges (CIDRs or addresses) for a policy; returns the first bad one. */
export function invalidRange(ranges: readonly string[]): string | null {
  for (const range of ranges) {
    const cidr = range.includes("/") ? range : `${range}/${range.includes(":") ? 128 : 32}`;
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      return range;
    }
  }
  return null;
}
