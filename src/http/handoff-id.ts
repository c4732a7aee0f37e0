import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The `hid` of a callback URL the bridge gives Luminate: random, so that two same-second failures
 * are not one signed URL (Luminate adds only `ts`), with a MAC under the API secret key, so that a
 * refused callback whose URL this bridge made (a set-up mistake: warned) is told from junk (quiet).
 */
export function newHandoffId(secret: string): string {
  // The first 12 hex digits of a v4 UUID: 48 random bits, plenty for an id that only has to differ
  // from other handoffs'. randomUUID() draws from Node's entropy cache; randomBytes() cost ~5 µs a call.
  const id = randomUUID().replace('-', '').slice(0, 12);
  return `${id}.${mac(secret, id)}`;
}

/** True when `hid` (a query value, as Express parsed it) was made by newHandoffId with `secret`. */
export function isOwnHandoffId(hid: unknown, secret: string): boolean {
  if (typeof hid !== 'string') return false;
  const match = /^([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{16})$/.exec(hid);
  if (!match) return false;
  return timingSafeEqual(Buffer.from(mac(secret, match[1]!)), Buffer.from(match[2]!));
}

function mac(secret: string, id: string): string {
  return createHmac('sha256', secret).update(`luminate-sso-bridge handoff ${id}`).digest('base64url').slice(0, 16);
}
