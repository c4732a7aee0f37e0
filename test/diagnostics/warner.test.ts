import type { Request } from 'express';
import { OPTION_SETTING_NAMES, Warner, WARNING_INTERVAL_MS, warningFor } from '../../src/diagnostics/warnings';
import { LuminateError } from '../../src/errors';
import { causeText } from '../../src/http/cause-text';

describe('Warner: one line per code per interval, never a secret', () => {
  function setup(secrets: string[] = []) {
    let now = 1_000_000;
    const lines: string[] = [];
    const warner = new Warner({ warn: (m) => lines.push(m) }, secrets, () => now);
    return { warner, lines, advance: (ms: number) => (now += ms) };
  }

  it('rate-limits per code with the injected clock, without sleeping', () => {
    const { warner, lines, advance } = setup();
    for (let i = 0; i < 1000; i += 1) warner.warn('LUMINATE_SSO_API_KEY', 'key');
    warner.warn('LUMINATE_SSO_API_LOGIN', 'login');
    expect(lines).toEqual(['luminate-sso-bridge: key [LUMINATE_SSO_API_KEY]', 'luminate-sso-bridge: login [LUMINATE_SSO_API_LOGIN]']);
    advance(WARNING_INTERVAL_MS - 1);
    warner.warn('LUMINATE_SSO_API_KEY', 'key');
    expect(lines).toHaveLength(2);
    advance(1);
    warner.warn('LUMINATE_SSO_API_KEY', 'key');
    expect(lines).toHaveLength(3);
    expect(WARNING_INTERVAL_MS).toBe(5 * 60_000);
  });

  it('`once` warnings are never repeated', () => {
    const { warner, lines, advance } = setup();
    warner.warn('LUMINATE_SSO_PROXY', 'proxy', true);
    advance(24 * 3600_000);
    warner.warn('LUMINATE_SSO_PROXY', 'proxy', true);
    expect(lines).toHaveLength(1);
  });

  // Changed on purpose (review finding 4): the warner no longer scrubs whole lines, which rewrote
  // its own fixed text; it scrubs the parts put into a line (scrub), with its own secrets.
  it('scrubs its configured secrets from what is put into a line (scrub), not the line as a whole', () => {
    const { warner, lines } = setup(['S3cret-Value', 'abc']);
    warner.warn('LUMINATE_SSO_HOOK_FAILED', `it said ${warner.scrub('S3CRET-VALUE and abc')}`);
    expect(lines).toEqual(['luminate-sso-bridge: it said [redacted] and abc [LUMINATE_SSO_HOOK_FAILED]']);
  });

  it("keeps the library's fixed text when a secret is an ordinary word, and scrubs the cause", () => {
    const { warner, lines } = setup(['check', 'S3cret-Value']);
    const settings = { names: OPTION_SETTING_NAMES, signatureAlgorithm: 'sha1' as const, who: 'luminateSso()', consequence: 'guests', scrub: warner.scrub };
    const err = new LuminateError('SSO_PROVISION_FAILED', 'The provision hook failed.', { cause: new TypeError('cannot check S3cret-Value') });
    const warning = warningFor(err, {} as Request, settings)!;
    warner.warn(warning.code, warning.message);
    expect(lines[0]).toContain('Fix: check the provision hook.');
    expect(lines[0]).toContain('(TypeError: cannot [redacted] [redacted])');
    expect(lines[0]).not.toContain('S3cret-Value');
  });

  it('a logger that throws does not break the caller; false logs nothing', () => {
    const throwing = new Warner({ warn: () => { throw new Error('disk full'); } }, []);
    expect(() => throwing.warn('LUMINATE_SSO_API_KEY', 'x')).not.toThrow();
    const silent = new Warner(false, []);
    expect(() => silent.warn('LUMINATE_SSO_API_KEY', 'x')).not.toThrow();
  });

  it('info() goes to logger.info when there is one, and is skipped otherwise', () => {
    const infos: string[] = [];
    new Warner({ warn: () => undefined, info: (m) => infos.push(m) }, []).info('LUMINATE_SSO_VERIFY', 'ok');
    expect(infos).toEqual(['luminate-sso-bridge: ok [LUMINATE_SSO_VERIFY]']);
    expect(() => new Warner({ warn: () => undefined }, []).info('LUMINATE_SSO_VERIFY', 'ok')).not.toThrow();
  });
});

describe('causeText: a hook error made safe for one line', () => {
  it('leaves out what JSON.parse quotes of its input (a SyntaxError names data, not code)', () => {
    let thrown: unknown;
    try {
      JSON.parse('eyJhbGciOiJIUzI1NiJ9.secret-session-data');
    } catch (e) {
      thrown = e;
    }
    const text = causeText(thrown);
    expect(text).toMatch(/^SyntaxError; its message is left out here/);
    expect(text).not.toContain('eyJhbGciOi');
  });

  it('keeps the message of a TypeError, which names code', () => {
    expect(causeText(new TypeError("Cannot read properties of undefined (reading 'user')"))).toBe("TypeError: Cannot read properties of undefined (reading 'user')");
  });
});
