import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/** The eight 16-bit groups of a valid IPv6 address without zone id. */
function ipv6Groups(bare: string): number[] {
  // The URL parser writes it compressed, in lower case, an IPv4 tail (::ffff:1.2.3.4) as two groups.
  const [head, tail] = new URL(`http://[${bare}]`).hostname.slice(1, -1).split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  return [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g, 16));
}

/** NAT64 prefixes whose addresses carry an IPv4 client in their last 32 bits (RFC 6052, RFC 8215 in the usual /96 layout). */
const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');
NAT64.addSubnet('64:ff9b:1::', 48, 'ipv6');

/**
 * The address in `addr`, `IPv4:port`, `[IPv6]:port` or `[IPv6]` (seen in the field: Azure App
 * Service puts `203.0.113.9:51234` into X-Forwarded-For, and req.ip keeps it).
 */
function addressPart(value: string): string | undefined {
  const text = value.trim();
  if (isIPv4(text) || isIPv6(text.split('%')[0] as string)) return text;
  const v4 = /^([\d.]+):\d{1,5}$/.exec(text);
  if (v4 && isIPv4(v4[1] as string)) return v4[1];
  const v6 = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (v6 && isIPv6((v6[1] as string).split('%')[0] as string)) return v6[1];
  return undefined;
}

/**
 * The key a throttle counts a client address under: IPv4 as it is; IPv6 by its /64, the block one
 * subscriber is usually given (seen: 60 login attempts from one /64 under a per-IP limit of 20);
 * IPv4-mapped and NAT64 addresses as their IPv4 client. A port or brackets are dropped first;
 * anything that is no address (client-supplied behind some proxies) is kept, cut to 64 characters.
 */
export function throttleKeyForAddress(value: string): string {
  const address = addressPart(value);
  if (address === undefined) return value.slice(0, 64);
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0] as string;
  const groups = ipv6Groups(bare);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped || NAT64.check(bare, 'ipv6')) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The throttle key of the request's client (`req.ip`: set Express's `trust proxy` behind a proxy). */
export function throttleClientKey(req: Request): string {
  return throttleKeyForAddress(req.ip ?? req.socket?.remoteAddress ?? 'unknown');
}
