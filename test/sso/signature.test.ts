import { createHash } from 'node:crypto';
import { verifySignedQuery } from '../../src/luminate/signature';

const SECRET = 'test-secret-key';
const NOW = 1_800_000_000_000;
const TS = Math.floor(NOW / 1000);

function sign(query: string, alg: 'md5' | 'sha1' = 'md5', name = 'signature', includeName = false): string {
  const text = includeName ? `${query}&${name}=${SECRET}` : query + SECRET;
  return `${query}&${name}=${createHash(alg).update(text).digest('hex')}`;
}

const check = (raw: string, over: Partial<Parameters<typeof verifySignedQuery>[1]> = {}) =>
  verifySignedQuery(raw, { secret: SECRET, algorithm: 'md5', maxAgeSeconds: 300, now: NOW, ...over });

const base = `next=https%3A%2F%2Fsecure2.convio.net%2Fmyorg%2Fsite%2FDonation2%3Fdf_id%3D1&code=7&ts=${TS}`;

describe('verifySignedQuery', () => {
  it('accepts an MD5 signature over the query before it and exposes the parameters', () => {
    const result = check(sign(base));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.params.get('code')).toBe('7');
      expect(result.params.get('next')).toBe('https://secure2.convio.net/myorg/site/Donation2?df_id=1');
      expect(result.ts).toBe(TS);
    }
  });

  it('accepts SHA-1 when configured, and refuses an MD5 signature then (wrong algorithm)', () => {
    expect(check(sign(base, 'sha1'), { algorithm: 'sha1' }).ok).toBe(true);
    expect(check(sign(base, 'md5'), { algorithm: 'sha1' })).toEqual({ ok: false, reason: 'malformed' });
    expect(check(sign(base, 'sha1'), { algorithm: 'md5' })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts the `sig` parameter name and the form whose hash includes "&signature="', () => {
    expect(check(sign(base, 'md5', 'sig')).ok).toBe(true);
    expect(check(sign(base, 'md5', 'signature', true)).ok).toBe(true);
    expect(check(sign(base, 'sha1', 'sig', true), { algorithm: 'sha1' }).ok).toBe(true);
  });

  it('accepts upper-case hex', () => {
    const signed = sign(base);
    const upper = signed.replace(/signature=([0-9a-f]+)$/, (_m, h: string) => `signature=${h.toUpperCase()}`);
    expect(check(upper).ok).toBe(true);
  });

  it('refuses a tampered query, a wrong secret and a flipped signature digit', () => {
    const signed = sign(base);
    expect(check(signed.replace('df_id%3D1', 'df_id%3D2'))).toEqual({ ok: false, reason: 'mismatch' });
    expect(check(signed, { secret: 'other' })).toEqual({ ok: false, reason: 'mismatch' });
    const flipped = signed.slice(0, -1) + (signed.endsWith('0') ? '1' : '0');
    expect(check(flipped)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('hashes the raw query: a re-encoded but equivalent query does not verify', () => {
    const signed = sign(base);
    expect(check(signed.replace('%3A', '%3a'))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses expired and far-future timestamps', () => {
    const old = base.replace(`ts=${TS}`, `ts=${TS - 301}`);
    const future = base.replace(`ts=${TS}`, `ts=${TS + 301}`);
    expect(check(sign(old))).toEqual({ ok: false, reason: 'expired' });
    expect(check(sign(future))).toEqual({ ok: false, reason: 'expired' });
    expect(check(sign(base.replace(`ts=${TS}`, `ts=${TS - 299}`))).ok).toBe(true);
  });

  it('refuses unsigned, duplicated, trailing and ts-less queries', () => {
    expect(check(base)).toEqual({ ok: false, reason: 'unsigned' });
    const signed = sign(base);
    expect(check(`${signed}&sig=${'0'.repeat(32)}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(check(`${signed}&next=https%3A%2F%2Fevil.example`)).toEqual({ ok: false, reason: 'malformed' });
    expect(check(sign('next=x&code=7'))).toEqual({ ok: false, reason: 'malformed' });
    expect(check(sign(`${base}&ts=${TS}`))).toEqual({ ok: false, reason: 'malformed' });
    expect(check('signature=')).toEqual({ ok: false, reason: 'malformed' });
    expect(check('')).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('does not mistake a parameter that merely ends in "signature" for the signature', () => {
    const q = `xsignature=abc&${base}`;
    expect(check(sign(q)).ok).toBe(true);
  });
});
