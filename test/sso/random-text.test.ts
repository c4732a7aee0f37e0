import { newCspNonce, randomText } from '../../src/sso/security-headers';

describe('randomText (CSP nonces, handoff ids)', () => {
  it('gives base64url text of the asked size, never the same twice across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const id = randomText(9, 'base64url');
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
  });

  it('gives 16-byte base64 nonces', () => {
    expect(Buffer.from(newCspNonce(), 'base64')).toHaveLength(16);
    expect(newCspNonce()).not.toBe(newCspNonce());
  });

  it.each([0, -1, 65, 1.5, Number.NaN])('refuses %p bytes', (bytes) => {
    expect(() => randomText(bytes, 'base64')).toThrow(RangeError);
  });
});
