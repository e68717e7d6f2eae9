/**
 * IPv4, the one place: every address, subnet and prefix in the core (and
 * the web, through the schema) is read and written here.
 *
 * Reading accepts what ipaddr.js's `isValidFourPartDecimal` accepts: exactly four
 * decimal parts of 0–255 without leading zeros. (`IPv4.parse` alone also
 * takes `010.0.0.1` as octal and `0x0a.0.0.1` as hex, and `ip` would read
 * such spellings its own way, so they are refused.) A prefix length is
 * 0–32 in plain decimal. Once read, an address is an unsigned 32-bit
 * integer, and everything after that (networks, containment, overlaps,
 * routing lookups) is integer work.
 */
import ipaddr from 'ipaddr.js';

/** A network: its address with host bits cleared, and its prefix length. */
export interface Subnet {
  base: number;
  len: number;
}

const PREFIX_LENGTH = /^(3[0-2]|[12]?\d)$/;

/** `a.b.c.d` → its unsigned 32-bit value, or null for any other spelling. */
export function parseIpv4(text: string): number | null {
  // By hand, character by character: the analyzer reads every address and route of a design on
  // each edit, and ipaddr.js's regular expressions were a third of building its model. The
  // spelling accepted is exactly isValidFourPartDecimal's (a property test holds them equal).
  const n = text.length;
  if (n < 7 || n > 15) return null;
  let value = 0;
  let part = 0;
  let digits = 0;
  let octet = 0;
  for (let k = 0; k < n; k++) {
    const ch = text.charCodeAt(k);
    if (ch === 46 /* . */) {
      if (digits === 0 || part === 3) return null;
      value = value * 256 + octet;
      part++;
      digits = 0;
      octet = 0;
    } else if (ch >= 48 && ch <= 57) {
      // No leading zero: "0" alone is an octet, "01" is not.
      if (digits === 1 && octet === 0) return null;
      octet = octet * 10 + (ch - 48);
      if (octet > 255) return null;
      digits++;
    } else return null;
  }
  if (digits === 0 || part !== 3) return null;
  return value * 256 + octet;
}

/** ipaddr.js's reading of a dotted quad, the reference parseIpv4 is held to (tests only). */
export function parseIpv4Reference(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** An unsigned 32-bit value → `a.b.c.d`. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/** The four octets of an address, most significant first. */
export function octetsOf(value: number): [number, number, number, number] {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** `0`–`32` in plain decimal → the number, or null. */
function parsePrefixLength(text: string): number | null {
  return PREFIX_LENGTH.test(text) ? Number(text) : null;
}

/** How many addresses a prefix of `len` bits spans. */
export function subnetSize(len: number): number {
  return 2 ** (32 - len);
}

/** `addr` with the host bits of a prefix of `len` bits cleared. */
export function networkOf(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** The last address of a subnet (its broadcast address below /31). */
export function lastAddress(subnet: Subnet): number {
  return subnet.base + subnetSize(subnet.len) - 1;
}

/** `a.b.c.d` or `a.b.c.d/len`; `len` is null when not written. */
export function parseIfAddress(text: string): { addr: number; len: number | null } | null {
  const slash = text.indexOf('/');
  const addr = parseIpv4(slash === -1 ? text : text.slice(0, slash));
  if (addr === null) return null;
  if (slash === -1) return { addr, len: null };
  const len = parsePrefixLength(text.slice(slash + 1));
  return len === null ? null : { addr, len };
}

/** `a.b.c.d/len` → the subnet it names (host bits cleared), or null when malformed. */
export function parseCidr(text: string): Subnet | null {
  const parsed = parseIfAddress(text);
  if (parsed === null || parsed.len === null) return null;
  return { base: networkOf(parsed.addr, parsed.len), len: parsed.len };
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIpv4(subnet.base)}/${subnet.len}`;
}

/** A route destination as written everywhere: `default` for 0.0.0.0/0, else `a.b.c.d/len`. */
export function formatDestination(subnet: Subnet): string {
  return subnet.len === 0 ? 'default' : formatSubnet(subnet);
}

/** `a.b.c.d/len` → `a.b.c.d` (a bare address stays as it is). */
export function bareAddress(text: string): string {
  const slash = text.indexOf('/');
  return slash === -1 ? text : text.slice(0, slash);
}

/** Dotted decimal, as the schema's IPv4 fields take it. */
export const isIpv4 = (text: string): boolean => parseIpv4(text) !== null;
/** `a.b.c.d/len` (host bits allowed: they are a diagnostic, not a format error). */
export const isCidr = (text: string): boolean => parseCidr(text) !== null;
/** An interface address: `a.b.c.d` or `a.b.c.d/len`. */
export const isIfAddress = (text: string): boolean => parseIfAddress(text) !== null;

/**
 * The same three formats as JSON Schema patterns, for editors that check a
 * design file (`schema/design.schema.json`). A test holds them to the
 * parsers above.
 */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED = `${OCTET}(\\.${OCTET}){3}`;
const LENGTH = '(3[0-2]|[12]?\\d)';
export const IPV4_PATTERN = `^${DOTTED}$`;
export const CIDR_PATTERN = `^${DOTTED}\\/${LENGTH}$`;
export const IF_ADDRESS_PATTERN = `^${DOTTED}(\\/${LENGTH})?$`;

/**
 * The one spelling of a route destination, shared by the model and the
 * kernel's observed state: `default` for 0.0.0.0/0 and `a.b.c.d/len` with
 * host bits cleared otherwise. iproute2 prints a /32 as the bare address and
 * 0.0.0.0/0 as `default`; both come back to this form. null when the text is
 * no IPv4 destination.
 */
export function routeDestination(text: string): string | null {
  if (text === 'default') return 'default';
  const parsed = parseIfAddress(text);
  if (!parsed) return null;
  const len = parsed.len ?? 32;
  return formatDestination({ base: networkOf(parsed.addr, len), len });
}

export function subnetContains(subnet: Subnet, addr: number): boolean {
  return networkOf(addr, subnet.len) === subnet.base;
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  const len = Math.min(a.len, b.len);
  return networkOf(a.base, len) === networkOf(b.base, len);
}

/**
 * First and last address a member may hold: network and broadcast are
 * excluded, except on /31 (RFC 3021: both ends usable) and /32.
 */
export function usableRange(subnet: Subnet): { first: number; last: number } {
  if (subnet.len >= 31) return { first: subnet.base, last: lastAddress(subnet) };
  return { first: subnet.base + 1, last: lastAddress(subnet) - 1 };
}

/** Why an address cannot be held by a member of `subnet`, or null when it can. */
export function addressProblem(
  subnet: Subnet,
  addr: number,
): 'outside' | 'network' | 'broadcast' | null {
  if (!subnetContains(subnet, addr)) return 'outside';
  if (subnet.len >= 31) return null;
  if (addr === subnet.base) return 'network';
  if (addr === lastAddress(subnet)) return 'broadcast';
  return null;
}
