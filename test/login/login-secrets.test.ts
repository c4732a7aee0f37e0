/** With debug output on: visitors' credentials, the API secrets and the login nonce stay out of logs, errors and pages. */
import { createHash } from 'node:crypto';
import { captureDebugLines } from '../helpers/debug-lines';
import { verifyLoginSignature } from '../../src/luminate/signature';
import { TestBrowser } from '../helpers/browser';
import { useFakeLuminate } from '../helpers/fake-luminate';
import { formToken, postLogin, startLoginApp } from './helpers';

describe('secrets in the login flow', () => {
  const lines = captureDebugLines();
  const fake = useFakeLuminate({
    apiSecretKey: 'S3cret-Key-For-Test',
    apiLogin: { name: 'apiadmin', password: 'Adm1n-Password-For-Test' },
    constituents: [{ consId: '1001641', memberId: 'M-77123', lastName: 'Lovelace-Secretname', userName: 'ada', password: 'Visitor-Password-123' }],
  });

  it('across both modes, a refusal and a successful login', async () => {
    const texts: string[] = [];
    for (const mode of ['authenticateUser', 'login'] as const) {
      const app = await startLoginApp(fake, mode === 'login' ? { mode, fields: undefined } : {});
      try {
        const browser = new TestBrowser();
        const fields: Record<string, string> = mode === 'login' ? { user_name: 'ada', password: 'Visitor-Password-123' } : { member_id: 'M-77123', last_name: 'Lovelace-Secretname' };
        const wrong: Record<string, string> = mode === 'login' ? { user_name: 'ada', password: 'Visitor-Password-124' } : { member_id: 'M-77123', last_name: 'Lovelace-Secretnamf' };
        const refused = await browser.fetch('POST', `${app.url}/luminate/login`, { _csrf: await formToken(browser, app), ...wrong });
        texts.push(refused.text, String(refused.location));
        const end = await postLogin(browser, app, fields);
        texts.push(end.text, end.url);
        texts.push(...app.errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${e.stack} ${String((e.cause as Error | undefined)?.message)}`));
        expect(app.errors.map((e) => e.code)).toEqual(['LOGIN_CREDENTIALS_REFUSED']);
      } finally {
        await app.close();
      }
    }
    // Lines are the format string and its arguments: a secret in any argument shows.
    expect(lines.some((l) => l.includes('logged in cons_id') && l.includes(' 1001641 '))).toBe(true);
    const nonces = fake.issuedTokens.flatMap((t) => [t.token, t.nonce].filter((v): v is string => Boolean(v)));
    expect(nonces.length).toBeGreaterThanOrEqual(4);
    const secrets = ['Adm1n-Password-For-Test', 'S3cret-Key-For-Test', 'Visitor-Password-12', 'Lovelace-Secretnam', 'M-77123', ...nonces];
    for (const secret of secrets) {
      for (const haystack of [...lines, ...texts]) expect(haystack).not.toContain(secret);
    }
  });
});

describe('verifyLoginSignature', () => {
  const check = { secret: 'k', algorithm: 'md5' as const, maxAgeSeconds: 300, now: 1_700_000_000_000 };
  const md5 = (t: string) => createHash('md5').update(t).digest('hex');

  it('accepts the documented form in either case, and refuses anything else', () => {
    const good = md5('1001641' + '1700000000' + 'k');
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1700000000', signature: good.toUpperCase() }, check)).toEqual({ ok: true, ts: 1_700_000_000 });
    expect(verifyLoginSignature({ consId: '1001642', timestamp: '1700000000', signature: good }, check)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1700000001', signature: good }, check)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1700000000', signature: good.slice(1) }, check)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '', signature: good }, check)).toEqual({ ok: false, reason: 'malformed' });
    // Milliseconds are not seconds: refused as far out of the window.
    const ms = md5('1001641' + '1700000000000' + 'k');
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1700000000000', signature: ms }, check)).toEqual({ ok: false, reason: 'malformed' });
    const old = md5('1001641' + '1699999000' + 'k');
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1699999000', signature: old }, check)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLoginSignature({ consId: '1001641', timestamp: '1700000000', signature: good }, { ...check, algorithm: 'sha1' })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('no separator: a reply signed for cons_id 1001640 does not verify as cons_id 100164 at timestamp 0<ts>', () => {
    const signed = md5('1001640' + '1700000000' + 'k');
    expect(verifyLoginSignature({ consId: '1001640', timestamp: '1700000000', signature: signed }, check)).toEqual({ ok: true, ts: 1_700_000_000 });
    expect(verifyLoginSignature({ consId: '100164', timestamp: '01700000000', signature: signed }, check)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLoginSignature({ consId: '10016', timestamp: '001700000000', signature: signed }, check)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a timestamp with a sign', '1001641', '+1700000000'],
    ['a timestamp with a space', '1001641', ' 1700000000'],
    ['a timestamp in another numeral system', '1001641', '１７００００００００'],
    ['a cons_id with a letter', '100164x', '1700000000'],
    ['a cons_id with a space', '100164 ', '1700000000'],
    ['a cons_id that is empty', '', '1700000000'],
  ])('refuses %s, even correctly signed', (_what, consId, timestamp) => {
    const signature = md5(consId + timestamp + 'k');
    expect(verifyLoginSignature({ consId, timestamp, signature }, check)).toEqual({ ok: false, reason: 'malformed' });
  });
});
