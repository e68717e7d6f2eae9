/** Small IPv4 helpers for the analyzer: addresses as unsigned 32-bit numbers, so lookups are integer work. */

export function ipToNumber(text: string): number {
  const slash = text.indexOf('/');
  const dotted = slash < 0 ? text : text.slice(0, slash);
  const parts = dotted.split('.');
  if (parts.length !== 4) return -1;
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!Number.isInteger(octet) || octet < 0 || octet > 255 || part === '') return -1;
    value = value * 256 + octet;
  }
  return value;
}

export function prefixLength(text: string, fallback: number): number {
  const slash = text.indexOf('/');
  if (slash < 0) return fallback;
  const len = Number(text.slice(slash + 1));
  return Number.isInteger(len) && len >= 0 && len <= 32 ? len : fallback;
}

/** Network number of `address` under a prefix of `len` bits (unsigned). */
export function networkOf(address: number, len: number): number {
  if (len <= 0) return 0;
  if (len >= 32) return address;
  const size = 2 ** (32 - len);
  return address - (address % size);
}

export function numberToIp(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

export function formatPrefix(net: number, len: number): string {
  return len === 0 ? 'default' : `${numberToIp(net)}/${len}`;
}
