import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';
import { clientIp } from './request-urls';

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  const bare = address.split('%')[0] as string;
  if (!isIPv6(bare)) return undefined;
  let text = bare.toLowerCase();
  // An IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) as its two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The key a throttle counts a client address under: an IPv4 address as it is; an IPv6 address by
 * its /64 (`2001:db8:1:2::/64`), the block one subscriber or host is usually given, so that the
 * 2^64 addresses of one client are one client (seen: 60 login attempts from one /64 all reached
 * Luminate under a per-IP limit of 20); an IPv4-mapped address (`::ffff:1.2.3.4`, what a
 * dual-stack socket reports) as the IPv4 address. Anything else (no address) is kept as given.
 */
export function throttleKeyForAddress(address: string): string {
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The throttle key of the request's client (`req.ip`: set Express's `trust proxy` behind a proxy). */
export function throttleClientKey(req: Request): string {
  return throttleKeyForAddress(clientIp(req));
}
