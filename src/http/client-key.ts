import { BlockList, isIPv4, isIPv6 } from 'node:net';
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
 * NAT64 / SIIT prefixes whose addresses carry a whole IPv4 client in their last 32 bits: the
 * well-known `64:ff9b::/96` (RFC 6052) and the local-use `64:ff9b:1::/48` (RFC 8215; its operator
 * picks the prefix length, we take the usual /96 layout, IPv4 in the last 32 bits).
 */
const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');
NAT64.addSubnet('64:ff9b:1::', 48, 'ipv6');

/** Longest key kept for a value that is not an address (the key is client-supplied behind some proxies). */
const MAX_OTHER_KEY = 64;

/**
 * The address in a client address as proxies write it: a bare address, `IPv4:port`,
 * `[IPv6]:port` or `[IPv6]` (seen in the field: Azure App Service / Application Gateway put
 * `203.0.113.9:51234` into X-Forwarded-For, and Express's req.ip keeps it). Undefined when the
 * value holds no address.
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
 * The key a throttle counts a client address under: an IPv4 address as it is; an IPv6 address by
 * its /64 (`2001:db8:1:2::/64`), the block one subscriber or host is usually given, so that the
 * 2^64 addresses of one client are one client (seen: 60 login attempts from one /64 all reached
 * Luminate under a per-IP limit of 20); an address that carries an IPv4 client (IPv4-mapped
 * `::ffff:1.2.3.4`, what a dual-stack socket reports, and NAT64 `64:ff9b::1.2.3.4`) as the IPv4
 * address, so IPv4 clients behind a NAT64 are not all one client. A port or brackets around the
 * address (`1.2.3.4:51234`, `[2001:db8::1]:443`) are dropped first, so each connection is not a
 * new client. Anything else (no address) is kept as given, cut to 64 characters.
 */
export function throttleKeyForAddress(value: string): string {
  const address = addressPart(value);
  if (address === undefined) return value.slice(0, MAX_OTHER_KEY);
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return value.slice(0, MAX_OTHER_KEY);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped || NAT64.check(address.split('%')[0] as string, 'ipv6')) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The throttle key of the request's client (`req.ip`: set Express's `trust proxy` behind a proxy). */
export function throttleClientKey(req: Request): string {
  return throttleKeyForAddress(clientIp(req));
}
