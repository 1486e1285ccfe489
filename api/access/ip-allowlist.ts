import ipaddr from 'ipaddr.js';

/** A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address (taken as /32 or /128). */
export function isValidCidr(value: string): boolean {
  return ipaddr.isValidCIDR(value) || ipaddr.isValid(value);
}

/** The address as ipaddr.js reads it, IPv4-mapped IPv6 (`::ffff:10.0.0.1`) turned back into IPv4. */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(ip);
  } catch {
    return null;
  }
}

function parseRange(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (ipaddr.isValidCIDR(cidr)) {
      const [addr, bits] = ipaddr.parseCIDR(cidr);
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
      return [addr, bits];
    }
    const addr = ipaddr.process(cidr);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/**
 * Whether `ip` falls in one of the ranges; an empty list allows anywhere. An address that cannot
 * be read (no socket address) is refused by any non-empty list.
 */
export function ipAllowed(ip: string | undefined | null, ranges: readonly string[]): boolean {
  if (ranges.length === 0) return true;
  const addr = ip ? parseAddress(ip) : null;
  if (!addr) return false;
  return ranges.some((cidr) => {
    const range = parseRange(cidr);
    return range !== null && range[0].kind() === addr.kind() && addr.match(range);
  });
}
